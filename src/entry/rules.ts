/**
 * The string rules of the entry, each stated once: as a JSON Schema pattern (ECMA-262 with the `u` flag, the
 * way Ajv compiles `pattern`) and as a predicate that answers exactly what that pattern answers, only faster.
 * The entry's own checks (fields.ts, meta.ts) use the predicates; the HTTP request schemas import the patterns
 * (and their engine answers them with the predicates), so the OpenAPI document states the rule the entry
 * enforces. Property tests hold each predicate to its pattern.
 */
import { isLowerHex } from '../crypto/index.js';

export interface StringRule {
  /** The rule as a JSON Schema `pattern`. */
  readonly pattern: string;
  /** Answers what `new RegExp(pattern, 'u').test(s)` answers. */
  readonly test: (s: string) => boolean;
}

/**
 * Text shown to people (names, titles, notes) must read the same everywhere it is printed, so it may not
 * hold: lone surrogates (not Unicode; encoders disagree on them), control characters (a "\n" in a name
 * could forge a line on a printed certificate), line/paragraph separators, or the bidirectional
 * embedding/override/isolate controls that reorder what a reader sees ("Trojan Source"). Joiners and
 * variation selectors stay allowed: emoji sequences need them.
 */
const FORBIDDEN_CLASS = '\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}\\u202A-\\u202E\\u2066-\\u2069';
export const FORBIDDEN_TEXT_RE = new RegExp(`[${FORBIDDEN_CLASS}]`, 'u');

/**
 * True when `text` holds no UTF-16 unit that FORBIDDEN_TEXT_RE could match: no C0/C1 control, no
 * surrogate (paired or not), nothing in U+2028–U+202E or U+2066–U+2069. A char-code loop, several times
 * faster than the Unicode-property RegExp on the short texts of metadata; when it finds such a unit the
 * RegExp decides (a surrogate may be half of a valid pair).
 */
export function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return false;
    }
  }
  return true;
}

/** Text: any length (bounds are the field's own), none of the forbidden characters. */
export const TEXT_RULE: StringRule = {
  pattern: `^[^${FORBIDDEN_CLASS}]*$`,
  test: (s) => isPlainText(s) || !FORBIDDEN_TEXT_RE.test(s),
};

/** The depositor's registered name: 1-256 UTF-16 units of text, no white space at either end. */
export const SUBJECT_NAME_MAX = 256;
const LEADING_OR_TRAILING_SPACE = /^\s|\s$/u;
export const SUBJECT_NAME_RULE: StringRule = {
  pattern: `^[^\\s${FORBIDDEN_CLASS}](?:[^${FORBIDDEN_CLASS}]*[^\\s${FORBIDDEN_CLASS}])?$`,
  test: (s) => s.length > 0 && TEXT_RULE.test(s) && !LEADING_OR_TRAILING_SPACE.test(s),
};

/** True when `name` is a valid subject name (text rule, 1..SUBJECT_NAME_MAX units, no surrounding space). */
export function isSubjectName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= SUBJECT_NAME_MAX && SUBJECT_NAME_RULE.test(name);
}

/** A SHA-256 or SM3 digest: 32 bytes as 64 lowercase hex digits. */
export const DIGEST_HEX_LENGTH = 64;
export const DIGEST_HEX_RULE: StringRule = {
  pattern: `^[0-9a-f]{${DIGEST_HEX_LENGTH}}$`,
  test: (s) => isLowerHex(s, DIGEST_HEX_LENGTH),
};

/** Meta keys: 1-64 characters, a letter then letters, digits, "_" and "-" (no "__proto__", no integer-like keys). */
export const META_KEY_MAX_LENGTH = 64;

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isMetaKey(s: string): boolean {
  if (s.length < 1 || s.length > META_KEY_MAX_LENGTH || !isLetter(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d)) return false;
  }
  return true;
}

export const META_KEY_RULE: StringRule = {
  pattern: `^[A-Za-z][A-Za-z0-9_-]{0,${META_KEY_MAX_LENGTH - 1}}$`,
  test: isMetaKey,
};

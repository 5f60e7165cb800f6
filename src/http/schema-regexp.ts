/**
 * The regular-expression engine the request schemas are compiled with (Ajv's `code.regExp`).
 *
 * The patterns of the entry's rules (src/entry/rules.ts: digests, metadata keys, text) are answered by the
 * entry's own predicates, char-code loops that accept exactly what the pattern accepts (property tests
 * hold each to its RegExp) at a fraction of a `u`-flag RegExp's cost, on every digest, key and string of
 * every deposit item. Any other `^[0-9a-f]{N}$` is a hex loop too; every other pattern is an ordinary
 * RegExp. The schemas (and the OpenAPI document made from them) keep their patterns as written.
 */
import { isLowerHex } from '../crypto/index.js';
import { DIGEST_HEX_RULE, META_KEY_RULE, TEXT_RULE, type StringRule } from '../entry/index.js';

export interface RegExpLike {
  test(s: string): boolean;
  toString(): string;
}

const LOWER_HEX_PATTERN = /^\^\[0-9a-f\]\{([1-9][0-9]{0,3})\}\$$/;

/** The metadata-key pattern of the request schemas: the entry's. */
export const META_KEY_PATTERN = META_KEY_RULE.pattern;

/** Patterns answered by the entry's predicates (their `u` semantics; the schemas are compiled with `u`). */
const RULES: ReadonlyMap<string, StringRule> = new Map([DIGEST_HEX_RULE, META_KEY_RULE, TEXT_RULE].map((r) => [r.pattern, r]));

export function schemaRegExp(pattern: string, flags: string): RegExpLike {
  // Ajv keys compiled patterns by toString(): it must name the pattern.
  const text = `/${pattern}/${flags}`;
  const rule = RULES.get(pattern);
  if (rule !== undefined && flags.includes('u')) return { test: rule.test, toString: () => text };
  const hex = LOWER_HEX_PATTERN.exec(pattern);
  if (hex === null) return new RegExp(pattern, flags);
  const length = Number(hex[1]);
  return { test: (s: string) => isLowerHex(s, length), toString: () => text };
}
// For Ajv's standalone code generation: the same patterns, as plain RegExps.
schemaRegExp.code = 'new RegExp';

/**
 * The regular-expression engine the request schemas are compiled with (Ajv's `code.regExp`).
 *
 * Every deposit item carries one or two digests that the schema checks against `^[0-9a-f]{64}$`, and
 * metadata keys checked against `^[A-Za-z][A-Za-z0-9_.-]{0,63}$`; as RegExps (with the `u` flag Ajv adds)
 * those tests cost more than char-code loops that accept exactly the same strings (property tests hold
 * each loop to its RegExp). Patterns of the form `^[0-9a-f]{N}$` and the metadata-key pattern are answered
 * by loops; every other pattern is an ordinary RegExp. The schemas (and the OpenAPI document made from
 * them) keep their patterns as written.
 */
import { isLowerHex } from '../crypto/index.js';

export interface RegExpLike {
  test(s: string): boolean;
  toString(): string;
}

const LOWER_HEX_PATTERN = /^\^\[0-9a-f\]\{([1-9][0-9]{0,3})\}\$$/;

/** The metadata-key pattern of schemas.ts: a letter, then up to 63 of letters, digits, "_", "." and "-". */
export const META_KEY_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isMetaKey(s: string): boolean {
  if (s.length < 1 || s.length > 64 || !isLetter(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d)) return false;
  }
  return true;
}

export function schemaRegExp(pattern: string, flags: string): RegExpLike {
  // Ajv keys compiled patterns by toString(): it must name the pattern.
  const text = `/${pattern}/${flags}`;
  if (pattern === META_KEY_PATTERN) return { test: isMetaKey, toString: () => text };
  const hex = LOWER_HEX_PATTERN.exec(pattern);
  if (hex === null) return new RegExp(pattern, flags);
  const length = Number(hex[1]);
  return { test: (s: string) => isLowerHex(s, length), toString: () => text };
}
// For Ajv's standalone code generation: the same patterns, as plain RegExps.
schemaRegExp.code = 'new RegExp';

/**
 * The regular-expression engine the request schemas are compiled with (Ajv's `code.regExp`).
 *
 * Every deposit item carries one or two digests that the schema checks against `^[0-9a-f]{64}$`; as a
 * RegExp that test cost more than the char-code loop of `isLowerHex`, which accepts exactly the same
 * strings (a property test holds the two together). Patterns of the form `^[0-9a-f]{N}$` are answered by
 * that loop; every other pattern is an ordinary RegExp. The schemas (and the OpenAPI document made from
 * them) keep their patterns as written.
 */
import { isLowerHex } from '../crypto/index.js';

export interface RegExpLike {
  test(s: string): boolean;
  toString(): string;
}

const LOWER_HEX_PATTERN = /^\^\[0-9a-f\]\{([1-9][0-9]{0,3})\}\$$/;

export function schemaRegExp(pattern: string, flags: string): RegExpLike {
  const hex = LOWER_HEX_PATTERN.exec(pattern);
  if (hex === null) return new RegExp(pattern, flags);
  const length = Number(hex[1]);
  const text = `/${pattern}/${flags}`;
  // Ajv keys compiled patterns by toString(): it must name the pattern.
  return { test: (s: string) => isLowerHex(s, length), toString: () => text };
}
// For Ajv's standalone code generation: the same patterns, as plain RegExps.
schemaRegExp.code = 'new RegExp';

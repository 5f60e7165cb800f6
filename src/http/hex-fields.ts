/**
 * Hex fields as people paste them. Windows tools print digests in uppercase (`certutil -hashfile`,
 * `Get-FileHash`), others in lowercase: both are accepted, and lowercased here, in a preValidation hook,
 * before the schema (which allows lowercase only) and the service see them. Entries always hold lowercase.
 *
 * A string that is not hex of the right length is refused here with ONE message naming the field, its
 * position in a batch and what is wrong (the schema's union would answer three messages, one per branch).
 * Anything that is not a string is left to the schema.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CunzhengError } from '../errors.js';
import { DIGEST_HEX_LENGTH } from '../entry/index.js';

const FIELDS: readonly (readonly [string, number, string])[] = [
  ['sha256', DIGEST_HEX_LENGTH, `a SHA-256 digest: ${DIGEST_HEX_LENGTH} hex characters`],
  ['sm3', DIGEST_HEX_LENGTH, `an SM3 digest: ${DIGEST_HEX_LENGTH} hex characters`],
  ['prev', 32, 'a deposit id: 32 hex characters'],
];

/** `s` in lowercase when it is `length` hex characters of either case; undefined when it is not hex. */
export function lowerHex(s: string, length: number): string | undefined {
  if (s.length !== length) return undefined;
  let upper = false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue;
    if (c >= 0x41 && c <= 0x46) upper = true;
    else return undefined;
  }
  return upper ? s.toLowerCase() : s;
}

function problem(s: string, length: number): string {
  if (s.length !== length) return `has ${s.length} characters`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) return `has a character that is not hex at position ${i}`;
  }
  return 'is malformed';
}

function badHex(where: string, what: string, s: string, length: number): CunzhengError {
  return new CunzhengError('BAD_HEX_FIELD', `${where} must be ${what}; it ${problem(s, length)}`, { details: { field: where } });
}

/** Lowercases the hex fields of one object (a deposit item, a query, params) in place. */
function normalise(o: Record<string, unknown>, prefix: string, fields: readonly (readonly [string, number, string])[]): void {
  for (const [name, length, what] of fields) {
    const v = o[name];
    if (typeof v !== 'string') continue;
    const lower = lowerHex(v, length);
    if (lower === undefined) throw badHex(prefix + name, what, v, length);
    if (lower !== v) o[name] = lower;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lowercases the hex fields of a POST /v1/deposits body (a single item or `{items: […]}`) in place; BAD_HEX_FIELD when one is not hex. */
export function lowercaseDepositHex(body: unknown): void {
  if (!isObject(body)) return;
  const items = body.items;
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length && i < 10_001; i++) {
      const item: unknown = items[i];
      if (isObject(item)) normalise(item, `items[${i}].`, FIELDS);
    }
  } else {
    normalise(body, '', FIELDS);
  }
}

/** preValidation of POST /v1/deposits: lowercaseDepositHex. */
export function normaliseDepositBody(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  try {
    lowercaseDepositHex(request.body);
  } catch (e) {
    done(e as Error);
    return;
  }
  done();
}

/** preValidation of routes with hex in the query (`sha256`, `prev`) or the path (`id`). */
export function normaliseQueryAndParams(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  try {
    if (isObject(request.query)) normalise(request.query, '', FIELDS);
    if (isObject(request.params)) normalise(request.params, '', [['id', 32, 'a deposit id: 32 hex characters']]);
  } catch (e) {
    done(e as Error);
    return;
  }
  done();
}

/**
 * The deposit indexes' LevelDB keys and values, written in the same durable batch as the entry they name:
 *   x D <tenant id> 0x00 <sha256 (32)>  → leaf index (8, big-endian)   for every entry of kind "deposit"
 *   x I <deposit id (16)>               → leaf index (8, big-endian)   for every entry
 * Both are derived from the entry: the value carries no check of its own, the entry it names is the check
 * (readers compare the entry's tenant, digest and leaf hash with the key; fsck recomputes every key).
 */
import { CunzhengError } from '../errors.js';
import { utf8 } from '../crypto/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/index.js';
import { extraKey, keyBytes, keyWithHex, readUint64, TAG_EXTRA, writeUint64 } from '../storage/keys.js';

export const DIGEST_TABLE = 0x44; // 'D'
export const ID_TABLE = 0x49; // 'I'

/** The full LevelDB key prefix of a tenant's digest keys: x D <tenant id> 0x00. */
export function digestPrefix(tenantId: string): Uint8Array {
  // A copy: the prefix lives as long as the tenant's writer, and keyBytes views are for short-lived keys.
  return new Uint8Array(extraKey(utf8(`D${tenantId}\u0000`)));
}

/** The digest key of a validated lowercase-hex SHA-256 (callers check it with isLowerHex first). */
export function digestKey(prefix: Uint8Array, sha256Hex: string): Uint8Array {
  const k = keyWithHex(prefix, sha256Hex, 32);
  if (k === undefined) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
  return k;
}

/** x I ‖ the deposit id's 16 bytes (the first 16 bytes of the leaf hash) → the leaf index. */
export function idKey(depositIdOrLeafHash: Uint8Array): Uint8Array {
  const k = keyBytes(2 + DEPOSIT_ID_BYTES);
  k[0] = TAG_EXTRA;
  k[1] = ID_TABLE;
  k.set(depositIdOrLeafHash.subarray(0, DEPOSIT_ID_BYTES), 2);
  return k;
}

export function indexValue(i: number): Uint8Array {
  const v = keyBytes(8);
  writeUint64(v, 0, i);
  return v;
}

/** The leaf index an index value names, or undefined when the value is not 8 bytes. */
export function decodeIndexValue(v: Uint8Array): number | undefined {
  return v.length === 8 ? readUint64(v, 0) : undefined;
}

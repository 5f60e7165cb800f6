/**
 * The one table of the records kept beside the entries, under the store's 'x' tag. Every key of the layers
 * above the tree is made here and nowhere else:
 *
 *   x D <tenant id> 0x00 <sha256 (32)>  → leaf index (8, big-endian)  a deposit's digest; written in the entry's batch
 *   x I <deposit id (16)>               → leaf index (8, big-endian)  every entry; written in the entry's batch
 *   x L <tenant id> 0x00 <leaf index (8)> → (empty)                  a tenant's deposits in leaf order; written in the entry's batch
 *   x T <tenant id>                     → the tenant record (service/tenant-record.ts)
 *   x K <SHA-256 of an API key (32)>    → the API-key index value (service/tenant-record.ts)
 *   x A <tree size (8, big-endian)>     → the verified RFC 3161 anchors of the checkpoint of that size (JSON)
 *
 * `D` and `I` are derived from the entries: their values carry no check of their own, the entry a value names
 * is the check (readers compare the entry's tenant, digest and leaf hash with the key; fsck recomputes every
 * key from the entries, both ways). A deposit id is the first 16 bytes of the entry's leaf hash.
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, toHex, utf8 } from '../crypto/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/deposit-id.js';
import { extraKey, keyBytes, keyWithHex, readUint64, TAG_EXTRA, writeUint64 } from '../storage/keys.js';

/** The second byte of each table's keys. */
export const TABLE = { digest: 0x44, id: 0x49, listing: 0x4c, tenant: 0x54, apiKey: 0x4b, anchor: 0x41 } as const;
export type TableName = keyof typeof TABLE;

/** The full key prefix of a table: x ‖ its letter (a copy: prefixes are kept). */
export function tablePrefix(table: TableName): Uint8Array {
  return Uint8Array.of(TAG_EXTRA, TABLE[table]);
}

/** The key prefix of a tenant's digest keys: x D <tenant id> 0x00 (a copy, kept as long as the tenant). */
export function digestPrefix(tenantId: string): Uint8Array {
  return new Uint8Array(extraKey(utf8(`D${tenantId}\u0000`)));
}

/** The digest key of a lowercase-hex SHA-256 (DEPOSIT_BAD_DIGEST when it is not 64 hex digits). */
export function digestKey(prefix: Uint8Array, sha256Hex: string): Uint8Array {
  const k = keyWithHex(prefix, sha256Hex, 32);
  if (k === undefined) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
  return k;
}

/** Which tenant and SHA-256 a digest key names, or undefined when the key has not the shape. */
export function parseDigestKey(key: Uint8Array): { tenantId: string; sha256: string } | undefined {
  const zero = key.indexOf(0, 2);
  if (key[0] !== TAG_EXTRA || key[1] !== TABLE.digest || zero < 0 || key.length !== zero + 33) return undefined;
  return { tenantId: lenient.decode(key.subarray(2, zero)), sha256: toHex(key.subarray(zero + 1)) };
}

const lenient = new TextDecoder();

/** The key prefix of a tenant's listing keys: x L <tenant id> 0x00 (a copy, kept as long as the tenant). */
export function listingPrefix(tenantId: string): Uint8Array {
  return new Uint8Array(extraKey(utf8(`L${tenantId}\u0000`)));
}

/** A listing key: the tenant's prefix ‖ the leaf index (8, big-endian), so a prefix scan walks leaf order. */
export function listingKey(prefix: Uint8Array, leafIndex: number): Uint8Array {
  const k = keyBytes(prefix.length + 8);
  k.set(prefix);
  writeUint64(k, prefix.length, leafIndex);
  return k;
}

/** Which tenant and leaf a listing key names, or undefined when the key has not the shape. */
export function parseListingKey(key: Uint8Array): { tenantId: string; leafIndex: number } | undefined {
  const zero = key.indexOf(0, 2);
  if (key[0] !== TAG_EXTRA || key[1] !== TABLE.listing || zero < 0 || key.length !== zero + 9) return undefined;
  return { tenantId: lenient.decode(key.subarray(2, zero)), leafIndex: readUint64(key, zero + 1) };
}

/** The value of a listing key: nothing (the key is the record). */
export const LISTING_VALUE = new Uint8Array(0);

/** x I ‖ the deposit id's 16 bytes (the first 16 bytes of the leaf hash). */
export function idKey(depositIdOrLeafHash: Uint8Array): Uint8Array {
  const k = keyBytes(2 + DEPOSIT_ID_BYTES);
  k[0] = TAG_EXTRA;
  k[1] = TABLE.id;
  k.set(depositIdOrLeafHash.subarray(0, DEPOSIT_ID_BYTES), 2);
  return k;
}

/** The value of a `D` or `I` key: the leaf index, 8 bytes big-endian. */
export function indexValue(i: number): Uint8Array {
  const v = keyBytes(8);
  writeUint64(v, 0, i);
  return v;
}

/** The leaf index an index value names, or undefined when the value is not 8 bytes. */
export function decodeIndexValue(v: Uint8Array): number | undefined {
  return v.length === 8 ? readUint64(v, 0) : undefined;
}

export function tenantKey(id: string): Uint8Array {
  return extraKey(utf8(`T${id}`));
}

/** The id of a tenant record's key (`x T <id>`), as text even when the key is damaged. */
export function tenantIdOfKey(key: Uint8Array): string {
  try {
    return fromUtf8(key.subarray(2));
  } catch {
    return `(hex ${toHex(key.subarray(2))})`;
  }
}

export function apiKeyIndexKey(keyHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + keyHash.length);
  k[0] = TAG_EXTRA;
  k[1] = TABLE.apiKey;
  k.set(keyHash, 2);
  return k;
}

/** The key hash an `x K` key holds. */
export function keyHashOfKey(key: Uint8Array): Uint8Array {
  return key.subarray(2);
}

export function anchorKey(treeSize: number): Uint8Array {
  const k = new Uint8Array(10);
  k[0] = TAG_EXTRA;
  k[1] = TABLE.anchor;
  writeUint64(k, 2, treeSize);
  return k;
}

/** The tree size an `x A` key names. */
export function treeSizeOfAnchorKey(key: Uint8Array): number {
  return readUint64(key, 2);
}

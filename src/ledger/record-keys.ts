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
 *   x W <tree size (8, big-endian)>     → the witnesses' verified cosignature lines of the checkpoint of that
 *                                         size (UTF-8, each line ending in \n; service/witnesser.ts)
 *
 * The document index (document-index.ts): a document is a version chain, its root deposit (a deposit without
 * `prev`) and every entry whose `prev` leads to it; its id is the root's deposit id. Written in the entries' batch:
 *
 *   x R <entry id (16)>                            → doc id (16)   every entry with a prev: the document it belongs to
 *   x H <tenant id> 0x00 <doc id (16)> <leaf (8)>  → (empty)       every entry of a document but its root, leaf order
 *   x N <tenant id> 0x00 <leaf (8)>                → doc id (16)   every root deposit: the 清单's order
 *   x C <tenant id> 0x00 <doc id (16)>             → the document's state (lifecycle/ encodeDocState, its own
 *                                                    SHA-256 check); written whenever a version or event changes
 *                                                    it; absent: the document is its root deposit alone
 *
 * `D`, `I`, `L`, `R`, `H`, `N` and `C` are derived from the entries: their values carry no check of their own, the entry a value names
 * is the check (readers compare the entry's tenant, digest and leaf hash with the key; fsck recomputes every
 * key from the entries, both ways). A deposit id is the first 16 bytes of the entry's leaf hash.
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, toHex, utf8 } from '../crypto/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/deposit-id.js';
import { extraKey, keyBytes, keyWithHex, readUint64, TAG_EXTRA, writeUint64 } from '../storage/keys.js';

/** The second byte of each table's keys. */
export const TABLE = {
  digest: 0x44, id: 0x49, listing: 0x4c, tenant: 0x54, apiKey: 0x4b, anchor: 0x41, cosigned: 0x57,
  docOf: 0x52, history: 0x48, roots: 0x4e, docState: 0x43,
} as const;
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

/** x W ‖ the tree size (8, big-endian): the cosignature lines of the checkpoint of that size. */
export function cosignedKey(treeSize: number): Uint8Array {
  const k = new Uint8Array(10);
  k[0] = TAG_EXTRA;
  k[1] = TABLE.cosigned;
  writeUint64(k, 2, treeSize);
  return k;
}

/** The tree size an `x W` key names, or undefined when the key has not the shape. */
export function treeSizeOfCosignedKey(key: Uint8Array): number | undefined {
  return key.length === 10 && key[0] === TAG_EXTRA && key[1] === TABLE.cosigned ? readUint64(key, 2) : undefined;
}

/** The tables derived from the entries alone: fsck recomputes them, `fsck --reindex` rewrites them. */
export const DERIVED_TABLES: readonly TableName[] = ['digest', 'id', 'listing', 'docOf', 'history', 'roots', 'docState'];

/** A table's letter-prefixed key for a tenant: x <letter> <tenant id> 0x00 (a copy). */
function tenantPrefix(table: TableName, tenantId: string): Uint8Array {
  const t = utf8(tenantId);
  const k = new Uint8Array(3 + t.length);
  k[0] = TAG_EXTRA;
  k[1] = TABLE[table];
  k.set(t, 2);
  return k;
}

/** The tenant id of a key `x <letter> <tenant> 0x00 …` and where its 0x00 is, when the key has that table's letter. */
function tenantOf(key: Uint8Array, table: TableName): { tenantId: string; zero: number } | undefined {
  if (key.length < 3 || key[0] !== TAG_EXTRA || key[1] !== TABLE[table]) return undefined;
  const zero = key.indexOf(0, 2);
  if (zero < 3) return undefined;
  return { tenantId: lenient.decode(key.subarray(2, zero)), zero };
}

/** x R ‖ an entry's id (the first 16 bytes of its leaf hash). */
export function docOfKey(entryIdOrLeafHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + DEPOSIT_ID_BYTES);
  k[0] = TAG_EXTRA;
  k[1] = TABLE.docOf;
  k.set(entryIdOrLeafHash.subarray(0, DEPOSIT_ID_BYTES), 2);
  return k;
}

/** The entry id (hex) of an `x R` key, or undefined when the key has not the shape. */
export function parseDocOfKey(key: Uint8Array): { id: string } | undefined {
  if (key.length !== 2 + DEPOSIT_ID_BYTES || key[0] !== TAG_EXTRA || key[1] !== TABLE.docOf) return undefined;
  return { id: toHex(key.subarray(2)) };
}

/** The prefix of a document's history keys: x H <tenant> 0x00 <doc id (16)> (a copy). */
export function historyPrefix(tenantId: string, docId: Uint8Array): Uint8Array {
  const t = tenantPrefix('history', tenantId);
  const k = new Uint8Array(t.length + DEPOSIT_ID_BYTES);
  k.set(t);
  k.set(docId.subarray(0, DEPOSIT_ID_BYTES), t.length);
  return k;
}

/** A history key: the document's prefix ‖ the leaf (8, big-endian). */
export function historyKey(prefix: Uint8Array, leafIndex: number): Uint8Array {
  return leafKey(prefix, leafIndex);
}

/** Tenant, doc id (hex) and leaf of an `x H` key, or undefined when the key has not the shape. */
export function parseHistoryKey(key: Uint8Array): { tenantId: string; doc: string; leafIndex: number } | undefined {
  const t = tenantOf(key, 'history');
  if (t === undefined || key.length !== t.zero + 1 + DEPOSIT_ID_BYTES + 8) return undefined;
  return { tenantId: t.tenantId, doc: toHex(key.subarray(t.zero + 1, t.zero + 1 + DEPOSIT_ID_BYTES)), leafIndex: readUint64(key, t.zero + 1 + DEPOSIT_ID_BYTES) };
}

/** The prefix of a tenant's root keys: x N <tenant> 0x00 (a copy). */
export function rootsPrefix(tenantId: string): Uint8Array {
  return tenantPrefix('roots', tenantId);
}

/** A root key: the tenant's prefix ‖ the root deposit's leaf (8, big-endian). */
export function rootKey(prefix: Uint8Array, leafIndex: number): Uint8Array {
  return leafKey(prefix, leafIndex);
}

/** Tenant and leaf of an `x N` key, or undefined when the key has not the shape. */
export function parseRootKey(key: Uint8Array): { tenantId: string; leafIndex: number } | undefined {
  const t = tenantOf(key, 'roots');
  if (t === undefined || key.length !== t.zero + 9) return undefined;
  return { tenantId: t.tenantId, leafIndex: readUint64(key, t.zero + 1) };
}

/** x C <tenant> 0x00 <doc id (16)>: the document's state. */
export function docStateKey(tenantId: string, docId: Uint8Array): Uint8Array {
  const t = tenantPrefix('docState', tenantId);
  const k = new Uint8Array(t.length + DEPOSIT_ID_BYTES);
  k.set(t);
  k.set(docId.subarray(0, DEPOSIT_ID_BYTES), t.length);
  return k;
}

/** Tenant and doc id (hex) of an `x C` key, or undefined when the key has not the shape. */
export function parseDocStateKey(key: Uint8Array): { tenantId: string; doc: string } | undefined {
  const t = tenantOf(key, 'docState');
  if (t === undefined || key.length !== t.zero + 1 + DEPOSIT_ID_BYTES) return undefined;
  return { tenantId: t.tenantId, doc: toHex(key.subarray(t.zero + 1)) };
}

/** The value of a history key: nothing (the key is the record). */
export const HISTORY_VALUE = new Uint8Array(0);

/** prefix ‖ the leaf index (8, big-endian), in a buffer of its own (these keys may be kept). */
function leafKey(prefix: Uint8Array, leafIndex: number): Uint8Array {
  const k = new Uint8Array(prefix.length + 8);
  k.set(prefix);
  writeUint64(k, prefix.length, leafIndex);
  return k;
}

/**
 * Reading deposits back from storage without trusting what was read. The indexes (`x D`, `x I`) and the
 * entries are read from LevelDB, which does not check block checksums on reads: a damaged index names
 * another leaf, a damaged entry does not parse. Both are the store's fault, never the client's, so every
 * failure here is STORE_CORRUPT (the HTTP layer's 500), with `details.where` naming the record:
 *   - an index value that is not an 8-byte leaf index, or names a leaf that is not stored;
 *   - an entry that does not parse (the ENTRY_* code of the parser is kept in details.problem);
 *   - an entry that is not the one the key names: another tenant or digest (`x D`), another leaf hash (`x I`);
 *   - a receipt built for GET that does not verify under the log's own key (verifyReceipt: entry, id,
 *     inclusion proof to the checkpoint root, checkpoint signature, anchors' consistency).
 */
import { CunzhengError } from '../errors.js';
import { bytesEqual } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { parseEntry, type Entry } from '../entry/index.js';
import { DEPOSIT_ID_BYTES, verifyReceipt, type Receipt } from '../receipt/index.js';
import type { Ledger } from '../ledger/index.js';
import { decodeIndexValue } from './index-keys.js';

export function storeCorrupt(where: string, message: string, problem: string, cause?: unknown): CunzhengError {
  return new CunzhengError('STORE_CORRUPT', `${where}: ${message}; run cunzheng fsck`, {
    ...(cause === undefined ? {} : { cause }),
    details: { where, problem },
  });
}

/** What an index read from storage names: a committed entry, or one whose group is still being committed. */
export type IndexedEntry = { index: number; bytes: Uint8Array; entry: Entry } | 'committing';

/**
 * The entry an index value names, parsed. A leaf beyond the tree that is on disk is a group whose write has
 * landed and whose callers are not answered yet ('committing'); one that is not stored is damage.
 */
export async function readIndexed(ledger: Ledger, value: Uint8Array, where: string): Promise<IndexedEntry> {
  const index = decodeIndexValue(value);
  if (index === undefined) throw storeCorrupt(where, `the index value holds ${value.length} bytes, not an 8-byte leaf index`, 'INDEX_MISMATCH');
  if (index >= ledger.treeSize) {
    if ((await ledger.store.readEntry(index)) !== undefined) return 'committing';
    throw storeCorrupt(where, `the index names leaf ${index}, beyond the tree of ${ledger.treeSize}`, 'INDEX_MISMATCH');
  }
  const bytes = await ledger.entry(index);
  if (bytes === undefined) throw storeCorrupt(where, `the index names leaf ${index}, which is not stored`, 'ENTRY_MISSING');
  return { index, bytes, entry: parseStoredEntry(bytes, index) };
}

/** parseEntry for bytes read from storage: a refusal is the store's damage, not a client's mistake. */
export function parseStoredEntry(bytes: Uint8Array, index: number): Entry {
  try {
    return parseEntry(bytes);
  } catch (e) {
    const code = e instanceof CunzhengError ? e.code : 'ENTRY_MALFORMED';
    throw storeCorrupt(`entry ${index}`, `the stored entry does not parse (${code}: ${(e as Error).message})`, 'ENTRY_UNPARSEABLE', e);
  }
}

/** Throws STORE_CORRUPT unless the entry a digest key names is that tenant's deposit of that SHA-256. */
export function checkDigestTarget(found: { index: number; entry: Entry }, tenantId: string, sha256Hex: string, where: string): void {
  const e = found.entry;
  if (e.tenant !== tenantId || e.digest.sha256 !== sha256Hex || e.kind !== 'deposit') {
    throw storeCorrupt(where, `the digest index names leaf ${found.index}, which is not this tenant's deposit of this digest`, 'INDEX_MISMATCH');
  }
}

/** Throws STORE_CORRUPT unless the entry an id key names has that deposit id (its leaf hash's first 16 bytes). */
export function checkIdTarget(found: { index: number; bytes: Uint8Array }, id: Uint8Array, where: string): void {
  if (!bytesEqual(hashLeaf(found.bytes).subarray(0, DEPOSIT_ID_BYTES), id.subarray(0, DEPOSIT_ID_BYTES))) {
    throw storeCorrupt(where, `the id index names leaf ${found.index}, whose deposit id is another`, 'INDEX_MISMATCH');
  }
}

/**
 * Verifies a receipt about to be served, as a court would (under the log's own key), and that it is the
 * one asked for; returns it unchanged. About 120 µs: for GETs, not for the deposit path.
 */
export async function verifiedForServing(ledger: Ledger, receipt: Receipt, index: number, where: string): Promise<Receipt> {
  let ok: boolean;
  let cause: unknown;
  try {
    const v = await verifyReceipt(receipt, [ledger.verifierKey]);
    ok = v.leafIndex === index && v.id === receipt.id;
  } catch (e) {
    ok = false;
    cause = e;
  }
  if (!ok) {
    const code = cause instanceof CunzhengError ? cause.code : 'RECEIPT_MISMATCH';
    throw storeCorrupt(where, `the receipt built from storage does not verify (${code})`, 'RECEIPT_INVALID', cause);
  }
  return receipt;
}

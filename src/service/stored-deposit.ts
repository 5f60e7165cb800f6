/**
 * A receipt built from storage is verified before it is served: LevelDB does not check block checksums on
 * reads, and the deposit index (ledger/deposit-index.ts) checks the keys and entries it reads, but only a
 * verification as a court would do it (under the log's own key: entry, id, inclusion proof to the
 * checkpoint root, checkpoint signature, anchors' consistency) shows that what leaves is sound. A receipt
 * that fails is the store's damage: STORE_CORRUPT (500) with details.problem RECEIPT_INVALID.
 */
import { CunzhengError } from '../errors.js';
import { verifyReceipt, type Receipt } from '../receipt/index.js';
import { storeCorrupt, type Ledger } from '../ledger/index.js';

/** Verifies a receipt about to be served and that it is the one asked for; returns it unchanged. About 120 µs: for GETs, not for the deposit path. */
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

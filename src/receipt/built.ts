/**
 * The mark of a receipt buildReceipt made (private to receipt/: not exported from index.ts). Such a
 * receipt is frozen (with its proof and log), its `format` is RECEIPT_FORMAT, `id` is lowercase hex,
 * `entry` and every `proof` element are standard base64, and `index` is a safe integer: none of those
 * strings needs escaping in JSON, which lets the reply writer (reply.ts) copy them as they are.
 */
import { type Anchor, type Receipt, RECEIPT_FORMAT, receiptFormatFor } from './receipt.js';

const built = new WeakSet<Receipt>();

/** Marks a frozen receipt whose fields are known to be as described above. */
export function markBuilt(r: Receipt): void {
  built.add(r);
}

/** True when `r` is a receipt buildReceipt made (and froze): see the module comment for what that promises. */
export function isBuiltReceipt(r: unknown): boolean {
  return typeof r === 'object' && r !== null && built.has(r as Receipt);
}

/**
 * `r` with other anchors, frozen; built (marked) when `r` was and it stays v1. Fields in the receipt's order.
 * Its format follows the anchors: v2 when one carries revocation evidence (v1 and v2 differ in nothing else).
 */
export function rebuiltFrom(r: Receipt, anchors: Anchor[]): Receipt {
  const format = r.format === RECEIPT_FORMAT ? receiptFormatFor(anchors) : r.format;
  const out: Receipt = Object.freeze({
    format,
    id: r.id,
    entry: r.entry,
    index: r.index,
    proof: r.proof,
    checkpoint: r.checkpoint,
    anchors,
    log: r.log,
  });
  if (isBuiltReceipt(r) && format === RECEIPT_FORMAT) built.add(out);
  return out;
}

/**
 * A receipt's anchors from the timestamp tokens of its own checkpoint (the service side).
 *
 * The service stores, beside a checkpoint, the RFC 3161 tokens that stamp it (`{tsa, token, genTime}`).
 * A receipt issued at that checkpoint carries each as an anchor `{type: 'rfc3161', checkpoint, token,
 * consistency: []}`: the checkpoint is the receipt's own, so no consistency proof is needed. Only the
 * token travels: the TSA and its time are read from the token by the verifier, never taken on trust.
 */
import { CunzhengError } from '../errors.js';
import type { Anchor, Receipt } from './receipt.js';
import { rebuiltFrom } from './built.js';

/** A signed checkpoint and the timestamp tokens over it (base64 DER), as the service stores them. */
export interface StampedCheckpoint {
  /** The signed checkpoint note, exactly as served. */
  checkpoint: string;
  /** Tokens over the checkpoint's body; any other members (tsa, genTime) are not part of a receipt. */
  anchors: readonly { token: string }[];
}

export type ReceiptAnchorErrorCode = 'RECEIPT_ANCHOR_CHECKPOINT_MISMATCH';

/** The last anchors made for each stamped checkpoint: a group's receipts share one array (the reply writer encodes it once). */
const made = new WeakMap<StampedCheckpoint, { from: readonly { token: string }[]; count: number; anchors: readonly Anchor[] }>();

/** The receipt anchors (frozen) of a checkpoint's tokens, for a receipt issued at that very checkpoint. */
export function receiptAnchors(stamped: StampedCheckpoint): Anchor[] {
  const memo = made.get(stamped);
  if (memo !== undefined && memo.from === stamped.anchors && memo.count === stamped.anchors.length) return memo.anchors as Anchor[];
  const anchors = Object.freeze(
    stamped.anchors.map((s) => Object.freeze({ type: 'rfc3161' as const, checkpoint: stamped.checkpoint, token: s.token, consistency: Object.freeze([]) as unknown as string[] })),
  );
  made.set(stamped, { from: stamped.anchors, count: stamped.anchors.length, anchors });
  return anchors as Anchor[];
}

/**
 * `receipt` with the anchors of `stamped` after its own (a token it already carries is not added twice).
 * `stamped` must be the receipt's own checkpoint (RECEIPT_ANCHOR_CHECKPOINT_MISMATCH otherwise): an anchor
 * of another checkpoint needs a consistency proof this function cannot make. A receipt buildReceipt made
 * stays one (frozen, written by the reply writer's fast path); any other is returned as a plain copy.
 */
export function withAnchors(receipt: Receipt, stamped: StampedCheckpoint): Receipt {
  if (stamped.checkpoint !== receipt.checkpoint) {
    throw new CunzhengError<ReceiptAnchorErrorCode>(
      'RECEIPT_ANCHOR_CHECKPOINT_MISMATCH',
      'the timestamp tokens stamp another checkpoint than the receipt\'s: build the receipt at the stamped checkpoint',
      { details: { index: receipt.index } },
    );
  }
  const added = receiptAnchors(stamped);
  if (added.length === 0) return receipt;
  let anchors: readonly Anchor[] = added;
  if (receipt.anchors.length > 0) {
    const have = new Set(receipt.anchors.map((a) => a.token));
    anchors = Object.freeze([...receipt.anchors, ...added.filter((a) => !have.has(a.token))]);
  }
  return rebuiltFrom(receipt, anchors as Anchor[]);
}

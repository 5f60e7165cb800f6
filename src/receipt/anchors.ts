/**
 * A receipt's anchors from the timestamp tokens of its own checkpoint (the service side).
 *
 * The service stores, beside a checkpoint, the RFC 3161 tokens that stamp it (`{tsa, token, genTime}`).
 * A receipt issued at that checkpoint carries each as an anchor `{type: 'rfc3161', checkpoint, token,
 * consistency: []}`: the checkpoint is the receipt's own, so no consistency proof is needed. Only the
 * token travels: the TSA and its time are read from the token by the verifier, never taken on trust.
 */
import { CunzhengError } from '../errors.js';
import type { Anchor, AnchorRevocation, Receipt } from './receipt.js';
import { rebuiltFrom } from './built.js';

/** A signed checkpoint and the timestamp tokens over it (base64 DER), as the service stores them. */
export interface StampedCheckpoint {
  /** The signed checkpoint note, exactly as served. */
  checkpoint: string;
  /**
   * Tokens over the checkpoint's body, with their revocation evidence when the service has it (a receipt
   * carrying evidence is v2); any other members (tsa, genTime, revocationPending) are not part of a receipt.
   */
  anchors: readonly { token: string; revocation?: readonly AnchorRevocation[] }[];
}

export type ReceiptAnchorErrorCode = 'RECEIPT_ANCHOR_CHECKPOINT_MISMATCH';

/** The last anchors made for each stamped checkpoint: a group's receipts share one array (the reply writer encodes it once). */
const made = new WeakMap<StampedCheckpoint, { from: StampedCheckpoint['anchors']; count: number; anchors: readonly Anchor[] }>();

function copyRevocation(items: readonly AnchorRevocation[]): AnchorRevocation[] {
  return Object.freeze(items.map((e) => Object.freeze({ cert: e.cert, ...(e.ocsp === undefined ? {} : { ocsp: e.ocsp }), ...(e.crl === undefined ? {} : { crl: e.crl }) }))) as AnchorRevocation[];
}

/** The receipt anchors (frozen) of a checkpoint's tokens, for a receipt issued at that very checkpoint. */
export function receiptAnchors(stamped: StampedCheckpoint): Anchor[] {
  const memo = made.get(stamped);
  if (memo !== undefined && memo.from === stamped.anchors && memo.count === stamped.anchors.length) return memo.anchors as Anchor[];
  const anchors = Object.freeze(
    stamped.anchors.map((s) =>
      Object.freeze({
        type: 'rfc3161' as const,
        checkpoint: stamped.checkpoint,
        token: s.token,
        consistency: Object.freeze([]) as unknown as string[],
        ...(s.revocation === undefined || s.revocation.length === 0 ? {} : { revocation: copyRevocation(s.revocation) }),
      }),
    ),
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
    // A token the receipt carries without evidence gains the evidence the service has for it since.
    const evidence = new Map(added.filter((a) => a.revocation !== undefined).map((a) => [a.token, a.revocation!]));
    const kept = receipt.anchors.map((a) => (a.revocation === undefined && evidence.has(a.token) ? Object.freeze({ ...a, revocation: evidence.get(a.token)! }) : a));
    anchors = Object.freeze([...kept, ...added.filter((a) => !have.has(a.token))]);
  }
  return rebuiltFrom(receipt, anchors as Anchor[]);
}

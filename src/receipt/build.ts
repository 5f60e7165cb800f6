/**
 * Building receipts (the service side): the same structure the verifier parses, from raw values.
 */
import { toBase64 } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { depositIdFromLeafHash } from './deposit-id.js';
import { RECEIPT_FORMAT, receiptFormatFor, type Anchor, type Receipt } from './receipt.js';
import { isBuiltReceipt, markBuilt } from './built.js';

export { isBuiltReceipt };

export interface ReceiptInput {
  entryBytes: Uint8Array;
  leafIndex: number;
  inclusionProof: readonly Uint8Array[];
  /** The signed checkpoint note, as served. */
  checkpoint: string;
  origin: string;
  /** The log's verifier key string. */
  logKey: string;
  /** The receipt's anchors (receiptAnchors() makes those of the receipt's own checkpoint); none when absent. */
  anchors?: readonly Anchor[];
  /** The leaf hash when the caller already has it (saves one hash). */
  leafHash?: Uint8Array;
  /** Base64 for proof hashes: callers building many receipts pass one from `proofHashEncoder()`. */
  encodeHash?: (h: Uint8Array) => string;
}

/** Encoders made by proofHashEncoder: they return toBase64 of the hash, so their output is base64. */
const base64Encoders = new WeakSet<(h: Uint8Array) => string>();

/**
 * A memoizing base64 encoder for the proofs of one group of receipts: neighbouring leaves' proofs share
 * most nodes as the same Uint8Array objects, so each node is encoded once.
 */
export function proofHashEncoder(): (h: Uint8Array) => string {
  const byNode = new Map<Uint8Array, string>();
  const encode = (h: Uint8Array): string => {
    let t = byNode.get(h);
    if (t === undefined) {
      t = toBase64(h);
      byNode.set(h, t);
    }
    return t;
  };
  base64Encoders.add(encode);
  return encode;
}

const NO_ANCHORS: readonly Anchor[] = Object.freeze([]);

/** A receipt, frozen (with its proof and log) so that it stays what it was built as. */
export function buildReceipt(input: ReceiptInput): Receipt {
  const leafHash = input.leafHash ?? hashLeaf(input.entryBytes);
  const encode = input.encodeHash ?? toBase64;
  const anchors = (input.anchors ?? NO_ANCHORS) as Anchor[];
  const r: Receipt = Object.freeze({
    format: receiptFormatFor(anchors),
    id: depositIdFromLeafHash(leafHash),
    entry: toBase64(input.entryBytes),
    index: input.leafIndex,
    proof: Object.freeze(input.inclusionProof.map(encode)) as string[],
    checkpoint: input.checkpoint,
    anchors,
    log: Object.freeze({ origin: input.origin, key: input.logKey }),
  });
  // The reply writer's fast path starts every built receipt with the v1 format: a v2 one takes the plain path.
  if (r.format === RECEIPT_FORMAT && Number.isSafeInteger(r.index) && (encode === toBase64 || base64Encoders.has(encode))) markBuilt(r);
  return r;
}

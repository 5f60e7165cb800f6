/**
 * Building receipts (the service side): the same structure the verifier parses, from raw values.
 */
import { toBase64 } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { depositIdFromLeafHash } from './deposit-id.js';
import { RECEIPT_FORMAT, type Anchor, type Receipt } from './receipt.js';

export interface ReceiptInput {
  entryBytes: Uint8Array;
  leafIndex: number;
  inclusionProof: readonly Uint8Array[];
  /** The signed checkpoint note, as served. */
  checkpoint: string;
  origin: string;
  /** The log's verifier key string. */
  logKey: string;
  anchors?: Anchor[];
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

/** Receipts made by buildReceipt with this module's encoders: frozen, so what is known of them stays true. */
const built = new WeakSet<Receipt>();

/**
 * True when `r` is a receipt buildReceipt made (and froze): its `format` is RECEIPT_FORMAT, `id` is
 * lowercase hex, `entry` and every `proof` element are standard base64, and `index` is a safe integer.
 * None of those strings needs escaping in JSON, which lets a writer copy them as they are.
 */
export function isBuiltReceipt(r: unknown): boolean {
  return typeof r === 'object' && r !== null && built.has(r as Receipt);
}

/** A receipt, frozen (with its proof and log) so that it stays what it was built as. */
export function buildReceipt(input: ReceiptInput): Receipt {
  const leafHash = input.leafHash ?? hashLeaf(input.entryBytes);
  const encode = input.encodeHash ?? toBase64;
  const r: Receipt = Object.freeze({
    format: RECEIPT_FORMAT,
    id: depositIdFromLeafHash(leafHash),
    entry: toBase64(input.entryBytes),
    index: input.leafIndex,
    proof: Object.freeze(input.inclusionProof.map(encode)) as string[],
    checkpoint: input.checkpoint,
    anchors: input.anchors ?? [],
    log: Object.freeze({ origin: input.origin, key: input.logKey }),
  });
  if (Number.isSafeInteger(r.index) && (encode === toBase64 || base64Encoders.has(encode))) built.add(r);
  return r;
}

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
  /** Base64 for proof hashes (callers building many receipts pass a memoizing one). */
  encodeHash?: (h: Uint8Array) => string;
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const leafHash = input.leafHash ?? hashLeaf(input.entryBytes);
  return {
    format: RECEIPT_FORMAT,
    id: depositIdFromLeafHash(leafHash),
    entry: toBase64(input.entryBytes),
    index: input.leafIndex,
    proof: input.inclusionProof.map(input.encodeHash ?? toBase64),
    checkpoint: input.checkpoint,
    anchors: input.anchors ?? [],
    log: { origin: input.origin, key: input.logKey },
  };
}

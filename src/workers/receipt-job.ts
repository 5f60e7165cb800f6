/**
 * The receipt job: the receipts of a group's new entries, built and serialized off the main thread.
 *
 * The main thread packs what only it knows — entry bytes, leaf indices and hashes, the checkpoint, and the
 * inclusion proofs as a table of distinct nodes plus, per proof, the node numbers (a group's proofs share
 * most nodes) — into a few typed arrays whose buffers are transferred, not copied. The worker rebuilds each
 * proof from views of the node table (shared nodes stay shared objects, so each is base64-encoded once),
 * builds the receipts with buildReceipt and writes each reply's bytes: a single receipt as
 * `JSON.stringify(receipt)`, a batch as `{"receipts":[…],"created":[…]}` (receipt/), exactly the bytes the
 * main thread would have written. `runReceiptJob` is the same function on either thread: when the pool is
 * absent, closed or a worker fails, the main thread runs it itself.
 */
import { batchReplyJson, buildReceipt, proofHashEncoder, receiptReplyJson, type Receipt } from '../receipt/index.js';

/** One new entry's receipt inputs. */
export interface FreshReceipt {
  entry: Uint8Array;
  leafIndex: number;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
}

/** One reply: a single receipt, or a batch of all-new receipts (`created` all true). */
export interface ReplyRequest {
  shape: 'single' | 'batch';
  checkpoint: string;
  items: readonly FreshReceipt[];
}

export interface ReceiptJobPayload {
  origin: string;
  logKey: string;
  checkpoints: string[];
  entries: Uint8Array;
  entryEnds: Uint32Array;
  leafIndex: Float64Array;
  leafHashes: Uint8Array;
  nodes: Uint8Array;
  proofRefs: Uint32Array;
  proofEnds: Uint32Array;
  /** Per reply: its shape, its checkpoint (an index into `checkpoints`) and how many items (in order). */
  replies: { shape: 'single' | 'batch'; checkpoint: number; count: number }[];
}

export interface ReceiptJobResult {
  bytes: Uint8Array;
  /** Where each reply's bytes end in `bytes`. */
  ends: Uint32Array;
}

/** Packs replies for the worker (main thread). Returns the payload and the buffers to transfer. */
export function packReceiptJob(origin: string, logKey: string, replies: readonly ReplyRequest[]): { payload: ReceiptJobPayload; transfer: ArrayBuffer[] } {
  let n = 0;
  let entryBytes = 0;
  let refs = 0;
  for (const r of replies) {
    n += r.items.length;
    for (const it of r.items) {
      entryBytes += it.entry.length;
      refs += it.proof.length;
    }
  }
  const entries = new Uint8Array(entryBytes);
  const entryEnds = new Uint32Array(n);
  const leafIndex = new Float64Array(n);
  const leafHashes = new Uint8Array(32 * n);
  const proofRefs = new Uint32Array(refs);
  const proofEnds = new Uint32Array(n);
  const nodeNumber = new Map<Uint8Array, number>();
  const nodeList: Uint8Array[] = [];
  const checkpoints: string[] = [];
  const out: ReceiptJobPayload['replies'] = [];
  let i = 0;
  let at = 0;
  let ref = 0;
  for (const r of replies) {
    let c = checkpoints.indexOf(r.checkpoint);
    if (c < 0) c = checkpoints.push(r.checkpoint) - 1;
    out.push({ shape: r.shape, checkpoint: c, count: r.items.length });
    for (const it of r.items) {
      entries.set(it.entry, at);
      at += it.entry.length;
      entryEnds[i] = at;
      leafIndex[i] = it.leafIndex;
      leafHashes.set(it.leafHash, 32 * i);
      for (const node of it.proof) {
        let k = nodeNumber.get(node);
        if (k === undefined) {
          k = nodeList.length;
          nodeNumber.set(node, k);
          nodeList.push(node);
        }
        proofRefs[ref++] = k;
      }
      proofEnds[i] = ref;
      i++;
    }
  }
  const nodes = new Uint8Array(32 * nodeList.length);
  nodeList.forEach((h, k) => nodes.set(h, 32 * k));
  const payload: ReceiptJobPayload = { origin, logKey, checkpoints, entries, entryEnds, leafIndex, leafHashes, nodes, proofRefs, proofEnds, replies: out };
  return { payload, transfer: [entries.buffer, entryEnds.buffer, leafIndex.buffer, leafHashes.buffer, nodes.buffer, proofRefs.buffer, proofEnds.buffer] };
}

/** Builds and serializes every reply of a packed job (either thread). */
export function runReceiptJob(p: ReceiptJobPayload): ReceiptJobResult {
  const nodeCount = p.nodes.length / 32;
  const nodes: Uint8Array[] = new Array(nodeCount);
  for (let k = 0; k < nodeCount; k++) nodes[k] = p.nodes.subarray(32 * k, 32 * k + 32);
  const encodeHash = proofHashEncoder();
  const parts: Uint8Array[] = [];
  const ends = new Uint32Array(p.replies.length);
  let i = 0;
  let entryStart = 0;
  let total = 0;
  p.replies.forEach((reply, r) => {
    const checkpoint = p.checkpoints[reply.checkpoint]!;
    const receipts: Receipt[] = new Array(reply.count);
    for (let j = 0; j < reply.count; j++, i++) {
      const refStart = i === 0 ? 0 : p.proofEnds[i - 1]!;
      const proof: Uint8Array[] = new Array(p.proofEnds[i]! - refStart);
      for (let k = 0; k < proof.length; k++) proof[k] = nodes[p.proofRefs[refStart + k]!]!;
      receipts[j] = buildReceipt({
        entryBytes: p.entries.subarray(entryStart, p.entryEnds[i]!),
        leafIndex: p.leafIndex[i]!,
        inclusionProof: proof,
        checkpoint,
        origin: p.origin,
        logKey: p.logKey,
        leafHash: p.leafHashes.subarray(32 * i, 32 * i + 32),
        encodeHash,
      });
      entryStart = p.entryEnds[i]!;
    }
    const bytes = reply.shape === 'single' ? receiptReplyJson(receipts[0]!) : batchReplyJson(receipts, receipts.map(() => true));
    parts.push(bytes);
    total += bytes.length;
    ends[r] = total;
  });
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    bytes.set(b, at);
    at += b.length;
  }
  return { bytes, ends };
}

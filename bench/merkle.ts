/**
 * Merkle core benchmarks: compact-range appends, proof building from an in-memory node store, proof
 * verification, and merkletreejs doing the same work on the same leaves in the same run.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';
import {
  CompactRange,
  buildInclusionProof,
  hashLeaf,
  verifyConsistency,
  buildConsistencyProof,
  verifyInclusion,
  type NodeID,
  type NodeReader,
} from '../src/merkle/index.js';
import { measure, summarize, type BenchResult } from './harness.js';

const GROUP = 'merkle';

/** Every stored node of a tree, one flat buffer per level (32 bytes per node): little overhead at 1e6 leaves. */
class FlatNodeStore {
  readonly levels: Uint8Array[] = [];
  readonly range = CompactRange.empty();

  constructor(leafHashes: readonly Uint8Array[]) {
    const n = leafHashes.length;
    for (let level = 0, count = n; count > 0; level++, count = Math.floor(count / 2)) this.levels.push(new Uint8Array(count * 32));
    for (const h of leafHashes) this.range.append(h, (id, hash) => this.levels[id.level]!.set(hash, id.index * 32));
  }

  readonly read: NodeReader = (ids: readonly NodeID[]) => ids.map((id) => this.levels[id.level]!.subarray(id.index * 32, id.index * 32 + 32));
}

function leafHashes(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(new TextEncoder().encode(`entry-${i}`)));
}

const rfcNodeHash = (buf: Buffer): Buffer => createHash('sha256').update(Buffer.from([1])).update(buf).digest();

export async function benchMerkle(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const SMALL = 100_000;
  const BIG = 1_000_000;
  const leaves = leafHashes(BIG);
  const small = leaves.slice(0, SMALL);

  results.push(
    await measure(GROUP, `CompactRange.append, ${SMALL} leaf hashes`, () => {
      const r = CompactRange.empty();
      for (const h of small) r.append(h);
    }, SMALL, { unit: 'appends/s', runs: 5 }),
  );

  results.push(
    await measure(GROUP, `CompactRange.append + visit, ${SMALL} leaves`, () => {
      const r = CompactRange.empty();
      let visited = 0;
      for (const h of small) r.append(h, () => visited++);
    }, SMALL, { unit: 'appends/s', runs: 5, note: 'visitor called for every stored node' }),
  );

  const store = new FlatNodeStore(leaves);
  const root = store.range.root();
  const indexes = Array.from({ length: 1000 }, (_, i) => Math.floor((i * 7919 * 104729) % BIG));
  const proofs = await Promise.all(indexes.map((i) => buildInclusionProof(i, BIG, store.read)));

  let k = 0;
  results.push(
    await measure(GROUP, `buildInclusionProof, tree of ${BIG}`, async () => {
      await buildInclusionProof(indexes[k++ % indexes.length]!, BIG, store.read);
    }, 1, { unit: 'proofs/s', note: 'in-memory node store' }),
  );

  k = 0;
  results.push(
    await measure(GROUP, `verifyInclusion, tree of ${BIG}`, () => {
      const i = k++ % indexes.length;
      verifyInclusion(indexes[i]!, BIG, leaves[indexes[i]!]!, proofs[i]!, root);
    }, 1, { unit: 'verifications/s', note: `${proofs[0]!.length} hashes per proof` }),
  );

  const oldSize = 654_321;
  const oldRange = CompactRange.empty();
  for (let i = 0; i < oldSize; i++) oldRange.append(leaves[i]!);
  const oldRoot = oldRange.root();
  const cproof = await buildConsistencyProof(oldSize, BIG, store.read);
  results.push(
    await measure(GROUP, `verifyConsistency, ${oldSize} → ${BIG}`, () => {
      verifyConsistency(oldSize, BIG, cproof, oldRoot, root);
    }, 1, { unit: 'verifications/s', note: `${cproof.length} hashes per proof` }),
  );

  // merkletreejs on the same 1e5 leaf hashes, with the options that give RFC 6962 trees.
  const buffers = small.map((h) => Buffer.from(h));
  results.push(
    await measure(GROUP, `merkletreejs build, ${SMALL} leaves`, () => {
      new MerkleTree(buffers, rfcNodeHash);
    }, SMALL, { unit: 'leaves/s', runs: 3, note: 'whole tree in memory' }),
  );
  const tree = new MerkleTree(buffers, rfcNodeHash);
  k = 0;
  results.push(
    await measure(GROUP, `merkletreejs getProof, tree of ${SMALL}`, () => {
      const i = indexes[k++ % indexes.length]! % SMALL;
      tree.getProof(buffers[i]!, i);
    }, 1, { unit: 'proofs/s' }),
  );
  // Memory: what holding the tree costs. merkletreejs keeps every level as Buffers; the ledger keeps a compact
  // range (≤ 53 hashes) and reads nodes from storage. Measured as heap growth after a forced GC (node --expose-gc).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    const heap = (): number => {
      gc();
      gc(); // a second pass collects what the first one only finalized
      return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    };
    heap();
    const before = heap();
    const held = new MerkleTree(buffers, rfcNodeHash);
    const after = heap();
    results.push(summarize(GROUP, `merkletreejs memory, tree of ${SMALL}`, [(after - before) / SMALL], 'bytes/leaf', `${((after - before) / 2 ** 20).toFixed(1)} MiB for ${held.getLeafCount()} leaves`));
    const before2 = heap();
    const range = CompactRange.empty();
    for (const h of small) range.append(h);
    const after2 = heap();
    results.push(summarize(GROUP, `CompactRange memory, ${SMALL} leaves`, [Math.max(0, after2 - before2)], 'bytes', `${range.hashes().length} hashes kept; nodes live in storage`));
  }
  const smallStore = new FlatNodeStore(small);
  k = 0;
  results.push(
    await measure(GROUP, `buildInclusionProof, tree of ${SMALL}`, async () => {
      await buildInclusionProof(indexes[k++ % indexes.length]! % SMALL, SMALL, smallStore.read);
    }, 1, { unit: 'proofs/s', note: 'same tree as merkletreejs' }),
  );
  return results;
}

import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyNodes,
  inclusionNodes,
  inclusionSiblings,
  nodeCoverage,
  rehash,
  verifyConsistency,
  verifyInclusion,
  type ProofNodes,
} from '../../src/merkle/index.js';
import { codeOfAsync, expectCode } from './expect-code.js';
import { NodeStore, vectorLeafHashes } from './helpers.js';
import { ReferenceTree } from './reference.js';

const MAX = 300;
const leaves = vectorLeafHashes(MAX);
const ref = new ReferenceTree(leaves);
const store = new NodeStore(leaves);
const hex = (p: Uint8Array[]) => p.map(toHex);

/** 0, step, 2·step, … and always the last value `end − 1`. */
function spread(end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < end; i += step) out.push(i);
  if (end > 0 && out[out.length - 1] !== end - 1) out.push(end - 1);
  return out;
}

/**
 * The shape every ProofNodes must have: stored nodes of the tree, and a run that covers exactly the
 * ephemeral node's leaves the tree has, lowest (rightmost) first. Returns a problem, or '' when fine.
 */
function shapeProblem(nodes: ProofNodes, treeSize: number): string {
  for (const id of nodes.ids) if (nodeCoverage(id).end > treeSize) return `node ${id.level}/${id.index} beyond the tree`;
  if (nodes.begin > nodes.end) return 'begin > end';
  if (nodes.begin === nodes.end) return '';
  const eph = nodeCoverage(nodes.ephem);
  let at = Math.min(eph.end, treeSize);
  for (const id of nodes.ids.slice(nodes.begin, nodes.end)) {
    if (nodeCoverage(id).end !== at) return `run not contiguous at ${id.level}/${id.index}`;
    at = nodeCoverage(id).begin;
  }
  return at === eph.begin ? '' : 'run does not start at the ephemeral node';
}

function checkShape(nodes: ProofNodes, treeSize: number): void {
  expect(shapeProblem(nodes, treeSize)).toBe('');
}

describe('inclusion proofs', () => {
  it('equal the reference PATH for every leaf of every tree size 1..300, and verify', async () => {
    const failures: string[] = [];
    for (let n = 1; n <= MAX; n++) {
      const root = ref.mth(0, n);
      for (const m of spread(n, 1)) {
        const problem = shapeProblem(inclusionNodes(m, n), n);
        const proof = await buildInclusionProof(m, n, store.reader(n));
        if (problem !== '' || hex(proof).join() !== hex(ref.path(m, 0, n)).join()) failures.push(`${m} in ${n}: ${problem || 'differs'}`);
        verifyInclusion(m, n, leaves[m]!, proof, root);
      }
    }
    expect(failures).toEqual([]);
  });

  it('needs no node reads for the only leaf of a tree of size 1', async () => {
    expect(inclusionNodes(0, 1).ids).toEqual([]);
    expect(await buildInclusionProof(0, 1, () => expect.unreachable())).toEqual([]);
  });

  it('rejects an index outside the tree with INDEX_OUT_OF_RANGE, bad numbers with their codes', () => {
    expectCode(() => inclusionNodes(5, 5), 'INDEX_OUT_OF_RANGE');
    expectCode(() => inclusionNodes(0, 0), 'INDEX_OUT_OF_RANGE');
    expectCode(() => inclusionNodes(-1, 5), 'BAD_LEAF_INDEX');
    expectCode(() => inclusionNodes(0, 2 ** 53), 'BAD_TREE_SIZE');
  });

  it('works at the largest tree size, with the RFC path lengths (53 for the first leaf, 52 for the last)', () => {
    const n = Number.MAX_SAFE_INTEGER;
    const proofLength = (nodes: ProofNodes) => rehash(nodes, nodes.ids.map(() => leaves[0]!)).length;
    for (const [m, want] of [
      [0, 53],
      [n - 1, 52],
    ] as const) {
      const nodes = inclusionNodes(m, n);
      checkShape(nodes, n);
      expect(proofLength(nodes)).toBe(want);
    }
    checkShape(consistencyNodes(n - 2, n), n);
  });
});

describe('inclusionSiblings', () => {
  it('counts the path siblings at the start of every inclusion plan; leaves with one fork share the rest', () => {
    for (let size = 1; size <= 70; size++) {
      const tails = new Map<string, string>();
      for (let leaf = 0; leaf < size; leaf++) {
        const n = inclusionSiblings(leaf, size);
        // Independently: the highest bit in which the leaf index and the tree size differ.
        expect(n, `size ${size} leaf ${leaf}`).toBe(Math.floor(Math.log2(leaf ^ size)));
        const plan = inclusionNodes(leaf, size);
        expect(n).toBeLessThanOrEqual(plan.ids.length);
        for (let level = 0; level < n; level++) {
          expect(plan.ids[level], `size ${size} leaf ${leaf} level ${level}`).toEqual({ level, index: Math.floor(leaf / 2 ** level) ^ 1 });
        }
        // The part after the siblings (and how it is folded) depends only on the fork.
        const fork = `${n}/${Math.floor(leaf / 2 ** n)}`;
        const rest = JSON.stringify({ ids: plan.ids.slice(n), run: plan.end - plan.begin, ephem: plan.ephem });
        expect(tails.get(fork) ?? rest, `size ${size} leaf ${leaf}`).toBe(rest);
        tails.set(fork, rest);
      }
    }
    expect(inclusionSiblings(2 ** 40, 2 ** 40 + 1)).toBe(0);
    // In a perfect tree every proof hash is a sibling: 40 of them for 2^40 leaves.
    expect(inclusionSiblings(0, 2 ** 40)).toBe(40);
  });
});

describe('consistency proofs', () => {
  it('equal the reference PROOF for every pair of sizes up to 300, and verify', async () => {
    const failures: string[] = [];
    for (let n = 1; n <= MAX; n++) {
      const root2 = ref.mth(0, n);
      for (const m of spread(n + 1, 1)) {
        const problem = shapeProblem(consistencyNodes(m, n), n);
        const proof = await buildConsistencyProof(m, n, store.reader(n));
        if (problem !== '' || hex(proof).join() !== hex(ref.proof(m, n)).join()) failures.push(`${m} → ${n}: ${problem || 'differs'}`);
        verifyConsistency(m, n, proof, ref.mth(0, m), root2);
      }
    }
    expect(failures).toEqual([]);
  });

  it('is empty from the empty tree and between equal sizes', () => {
    expect(consistencyNodes(0, 9).ids).toEqual([]);
    expect(consistencyNodes(9, 9).ids).toEqual([]);
    expect(consistencyNodes(0, 0).ids).toEqual([]);
  });

  it('rejects size1 > size2 with CONSISTENCY_SIZE_ORDER', () => {
    expectCode(() => consistencyNodes(3, 2), 'CONSISTENCY_SIZE_ORDER');
    expectCode(() => consistencyNodes(1.5, 2), 'BAD_TREE_SIZE');
  });
});

describe('rehash and the builders', () => {
  it('rejects a reader that returns the wrong number of hashes with BAD_NODE_COUNT', async () => {
    expect(await codeOfAsync(() => buildInclusionProof(3, 10, () => []))).toBe('BAD_NODE_COUNT');
    expect(await codeOfAsync(() => buildConsistencyProof(3, 10, async () => [leaves[0]!]))).toBe('BAD_NODE_COUNT');
    expect(await codeOfAsync(() => buildInclusionProof(3, 10, () => 'x' as never))).toBe('BAD_NODE_COUNT');
  });

  it('rejects a reader that returns a hash of the wrong length with BAD_HASH_LENGTH', async () => {
    const bad = (ids: readonly unknown[]) => ids.map(() => new Uint8Array(31));
    expect(await codeOfAsync(() => buildInclusionProof(3, 10, bad))).toBe('BAD_HASH_LENGTH');
  });

  it('folds the ephemeral run with the given hash function', () => {
    const nodes = inclusionNodes(2, 7);
    expect(nodes.ids).toEqual([
      { level: 0, index: 3 },
      { level: 1, index: 0 },
      { level: 0, index: 6 },
      { level: 1, index: 2 },
    ]);
    expect([nodes.begin, nodes.end, nodes.ephem]).toEqual([2, 4, { level: 2, index: 1 }]);
    const hashes = nodes.ids.map((_, i) => new Uint8Array(32).fill(i));
    const calls: number[][] = [];
    const out = rehash(nodes, hashes, (l, r) => {
      calls.push([l[0]!, r[0]!]);
      return new Uint8Array(32).fill(9);
    });
    expect(calls).toEqual([[3, 2]]);
    expect(out.map((h) => h[0])).toEqual([0, 1, 9]);
  });
});

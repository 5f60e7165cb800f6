/**
 * planRunProofs against the naive RFC 6962 reference: for every tree size 0..300, every single-leaf run,
 * the run of the whole tree and random runs give exactly the reference's audit paths; every stored node
 * is asked for once and no node is asked for that no leaf's proof needs; each fork's ephemeral node is
 * folded once; a hash shared by several proofs is one object.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesEqual, toHex } from '../../src/crypto/index.js';
import {
  hashChildren, inclusionNodes, nodeCoverage, nodeKey, planRunProofs, type HashChildren, type NodeID,
} from '../../src/merkle/index.js';
import { expectCode } from './expect-code.js';
import { vectorLeafHashes } from './helpers.js';
import { ReferenceTree } from './reference.js';

const MAX = 300;
const ref = new ReferenceTree(vectorLeafHashes(MAX));

/** The reference's hash of a stored node of the tree of `treeSize` (the same object every time: MTH is memoized). */
function readRef(ids: readonly NodeID[], treeSize: number): Uint8Array[] {
  return ids.map((id) => {
    const { begin, end } = nodeCoverage(id);
    if (end > treeSize) throw new Error(`node ${nodeKey(id)} is not in the tree of size ${treeSize}`);
    return ref.mth(begin, end);
  });
}

// Each leaf's reference path and own proof nodes, computed once per (tree size, leaf): the single-leaf runs,
// the whole-tree runs and the random runs all ask for them again.
const paths = new Map<number, Uint8Array[]>();
const refPath = (leaf: number, treeSize: number): Uint8Array[] => {
  const k = treeSize * 1024 + leaf;
  let p = paths.get(k);
  if (p === undefined) paths.set(k, (p = ref.path(leaf, 0, treeSize)));
  return p;
};
const nodeSets = new Map<number, ReturnType<typeof inclusionNodes>>();
const ownNodes = (leaf: number, treeSize: number): ReturnType<typeof inclusionNodes> => {
  const k = treeSize * 1024 + leaf;
  let n = nodeSets.get(k);
  if (n === undefined) nodeSets.set(k, (n = inclusionNodes(leaf, treeSize)));
  return n;
};

/** Checks the run [first, first + count) of the tree of `treeSize`; returns a problem, or '' when all is well. */
function runProblem(first: number, count: number, treeSize: number): string {
  const plan = planRunProofs(first, count, treeSize);
  const keys = plan.ids.map(nodeKey);
  if (new Set(keys).size !== keys.length) return `a node is asked for twice: ${keys.join(' ')}`;
  // Exactly the nodes the leaves' own proofs are built from, and which forks fold an ephemeral node.
  const needed = new Set<string>();
  const folds = new Map<string, number>();
  for (let leaf = first; leaf < first + count; leaf++) {
    const nodes = ownNodes(leaf, treeSize);
    for (const id of nodes.ids) needed.add(nodeKey(id));
    if (nodes.end - nodes.begin > 1) folds.set(nodeKey(nodes.ephem), nodes.end - nodes.begin - 1);
  }
  const extra = keys.filter((k) => !needed.has(k));
  if (extra.length > 0 || needed.size !== keys.length) return `asks for ${keys.length} nodes, needs ${needed.size} (extra: ${extra.join(' ')})`;

  const read = readRef(plan.ids, treeSize);
  let calls = 0;
  const hc: HashChildren = (l, r) => {
    calls++;
    return hashChildren(l, r);
  };
  const proofs = plan.assemble(read, hc);
  const wantCalls = [...folds.values()].reduce((a, b) => a + b, 0);
  if (calls !== wantCalls) return `${calls} hashChildren calls for ephemeral folds, want ${wantCalls}`;
  if (proofs.length !== count) return `${proofs.length} proofs for ${count} leaves`;

  // The reference's MTH is memoized, so a stored node read through readRef is the very object in the
  // reference's path; an ephemeral node is a fold of ours, equal in bytes to the reference's MTH of its range.
  const readSet = new Set(read);
  const ours = new Map<Uint8Array, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const got = proofs[i]!;
    const want = refPath(first + i, treeSize);
    if (got.length !== want.length) return `leaf ${first + i}: ${got.length} proof hashes, the reference has ${want.length}`;
    for (let j = 0; j < want.length; j++) {
      const h = got[j]!;
      const w = want[j]!;
      if (h === w) continue;
      if (readSet.has(w)) return `leaf ${first + i}: proof hash ${j} is not the node read (a copy, or another node)`;
      if (!bytesEqual(h, w)) return `leaf ${first + i}: proof hash ${j} differs from the reference`;
      const earlier = ours.get(w);
      if (earlier === undefined) ours.set(w, h);
      else if (earlier !== h) return `leaf ${first + i}: ephemeral proof hash ${j} is another object than in an earlier proof`;
    }
  }
  return '';
}

describe('planRunProofs', () => {
  it('for every tree size 0..300: each single-leaf run and the whole tree equal the reference', () => {
    const problems: string[] = [];
    for (let size = 0; size <= MAX; size++) {
      for (let leaf = 0; leaf < size; leaf++) {
        const p = runProblem(leaf, 1, size);
        if (p) problems.push(`size ${size}, run [${leaf}, +1): ${p}`);
      }
      const p = runProblem(0, size, size);
      if (p) problems.push(`size ${size}, whole tree: ${p}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('random runs (first, count) of random sizes equal the reference', () => {
    const run = fc
      .integer({ min: 0, max: MAX })
      .chain((size) => fc.integer({ min: 0, max: size }).chain((first) => fc.tuple(fc.constant(size), fc.constant(first), fc.integer({ min: 0, max: size - first }))));
    fc.assert(
      fc.property(run, ([size, first, count]) => {
        expect(runProblem(first, count, size)).toBe('');
      }),
      { numRuns: 400 },
    );
  });

  it('an empty run needs no node and has no proofs', () => {
    for (const size of [0, 1, 7, 300]) {
      const plan = planRunProofs(size, 0, size);
      expect(plan.ids).toEqual([]);
      expect(plan.assemble([])).toEqual([]);
    }
  });

  it('shares the ephemeral node of a fork among its leaves, as one object', () => {
    // Size 7: leaves 0..3 fork at (2,0) and share e = H((1,2), (0,6)) as their last proof hash.
    const plan = planRunProofs(0, 4, 7);
    const proofs = plan.assemble(readRef(plan.ids, 7));
    const e = proofs[0]![2]!;
    expect(toHex(e)).toBe(toHex(ref.mth(4, 7)));
    for (const p of proofs) expect(p[2]).toBe(e);
  });

  it('refuses bad arguments and bad hashes with stable codes', () => {
    expectCode(() => planRunProofs(-1, 1, 5), 'BAD_LEAF_INDEX');
    expectCode(() => planRunProofs(0.5, 1, 5), 'BAD_LEAF_INDEX');
    expectCode(() => planRunProofs(0, -1, 5), 'BAD_LEAF_INDEX');
    expectCode(() => planRunProofs(0, 1, Number.NaN), 'BAD_TREE_SIZE');
    expectCode(() => planRunProofs(4, 2, 5), 'INDEX_OUT_OF_RANGE');
    expectCode(() => planRunProofs(6, 0, 5), 'INDEX_OUT_OF_RANGE');
    expectCode(() => planRunProofs(0, Number.MAX_SAFE_INTEGER, 5), 'INDEX_OUT_OF_RANGE');
    const plan = planRunProofs(1, 3, 9);
    const hashes = readRef(plan.ids, 9);
    expectCode(() => plan.assemble(hashes.slice(1)), 'BAD_NODE_COUNT');
    expectCode(() => plan.assemble([...hashes.slice(1), new Uint8Array(31)]), 'BAD_HASH_LENGTH');
  });
});

/**
 * Verification: negative cases derived from the shared vectors (each failing with its own code), the
 * edge cases of RFC 9162, and hostile arguments.
 */
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/index.js';
import { EMPTY_ROOT, rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { loadVectors, type ConsistencyVector, type InclusionVector } from '../vectors.js';
import { codeOf, expectCode } from './expect-code.js';
import { b64, vectorLeafHashes } from './helpers.js';
import { ReferenceTree, refRootFromPath, refRootsFromConsistency } from './reference.js';

const inclusion = loadVectors<{ vectors: InclusionVector[] }>('inclusion.json').vectors;
const consistency = loadVectors<{ vectors: ConsistencyVector[] }>('consistency.json').vectors;
const leaves = vectorLeafHashes(1101);
const ref = new ReferenceTree(leaves);

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const out = h.slice();
  out[Math.floor(bit / 8) % out.length]! ^= 1 << bit % 8;
  return out;
}

const isPow2 = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

const same = (a: Uint8Array, b: Uint8Array) => toBase64(a) === toBase64(b);

/**
 * The outcome RFC 6962's PATH recursion (the reference) gives for a proof offered for (index, size). Note
 * that it may be NO_ERROR for a pair other than the one the proof was made for: the proof for leaf 0 of a
 * tree of size 3 also fits size 4 with the same root. A (size, root) pair is only meaningful as signed
 * together in a checkpoint.
 */
function expectedInclusionCode(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): string {
  if (index >= size) return 'INDEX_OUT_OF_RANGE';
  const want = ref.path(index, 0, size).length;
  if (proof.length !== want) return proof.length < want ? 'PROOF_TOO_SHORT' : 'PROOF_TOO_LONG';
  return same(refRootFromPath(index, size, leaf, proof)!, root) ? 'NO_ERROR' : 'ROOT_MISMATCH';
}

describe('inclusion proofs derived from the vectors', () => {
  const cases = inclusion.filter((v) => v.treeSize > 1);

  it('fail with ROOT_MISMATCH when any bit of the proof, the leaf hash or the root is flipped', () => {
    for (const v of cases) {
      const proof = v.inclusionProof.map(b64);
      proof.forEach((_, i) => {
        const bad = proof.map((p, j) => (j === i ? flipBit(p, 3 + i) : p));
        expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, b64(v.leafHash), bad, b64(v.rootHash)))).toBe('ROOT_MISMATCH');
      });
      expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, flipBit(b64(v.leafHash), 255), proof, b64(v.rootHash)))).toBe('ROOT_MISMATCH');
      expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, b64(v.leafHash), proof, flipBit(b64(v.rootHash), 0)))).toBe('ROOT_MISMATCH');
    }
  });

  it('say what they got and wanted on ROOT_MISMATCH', () => {
    const v = cases[cases.length - 1]!;
    const wrongRoot = flipBit(b64(v.rootHash), 9);
    const err = expectCode(() => verifyInclusion(v.leafIndex, v.treeSize, b64(v.leafHash), v.inclusionProof.map(b64), wrongRoot), 'ROOT_MISMATCH');
    expect(err.details).toEqual({ got: v.rootHash, want: toBase64(wrongRoot) });
  });

  it('fail with PROOF_TOO_SHORT when truncated and PROOF_TOO_LONG when extended', () => {
    for (const v of cases) {
      const proof = v.inclusionProof.map(b64);
      const args = [v.leafIndex, v.treeSize, b64(v.leafHash)] as const;
      expect(codeOf(() => verifyInclusion(...args, proof.slice(0, -1), b64(v.rootHash)))).toBe('PROOF_TOO_SHORT');
      expect(codeOf(() => verifyInclusion(...args, [], b64(v.rootHash)))).toBe('PROOF_TOO_SHORT');
      expect(codeOf(() => verifyInclusion(...args, [...proof, proof[0]!], b64(v.rootHash)))).toBe('PROOF_TOO_LONG');
      expect(codeOf(() => verifyInclusion(...args, [...proof, EMPTY_ROOT], b64(v.rootHash)))).toBe('PROOF_TOO_LONG');
    }
  });

  it('fail with the code the reference gives when the index or the size is off by one', () => {
    const outcomes = new Map<string, number>();
    for (const v of cases) {
      const proof = v.inclusionProof.map(b64);
      for (const [index, size] of [
        [v.leafIndex + 1, v.treeSize],
        [v.leafIndex - 1, v.treeSize],
        [v.leafIndex, v.treeSize + 1],
        [v.leafIndex, v.treeSize - 1],
      ] as const) {
        if (index < 0) continue;
        const got = codeOf(() => verifyInclusion(index, size, b64(v.leafHash), proof, b64(v.rootHash)));
        expect(got, `${index} in ${size}`).toBe(expectedInclusionCode(index, size, b64(v.leafHash), proof, b64(v.rootHash)));
        if (index !== v.leafIndex) expect(got).not.toBe('NO_ERROR');
        outcomes.set(got, (outcomes.get(got) ?? 0) + 1);
      }
    }
    // Every kind of failure occurs. A proof often fits a neighbouring size too (same path shape, same
    // root): the verifier cannot know the size, which is why the checkpoint signs size and root together.
    for (const code of ['INDEX_OUT_OF_RANGE', 'PROOF_TOO_SHORT', 'PROOF_TOO_LONG', 'ROOT_MISMATCH', 'NO_ERROR']) {
      expect(outcomes.get(code), code).toBeGreaterThan(0);
    }
  });

  it('fail with BAD_HASH_LENGTH for a proof hash, leaf hash or root of the wrong length', () => {
    const v = cases[cases.length - 1]!;
    const proof = v.inclusionProof.map(b64);
    const [leaf, root] = [b64(v.leafHash), b64(v.rootHash)];
    expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, leaf, [proof[0]!.subarray(1), ...proof.slice(1)], root))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, leaf, [...proof.slice(0, -1), new Uint8Array(33)], root))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, leaf.subarray(0, 31), proof, root))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(v.leafIndex, v.treeSize, leaf, proof, new Uint8Array(64)))).toBe('BAD_HASH_LENGTH');
  });

  it('accept the only leaf of a tree of size 1 with an empty proof, its leaf hash being the root', () => {
    verifyInclusion(0, 1, leaves[0]!, [], leaves[0]!);
    expect(rootFromInclusionProof(0, 1, leaves[0]!, [])).toEqual(leaves[0]);
    expect(codeOf(() => verifyInclusion(0, 1, leaves[0]!, [leaves[1]!], leaves[0]!))).toBe('PROOF_TOO_LONG');
    expect(codeOf(() => verifyInclusion(0, 0, leaves[0]!, [], EMPTY_ROOT))).toBe('INDEX_OUT_OF_RANGE');
  });
});

/** The outcome SUBPROOF's recursion (the reference) gives for a consistency proof offered for (size1, size2). */
function expectedConsistencyCode(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): string {
  if (size1 > size2) return 'CONSISTENCY_SIZE_ORDER';
  if (size1 === 0 || size1 === size2) {
    if (proof.length > 0) return 'CONSISTENCY_NONEMPTY_PROOF';
    if (size1 === 0) return same(root1, EMPTY_ROOT) ? 'NO_ERROR' : 'OLD_ROOT_MISMATCH';
    return same(root1, root2) ? 'NO_ERROR' : 'NEW_ROOT_MISMATCH';
  }
  const want = ref.proof(size1, size2).length;
  if (proof.length !== want) return proof.length < want ? 'PROOF_TOO_SHORT' : 'PROOF_TOO_LONG';
  const [old, now] = refRootsFromConsistency(size1, size2, proof, root1)!;
  return !same(old, root1) ? 'OLD_ROOT_MISMATCH' : !same(now, root2) ? 'NEW_ROOT_MISMATCH' : 'NO_ERROR';
}

describe('consistency proofs derived from the vectors', () => {
  const cases = consistency.filter((v) => v.fromSize > 0 && v.fromSize < v.toSize);
  const run = (v: ConsistencyVector, over: Partial<{ s1: number; s2: number; proof: Uint8Array[]; r1: Uint8Array; r2: Uint8Array }>) =>
    codeOf(() =>
      verifyConsistency(
        over.s1 ?? v.fromSize,
        over.s2 ?? v.toSize,
        over.proof ?? v.consistencyProof.map(b64),
        over.r1 ?? b64(v.fromRoot),
        over.r2 ?? b64(v.toRoot),
      ),
    );

  it('are all non-trivial cases the file holds', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it('fail on a flipped bit in the old root (OLD_ROOT_MISMATCH, or NEW when the old root is the seed)', () => {
    for (const v of cases) {
      expect(run(v, { r1: flipBit(b64(v.fromRoot), 7) })).toBe(isPow2(v.fromSize) ? 'NEW_ROOT_MISMATCH' : 'OLD_ROOT_MISMATCH');
    }
  });

  it('fail with NEW_ROOT_MISMATCH on a flipped bit in the new root', () => {
    for (const v of cases) expect(run(v, { r2: flipBit(b64(v.toRoot), 100) })).toBe('NEW_ROOT_MISMATCH');
  });

  it('fail on any flipped proof bit, with the side (old or new) the reference blames', () => {
    for (const v of cases) {
      const proof = v.consistencyProof.map(b64);
      proof.forEach((_, i) => {
        const bad = proof.map((p, j) => (j === i ? flipBit(p, i) : p));
        const code = run(v, { proof: bad });
        expect(code).toBe(expectedConsistencyCode(v.fromSize, v.toSize, bad, b64(v.fromRoot), b64(v.toRoot)));
        expect(code).not.toBe('NO_ERROR');
        if (i === 0 && !isPow2(v.fromSize)) expect(code).toBe('OLD_ROOT_MISMATCH');
      });
    }
  });

  it('fail when the roots are swapped', () => {
    for (const v of cases) {
      expect(run(v, { r1: b64(v.toRoot), r2: b64(v.fromRoot) })).toBe(isPow2(v.fromSize) ? 'NEW_ROOT_MISMATCH' : 'OLD_ROOT_MISMATCH');
    }
  });

  it('fail with PROOF_TOO_SHORT when truncated or empty and PROOF_TOO_LONG when extended', () => {
    for (const v of cases) {
      const proof = v.consistencyProof.map(b64);
      expect(run(v, { proof: proof.slice(0, -1) })).toBe('PROOF_TOO_SHORT');
      expect(run(v, { proof: [] })).toBe('PROOF_TOO_SHORT');
      expect(run(v, { proof: [...proof, proof[0]!] })).toBe('PROOF_TOO_LONG');
    }
  });

  it('fail with the code the reference gives when a size is off by one', () => {
    const outcomes = new Map<string, number>();
    for (const v of cases) {
      for (const [s1, s2] of [
        [v.fromSize + 1, v.toSize],
        [v.fromSize - 1, v.toSize],
        [v.fromSize, v.toSize + 1],
        [v.fromSize, v.toSize - 1],
      ] as const) {
        const got = run(v, { s1, s2 });
        const proof = v.consistencyProof.map(b64);
        expect(got, `${s1} → ${s2}`).toBe(expectedConsistencyCode(s1, s2, proof, b64(v.fromRoot), b64(v.toRoot)));
        outcomes.set(got, (outcomes.get(got) ?? 0) + 1);
      }
    }
    // As with inclusion, a proof whose length fits a neighbouring size pair also fits its shape there.
    for (const code of ['PROOF_TOO_SHORT', 'PROOF_TOO_LONG', 'CONSISTENCY_NONEMPTY_PROOF', 'NO_ERROR']) {
      expect(outcomes.get(code), code).toBeGreaterThan(0);
    }
  });

  it('fail with BAD_HASH_LENGTH for a proof hash or root of the wrong length', () => {
    const v = cases[cases.length - 1]!;
    const proof = v.consistencyProof.map(b64);
    expect(run(v, { proof: [...proof.slice(0, -1), new Uint8Array(31)] })).toBe('BAD_HASH_LENGTH');
    expect(run(v, { r1: new Uint8Array(31) })).toBe('BAD_HASH_LENGTH');
    expect(run(v, { r2: new Uint8Array(33) })).toBe('BAD_HASH_LENGTH');
  });
});

describe('consistency edge cases (RFC 9162)', () => {
  const root = (n: number) => ref.mth(0, n);

  it('accepts equal sizes with an empty proof and equal roots', () => {
    verifyConsistency(5, 5, [], root(5), root(5));
    expectCode(() => verifyConsistency(5, 5, [], root(5), root(6)), 'NEW_ROOT_MISMATCH');
    expectCode(() => verifyConsistency(5, 5, [root(1)], root(5), root(5)), 'CONSISTENCY_NONEMPTY_PROOF');
  });

  it('accepts the empty tree as a prefix of any tree, with an empty proof and the empty root', () => {
    verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT);
    verifyConsistency(0, 1000, [], EMPTY_ROOT, root(1000));
    expectCode(() => verifyConsistency(0, 1000, [root(1)], EMPTY_ROOT, root(1000)), 'CONSISTENCY_NONEMPTY_PROOF');
    expectCode(() => verifyConsistency(0, 1000, [], root(1), root(1000)), 'OLD_ROOT_MISMATCH');
  });

  it('rejects size1 > size2 with CONSISTENCY_SIZE_ORDER', () => {
    expectCode(() => verifyConsistency(6, 5, [], root(6), root(5)), 'CONSISTENCY_SIZE_ORDER');
  });
});

/**
 * Proof verification per RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
 *
 * Threat model: every argument may come from an attacker (a receipt file, an HTTP response). Sizes and
 * indexes may be non-integers, negative, NaN or beyond 2^53; proofs may be non-arrays, too long, or hold
 * non-Uint8Array entries or hashes of the wrong length. Each case ends in a CunzhengError with its own code
 * (see README.md) before any hashing; nothing else is ever thrown. The proof's length is checked against
 * the length the sizes imply, so a proof is accepted only in its one canonical form.
 *
 * Computing and comparing are separate: rootFromInclusionProof returns the root the proof implies;
 * verifyInclusion compares it with the root the caller trusts.
 */
import { toBase64, bytesEqual } from '../crypto/index.js';
import { assertLeafIndex, assertTreeSize, half, isOdd, isPowerOfTwo } from './bits.js';
import { describeValue, merkleError } from './errors.js';
import { EMPTY_ROOT, assertHash, hashChildren } from './rfc6962.js';

/**
 * The sides of the inclusion proof's hashes, leaf to root: true when the proof hash is the left child.
 * This is RFC 9162 §2.1.3.2 steps 2–5 without the hashing; its length is the proof's required length.
 */
function inclusionSides(leafIndex: number, treeSize: number): boolean[] {
  const sides: boolean[] = [];
  let fn = leafIndex;
  let sn = treeSize - 1;
  while (sn > 0) {
    if (isOdd(fn) || fn === sn) {
      sides.push(true);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sides.push(false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sides;
}

function assertProof(proof: unknown, wantLength: number, what: string): asserts proof is Uint8Array[] {
  if (!Array.isArray(proof)) {
    throw merkleError('BAD_PROOF', `${what}: expected an array of hashes, got ${describeValue(proof)}`);
  }
  if (proof.length < wantLength) {
    throw merkleError('PROOF_TOO_SHORT', `${what}: expected ${wantLength} hashes, got ${proof.length}`, { want: wantLength, got: proof.length });
  }
  if (proof.length > wantLength) {
    throw merkleError('PROOF_TOO_LONG', `${what}: expected ${wantLength} hashes, got ${proof.length}`, { want: wantLength, got: proof.length });
  }
  for (let i = 0; i < proof.length; i++) assertHash(proof[i], `${what}[${i}]`);
}

/** The root hash that `inclusionProof` implies for leaf `leafIndex` with hash `leafHash` in a tree of `treeSize`. */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leafHash: Uint8Array, inclusionProof: readonly Uint8Array[]): Uint8Array {
  assertLeafIndex(leafIndex);
  assertTreeSize(treeSize);
  if (leafIndex >= treeSize) {
    throw merkleError('INDEX_OUT_OF_RANGE', `leafIndex ${leafIndex} is not in a tree of size ${treeSize}`, { leafIndex, treeSize });
  }
  assertHash(leafHash, 'leafHash');
  const sides = inclusionSides(leafIndex, treeSize);
  assertProof(inclusionProof, sides.length, 'inclusionProof');
  let r = leafHash;
  for (let i = 0; i < sides.length; i++) {
    const p = inclusionProof[i] as Uint8Array;
    r = sides[i] ? hashChildren(p, r) : hashChildren(r, p);
  }
  return r;
}

/** Throws unless `inclusionProof` proves leaf `leafIndex` with hash `leafHash` is in the tree with `rootHash`. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  inclusionProof: readonly Uint8Array[],
  rootHash: Uint8Array,
): void {
  assertHash(rootHash, 'rootHash');
  const got = rootFromInclusionProof(leafIndex, treeSize, leafHash, inclusionProof);
  if (!bytesEqual(got, rootHash)) {
    throw merkleError('ROOT_MISMATCH', `inclusion proof of leaf ${leafIndex} leads to a different root for tree size ${treeSize}`, {
      got: toBase64(got),
      want: toBase64(rootHash),
    });
  }
}

/**
 * Throws unless `consistencyProof` proves the tree of `size1` leaves with root `root1` is a prefix of the
 * tree of `size2` leaves with root `root2`.
 *
 * Edge cases (as RFC 9162 and transparency-dev/merkle): size1 === size2 needs an empty proof and equal
 * roots; size1 === 0 needs an empty proof and root1 must be EMPTY_ROOT, since the empty tree is a prefix
 * of every tree (root2 is then only checked for its length).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  consistencyProof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  assertTreeSize(size1, 'size1');
  assertTreeSize(size2, 'size2');
  if (size1 > size2) {
    throw merkleError('CONSISTENCY_SIZE_ORDER', `size1 ${size1} is larger than size2 ${size2}`, { size1, size2 });
  }
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  if (!Array.isArray(consistencyProof)) {
    throw merkleError('BAD_PROOF', `consistencyProof: expected an array of hashes, got ${describeValue(consistencyProof)}`);
  }
  if (size1 === 0 || size1 === size2) {
    if (consistencyProof.length !== 0) {
      throw merkleError('CONSISTENCY_NONEMPTY_PROOF', `the proof from size ${size1} to ${size2} must be empty, got ${consistencyProof.length} hashes`, {
        want: 0,
        got: consistencyProof.length,
      });
    }
    if (size1 === 0 && !bytesEqual(root1, EMPTY_ROOT)) mismatch('OLD_ROOT_MISMATCH', 0, EMPTY_ROOT, root1);
    if (size1 === size2 && !bytesEqual(root1, root2)) mismatch('NEW_ROOT_MISMATCH', size2, root1, root2);
    return;
  }

  // RFC 9162 §2.1.4.2. Without the hashing first, to learn the required length and each step's kind.
  const seedIsOldRoot = isPowerOfTwo(size1);
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const startFn = fn;
  const startSn = sn;
  let steps = 0;
  for (; sn > 0; steps++) {
    if (isOdd(fn) || fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  assertProof(consistencyProof, steps + (seedIsOldRoot ? 0 : 1), 'consistencyProof');

  const path = seedIsOldRoot ? [root1, ...consistencyProof] : consistencyProof;
  let fr = path[0] as Uint8Array;
  let sr = fr;
  fn = startFn;
  sn = startSn;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (!bytesEqual(fr, root1)) mismatch('OLD_ROOT_MISMATCH', size1, fr, root1);
  if (!bytesEqual(sr, root2)) mismatch('NEW_ROOT_MISMATCH', size2, sr, root2);
}

function mismatch(code: 'OLD_ROOT_MISMATCH' | 'NEW_ROOT_MISMATCH', size: number, got: Uint8Array, want: Uint8Array): never {
  const which = code === 'OLD_ROOT_MISMATCH' ? 'old' : 'new';
  throw merkleError(code, `consistency proof leads to a different ${which} root for tree size ${size}`, {
    size,
    got: toBase64(got),
    want: toBase64(want),
  });
}

/**
 * Hostile input: whatever a receipt file or an HTTP request puts in front of the verifiers and the tile
 * path parser must end in a CunzhengError with a code, never another exception.
 */
import { fuzzRuns } from '../support/fuzz.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencyNodes,
  inclusionNodes,
  parseTilePath,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/index.js';
import { codeOf } from './expect-code.js';
import { vectorLeafHashes } from './helpers.js';
import { ReferenceTree } from './reference.js';

const leaves = vectorLeafHashes(8);
const ref = new ReferenceTree(leaves);
const h = leaves[0]!;

const badNumbers: unknown[] = [NaN, -1, 1.5, 2 ** 53, 2 ** 64, Infinity, -Infinity, -0.5, '3', 3n, null, undefined, {}, [], true];
const badHashes: unknown[] = [null, undefined, 'aa', 42, [], Array(32).fill(0), new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new ArrayBuffer(32), new Uint16Array(16), { length: 32 }];
const badProofs: unknown[] = [null, undefined, 'proof', 42, {}, new Uint8Array(32), [null], ['aa'], [new Uint8Array(31)], [h, undefined], [h, 'x']];

describe('verifyInclusion under hostile arguments', () => {
  const proof = ref.path(2, 0, 8);
  const root = ref.mth();

  it('rejects bad indexes with BAD_LEAF_INDEX and bad sizes with BAD_TREE_SIZE', () => {
    for (const bad of badNumbers) {
      expect(codeOf(() => verifyInclusion(bad as number, 8, h, proof, root)), String(bad)).toBe('BAD_LEAF_INDEX');
      expect(codeOf(() => verifyInclusion(2, bad as number, h, proof, root)), String(bad)).toBe('BAD_TREE_SIZE');
    }
  });

  it('rejects leaf hashes and roots that are not 32-byte Uint8Arrays with BAD_HASH_LENGTH', () => {
    for (const bad of badHashes) {
      expect(codeOf(() => verifyInclusion(2, 8, bad as Uint8Array, proof, root))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyInclusion(2, 8, h, proof, bad as Uint8Array))).toBe('BAD_HASH_LENGTH');
    }
  });

  it('rejects a proof that is not an array of 32-byte hashes with BAD_PROOF, a wrong length or BAD_HASH_LENGTH', () => {
    const three = (x: unknown) => [x, proof[1], proof[2]];
    for (const bad of badProofs) {
      expect(['BAD_PROOF', 'PROOF_TOO_SHORT', 'PROOF_TOO_LONG']).toContain(codeOf(() => verifyInclusion(2, 8, h, bad as Uint8Array[], root)));
    }
    for (const bad of badHashes) expect(codeOf(() => verifyInclusion(2, 8, h, three(bad) as Uint8Array[], root))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(2, 8, h, new Array(3) as Uint8Array[], root))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(2, 8, h, 'abc' as never, root))).toBe('BAD_PROOF');
  });

  it('rejects a huge proof by its length without hashing it', () => {
    const huge = new Array(1e6).fill(h);
    expect(codeOf(() => rootFromInclusionProof(2, 8, h, huge))).toBe('PROOF_TOO_LONG');
  });

  it('never throws anything but a coded error, whatever the arguments', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        for (const args of [
          [a, b, c, d, e],
          [a, 8, h, proof, root],
          [2, 8, h, d, root],
          [2, b, c, proof, root],
        ]) {
          const code = codeOf(() => (verifyInclusion as (...x: unknown[]) => void)(...args));
          expect(code).not.toMatch(/^NOT_CODED/);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});

describe('verifyConsistency under hostile arguments', () => {
  const proof = ref.proof(3, 8);
  const [r1, r2] = [ref.mth(0, 3), ref.mth(0, 8)];

  it('rejects bad sizes with BAD_TREE_SIZE', () => {
    for (const bad of badNumbers) {
      expect(codeOf(() => verifyConsistency(bad as number, 8, proof, r1, r2))).toBe('BAD_TREE_SIZE');
      expect(codeOf(() => verifyConsistency(3, bad as number, proof, r1, r2))).toBe('BAD_TREE_SIZE');
    }
  });

  it('rejects bad roots with BAD_HASH_LENGTH and bad proofs with BAD_PROOF or BAD_HASH_LENGTH', () => {
    for (const bad of badHashes) {
      expect(codeOf(() => verifyConsistency(3, 8, proof, bad as Uint8Array, r2))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyConsistency(3, 8, proof, r1, bad as Uint8Array))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyConsistency(3, 8, proof.map((p, i) => (i === 1 ? bad : p)) as Uint8Array[], r1, r2))).toBe('BAD_HASH_LENGTH');
    }
    for (const bad of badProofs) {
      expect(['BAD_PROOF', 'PROOF_TOO_SHORT', 'PROOF_TOO_LONG']).toContain(codeOf(() => verifyConsistency(3, 8, bad as Uint8Array[], r1, r2)));
      expect(['BAD_PROOF', 'CONSISTENCY_NONEMPTY_PROOF']).toContain(codeOf(() => verifyConsistency(8, 8, bad as Uint8Array[], r2, r2)));
    }
  });

  it('never throws anything but a coded error, whatever the arguments', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        for (const args of [
          [a, b, c, d, e],
          [a, b, proof, r1, r2],
          [3, 8, c, r1, r2],
          [3, 8, proof, d, e],
        ]) {
          expect(codeOf(() => (verifyConsistency as (...x: unknown[]) => void)(...args))).not.toMatch(/^NOT_CODED/);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});

describe('the other entry points under hostile arguments', () => {
  it('answer bad numbers with coded errors', () => {
    for (const bad of badNumbers) {
      expect(codeOf(() => inclusionNodes(bad as number, 5))).toBe('BAD_LEAF_INDEX');
      expect(codeOf(() => consistencyNodes(1, bad as number))).toBe('BAD_TREE_SIZE');
      expect(codeOf(() => CompactRange.fromHashes(bad as number, []))).toBe('BAD_TREE_SIZE');
    }
    for (const bad of badHashes) expect(codeOf(() => CompactRange.empty().append(bad as Uint8Array))).toBe('BAD_HASH_LENGTH');
  });

  it('answer any tile path that is not exactly canonical with BAD_TILE_PATH', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const code = codeOf(() => parseTilePath(x));
        expect(code).toBe('BAD_TILE_PATH');
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});

/**
 * merkletreejs as an independent oracle. Its bottom-up tree, which promotes a lonely last node to the
 * level above unhashed, has the same shape as RFC 6962's largest-power-of-two split, so with
 *   - leaves passed already hashed as SHA-256(0x00 ‖ data) (hashLeaves off, the default),
 *   - the hash function wrapped as buf ↦ SHA-256(0x01 ‖ buf) (it hashes the concatenation left ‖ right),
 *   - default options: no sortPairs/sort/sortLeaves, no duplicateOdd, no isBitcoinTree, no complete,
 * its root and getProof(leaf, index) are the RFC 6962 root and audit path for every size ≥ 1.
 * Where it differs: the empty tree (its root is an empty buffer, RFC 6962's is SHA-256("")), and
 * getProof without an index picks the last equal leaf, so the index must always be given.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import { CompactRange, EMPTY_ROOT, buildInclusionProof, verifyInclusion } from '../../src/merkle/index.js';
import { NodeStore } from './helpers.js';

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const rfcNodeHash = (buf: Buffer): Buffer => sha(Buffer.from([1]), buf);
const leafHash = (data: Uint8Array): Buffer => sha(Buffer.from([0]), data);
const oracle = (leaves: Buffer[], options = {}) => new MerkleTree(leaves, rfcNodeHash, options);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

function leavesOf(n: number, seed = 'entry'): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${seed}-${i}`)));
}

/** Compares root and the audit paths of `indexes` between merkletreejs and this package; returns problems. */
async function compare(leaves: Buffer[], indexes: number[]): Promise<string[]> {
  const problems: string[] = [];
  const tree = oracle(leaves);
  const store = new NodeStore(leaves.map((l) => new Uint8Array(l)));
  const root = store.range.root();
  if (hexOf(tree.getRoot()) !== toHex(root)) problems.push(`root of ${leaves.length}`);
  for (const i of indexes) {
    const theirs = tree.getProof(leaves[i]!, i).map((p) => hexOf(p.data));
    const ours = await buildInclusionProof(i, leaves.length, store.reader(leaves.length));
    if (theirs.join() !== ours.map(toHex).join()) problems.push(`path of ${i} in ${leaves.length}`);
    verifyInclusion(i, leaves.length, leaves[i]!, tree.getProof(leaves[i]!, i).map((p) => new Uint8Array(p.data)), root);
  }
  return problems;
}

describe('merkletreejs as an oracle', () => {
  it('gives the same root for every size 1..300', () => {
    const leaves = leavesOf(300);
    const range = CompactRange.empty();
    const problems: number[] = [];
    for (let n = 1; n <= 300; n++) {
      range.append(leaves[n - 1]!);
      if (hexOf(oracle(leaves.slice(0, n)).getRoot()) !== toHex(range.root())) problems.push(n);
    }
    expect(problems).toEqual([]);
  });

  it('gives the same audit path for every leaf of every size 1..64', async () => {
    const problems: string[] = [];
    for (let n = 1; n <= 64; n++) problems.push(...(await compare(leavesOf(n), [...Array(n).keys()])));
    expect(problems).toEqual([]);
  });

  it('agrees on random trees of up to 500 leaves, including repeated leaves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 500 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.boolean(), async (n, picks, repeat) => {
        const distinct = Array.from({ length: n }, () => randomBytes(32));
        const leaves = repeat ? distinct.map((l, i) => distinct[i % 3] ?? l) : distinct;
        const indexes = [0, n - 1, ...picks.map((p) => p % n)];
        expect(await compare(leaves, indexes)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  describe('where it departs from RFC 6962', () => {
    it('gives an empty root for the empty tree, not SHA-256("")', () => {
      expect(oracle([]).getRoot().length).toBe(0);
      expect(toHex(CompactRange.empty().root())).toBe(toHex(EMPTY_ROOT));
    });

    it('needs the leaf index in getProof when leaves repeat', () => {
      const leaves = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b')), leafHash(Buffer.from('a'))];
      const tree = oracle(leaves);
      expect(tree.getProof(leaves[0]!).map((p) => hexOf(p.data))).toEqual(tree.getProof(leaves[0]!, 2).map((p) => hexOf(p.data)));
      expect(tree.getProof(leaves[0]!, 0).map((p) => hexOf(p.data))).not.toEqual(tree.getProof(leaves[0]!, 2).map((p) => hexOf(p.data)));
    });

    it.each([[{ sortPairs: true }], [{ duplicateOdd: true }], [{ complete: true }], [{ isBitcoinTree: true }], [{ hashLeaves: true }]])(
      'does not give RFC 6962 roots with %o',
      (options) => {
        const leaves = leavesOf(5);
        const range = CompactRange.empty();
        leaves.forEach((l) => range.append(l));
        expect(hexOf(oracle(leaves, options).getRoot())).not.toBe(toHex(range.root()));
      },
    );
  });
});

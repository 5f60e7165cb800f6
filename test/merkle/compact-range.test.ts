import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import { CompactRange, EMPTY_ROOT, nodeCoverage, rangeNodes, type NodeID } from '../../src/merkle/index.js';
import { expectCode } from './expect-code.js';
import { vectorLeafHashes } from './helpers.js';
import { ReferenceTree } from './reference.js';

const MAX = 300;
const leaves = vectorLeafHashes(MAX);
const ref = new ReferenceTree(leaves);

describe('CompactRange', () => {
  it('has the reference root (MTH) at every tree size 0..300', () => {
    const range = CompactRange.empty();
    for (let n = 0; n <= MAX; n++) {
      expect(range.size).toBe(n);
      expect(toHex(range.root()), `size ${n}`).toBe(toHex(ref.mth(0, n)));
      if (n < MAX) range.append(leaves[n]!);
    }
  });

  it('roots the empty tree at SHA-256("")', () => {
    expect(toHex(CompactRange.empty().root())).toBe(toHex(EMPTY_ROOT));
    expect(CompactRange.empty().hashes()).toEqual([]);
  });

  it('visits the leaf and each completed perfect subtree, lowest first, each with its reference hash', () => {
    const range = CompactRange.empty();
    const seen: NodeID[] = [];
    for (let i = 0; i < MAX; i++) {
      const visited: NodeID[] = [];
      range.append(leaves[i]!, (id, hash) => {
        const c = nodeCoverage(id);
        expect(c.end).toBe(i + 1);
        expect(toHex(hash)).toBe(toHex(ref.mth(c.begin, c.end)));
        visited.push(id);
      });
      expect(visited[0]).toEqual({ level: 0, index: i });
      expect(visited.map((v) => v.level)).toEqual(visited.map((_, k) => k));
      seen.push(...visited);
    }
    // Every perfect subtree of the tree of size 300 was visited exactly once.
    let expected = 0;
    for (let level = 0; 2 ** level <= MAX; level++) expected += Math.floor(MAX / 2 ** level);
    expect(new Set(seen.map((id) => `${id.level}/${id.index}`)).size).toBe(expected);
    expect(seen.length).toBe(expected);
  });

  it('holds the hashes of rangeNodes(0, size), largest first, and round-trips through fromHashes', () => {
    const range = CompactRange.empty();
    for (let i = 0; i < 77; i++) range.append(leaves[i]!);
    const hashes = range.hashes();
    expect(hashes.map(toHex)).toEqual(rangeNodes(0, 77).map((id) => toHex(ref.mth(nodeCoverage(id).begin, nodeCoverage(id).end))));
    const copy = CompactRange.fromHashes(77, hashes);
    expect(toHex(copy.root())).toBe(toHex(range.root()));
    copy.append(leaves[77]!);
    range.append(leaves[77]!);
    expect(toHex(copy.root())).toBe(toHex(ref.mth(0, 78)));
  });

  it('keeps its own copies: mutating inputs or outputs changes nothing', () => {
    const range = CompactRange.empty();
    const leaf = leaves[0]!.slice();
    range.append(leaf);
    leaf.fill(0);
    range.hashes()[0]!.fill(0);
    range.root().fill(0);
    expect(toHex(range.root())).toBe(toHex(ref.mth(0, 1)));
    const clone = range.clone();
    clone.append(leaves[1]!);
    expect(range.size).toBe(1);
  });

  describe('when rebuilt from bad hashes', () => {
    it('rejects a hash count other than popcount(size) with BAD_COMPACT_RANGE', () => {
      expectCode(() => CompactRange.fromHashes(7, [leaves[0]!, leaves[1]!]), 'BAD_COMPACT_RANGE');
      expectCode(() => CompactRange.fromHashes(0, [leaves[0]!]), 'BAD_COMPACT_RANGE');
      expectCode(() => CompactRange.fromHashes(4, 'nope' as never), 'BAD_COMPACT_RANGE');
    });
    it('rejects a bad size with BAD_TREE_SIZE and bad hashes with BAD_HASH_LENGTH', () => {
      expectCode(() => CompactRange.fromHashes(-1, []), 'BAD_TREE_SIZE');
      expectCode(() => CompactRange.fromHashes(2 ** 53, [leaves[0]!]), 'BAD_TREE_SIZE');
      expectCode(() => CompactRange.fromHashes(1, [new Uint8Array(31)]), 'BAD_HASH_LENGTH');
      expectCode(() => CompactRange.fromHashes(1, ['x' as never]), 'BAD_HASH_LENGTH');
    });
  });

  it('rejects a leaf hash that is not 32 bytes with BAD_HASH_LENGTH', () => {
    expectCode(() => CompactRange.empty().append(new Uint8Array(33)), 'BAD_HASH_LENGTH');
  });

  it('refuses to grow beyond 2^53 − 1 leaves with TREE_TOO_LARGE', () => {
    const full = CompactRange.fromHashes(Number.MAX_SAFE_INTEGER, Array.from({ length: 53 }, () => leaves[0]!));
    expectCode(() => full.append(leaves[1]!), 'TREE_TOO_LARGE');
    const almost = CompactRange.fromHashes(Number.MAX_SAFE_INTEGER - 1, Array.from({ length: 52 }, () => leaves[0]!));
    const ids: NodeID[] = [];
    almost.append(leaves[1]!, (id) => ids.push(id));
    expect(ids).toEqual([{ level: 0, index: Number.MAX_SAFE_INTEGER - 1 }]);
    expect(almost.hashes()).toHaveLength(53);
  });
});

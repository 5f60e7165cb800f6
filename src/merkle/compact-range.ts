/**
 * The compact range [0, size): the roots of the perfect subtrees that cover all leaves, one per one bit
 * of `size`, largest (leftmost) first. It is all a log needs in memory to append leaves and compute the
 * root; every other node is written to storage as `append` creates it.
 *
 *   size 6 = 0b110:          ┌── (2,0) ──┐   ┌(1,2)┐
 *                           (0,0) … (0,3)   (0,4) (0,5)      hashes() = [hash(2,0), hash(1,2)]
 *
 *   append leaf 6 → (0,6) joins as a new entry:                hashes() = [h(2,0), h(1,2), h(0,6)]
 *   append leaf 7 → (0,7) merges with (0,6) into (1,3), which merges with (1,2) into (2,1),
 *                   which merges with (2,0) into (3,0):        hashes() = [h(3,0)]
 */
import { MAX_TREE_SIZE, assertTreeSize, isOdd, popcount } from './bits.js';
import { describeValue, merkleError } from './errors.js';
import type { NodeID } from './node-id.js';
import { EMPTY_ROOT, assertHash, hashChildren } from './rfc6962.js';

/** Called for each stored node an append creates: the leaf itself, then each completed subtree. */
export type NodeVisitor = (id: NodeID, hash: Uint8Array) => void;

export class CompactRange {
  #size: number;
  readonly #hashes: Uint8Array[];

  private constructor(size: number, hashes: Uint8Array[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** The range of the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * Rebuilds the range of a tree of `size` leaves from its perfect-subtree roots, largest first (as
   * `hashes()` returns them, and as `rangeNodes(0, size)` names them). Throws BAD_TREE_SIZE,
   * BAD_COMPACT_RANGE (count ≠ popcount(size)) or BAD_HASH_LENGTH.
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    assertTreeSize(size, 'size');
    if (!Array.isArray(hashes)) {
      throw merkleError('BAD_COMPACT_RANGE', `expected an array of hashes, got ${describeValue(hashes)}`);
    }
    const want = popcount(size);
    if (hashes.length !== want) {
      throw merkleError('BAD_COMPACT_RANGE', `a tree of size ${size} has ${want} perfect subtrees, got ${hashes.length} hashes`, {
        want,
        got: hashes.length,
      });
    }
    hashes.forEach((h, i) => assertHash(h, `hashes[${i}]`));
    return new CompactRange(size, hashes.map((h) => h.slice()));
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of the perfect-subtree roots, largest (leftmost) first. */
  hashes(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }

  /**
   * Appends the leaf with hash `leafHash` (already hashLeaf'd) at index `size`. `visit` sees the leaf
   * node and every perfect subtree this append completes, lowest first, so storage can persist them.
   */
  append(leafHash: Uint8Array, visit?: NodeVisitor): void {
    assertHash(leafHash, 'leafHash');
    if (this.#size >= MAX_TREE_SIZE) {
      throw merkleError('TREE_TOO_LARGE', `a tree cannot grow beyond ${MAX_TREE_SIZE} leaves`);
    }
    let hash: Uint8Array = leafHash.slice();
    let index = this.#size;
    let level = 0;
    if (visit) visit({ level, index }, hash);
    // Each trailing one bit of the old size is a subtree of the same height now completed by this leaf.
    for (let s = this.#size; isOdd(s); s = (s - 1) / 2) {
      hash = hashChildren(this.#hashes.pop() as Uint8Array, hash);
      index = (index - 1) / 2;
      level++;
      if (visit) visit({ level, index }, hash);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /** The RFC 6962 root hash of the tree (EMPTY_ROOT for size 0). */
  root(): Uint8Array {
    const n = this.#hashes.length;
    if (n === 0) return EMPTY_ROOT.slice();
    let r = this.#hashes[n - 1] as Uint8Array;
    for (let i = n - 2; i >= 0; i--) r = hashChildren(this.#hashes[i] as Uint8Array, r);
    return r === this.#hashes[n - 1] ? r.slice() : r;
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes.slice());
  }
}

/**
 * The inclusion proofs of a run of consecutive leaves, planned together without touching storage.
 *
 * Neighbouring leaves share most of their proof nodes: 1,000 consecutive leaves need about 2,000 distinct
 * nodes for 20,000 proof hashes. Leaf i's proof is its `inner` path siblings (inclusionSiblings), then a
 * tail that depends only on its fork — the node where its path leaves the tree's right border: the
 * ephemeral fold of the nodes right of the fork, then the perfect subtrees left of it.
 *
 *   const plan = planRunProofs(first, count, treeSize);
 *   const proofs = plan.assemble(await read(plan.ids));   // proofs[i] is leaf first + i's proof
 *
 * `ids` names each stored node once. Leaves sharing an ancestor on a level are consecutive, and so are
 * leaves sharing a fork, so a sibling is looked up only when the ancestor changes and a tail is planned
 * once per fork; nodes met by several leaves (a sibling of one that is in another's tail) are found by
 * nodeKey. `assemble` folds each fork's ephemeral node once; a hash shared by several proofs is the same
 * Uint8Array object in each.
 */
import { assertLeafIndex, assertTreeSize } from './bits.js';
import { merkleError } from './errors.js';
import { nodeKey, type NodeID } from './node-id.js';
import { inclusionNodes, inclusionSiblings } from './proof.js';
import { assertHash, hashChildren, type HashChildren } from './rfc6962.js';

export interface RunProofPlan {
  /** The distinct stored nodes the proofs are built from, each once. */
  readonly ids: readonly NodeID[];
  /**
   * The proofs of the run's leaves, in leaf order, from the hashes of `ids` (same order). Throws
   * BAD_NODE_COUNT when the number of hashes differs from the number of ids, BAD_HASH_LENGTH when one is
   * not a 32-byte Uint8Array.
   */
  assemble(hashes: readonly Uint8Array[], hc?: HashChildren): Uint8Array[][];
}

/** One fork's tail: slots of its nodes in proof order; the first `run` are folded into one ephemeral hash. */
interface Tail {
  slots: number[];
  run: number;
}

/**
 * Plans the inclusion proofs of the leaves [first, first + count) in the tree of `treeSize` leaves.
 * BAD_LEAF_INDEX / BAD_TREE_SIZE for a `first`, `count` or `treeSize` that is not a safe non-negative
 * integer; INDEX_OUT_OF_RANGE when the run does not end within the tree.
 */
export function planRunProofs(first: number, count: number, treeSize: number): RunProofPlan {
  assertLeafIndex(first, 'first');
  assertLeafIndex(count, 'count');
  assertTreeSize(treeSize);
  if (count > treeSize || first > treeSize - count) {
    throw merkleError('INDEX_OUT_OF_RANGE', `leaves [${first}, ${first} + ${count}) are not all in a tree of size ${treeSize}`, { first, count, treeSize });
  }
  const ids: NodeID[] = [];
  const slotOf = new Map<string, number>();
  const slot = (id: NodeID): number => {
    const k = nodeKey(id);
    let s = slotOf.get(k);
    if (s === undefined) {
      s = ids.length;
      slotOf.set(k, s);
      ids.push(id);
    }
    return s;
  };

  const inners = new Uint8Array(count);
  const siblings: number[] = []; // every leaf's sibling slots, leaf after leaf
  const tailOf = new Uint32Array(count);
  const tails: Tail[] = [];
  // Per level, the ancestor the previous leaf had there and its sibling's slot.
  const lastAncestor: number[] = [];
  const lastSibling: number[] = [];
  let forkLevel = -1;
  let forkIndex = -1;
  for (let i = 0; i < count; i++) {
    const leaf = first + i;
    const inner = inclusionSiblings(leaf, treeSize);
    let index = leaf;
    for (let level = 0; level < inner; level++) {
      if (lastAncestor[level] !== index) {
        lastAncestor[level] = index;
        lastSibling[level] = slot({ level, index: index % 2 === 0 ? index + 1 : index - 1 });
      }
      siblings.push(lastSibling[level]!);
      index = Math.floor(index / 2);
    }
    if (inner !== forkLevel || index !== forkIndex) {
      forkLevel = inner;
      forkIndex = index;
      const nodes = inclusionNodes(leaf, treeSize);
      tails.push({ slots: nodes.ids.slice(inner).map(slot), run: nodes.end - nodes.begin });
    }
    inners[i] = inner;
    tailOf[i] = tails.length - 1;
  }

  return {
    ids,
    assemble(hashes: readonly Uint8Array[], hc: HashChildren = hashChildren): Uint8Array[][] {
      if (!Array.isArray(hashes) || hashes.length !== ids.length) {
        const got = Array.isArray(hashes) ? hashes.length : typeof hashes;
        throw merkleError('BAD_NODE_COUNT', `expected ${ids.length} node hashes, got ${got}`, { want: ids.length, got });
      }
      hashes.forEach((h, i) => assertHash(h, `hash of node ${ids[i]!.level}/${ids[i]!.index}`));
      const tailHashes = tails.map(({ slots, run }): Uint8Array[] => {
        if (run === 0) return slots.map((s) => hashes[s]!);
        let h = hashes[slots[0]!]!;
        for (let j = 1; j < run; j++) h = hc(hashes[slots[j]!]!, h);
        const out = [h];
        for (let j = run; j < slots.length; j++) out.push(hashes[slots[j]!]!);
        return out;
      });
      const proofs: Uint8Array[][] = new Array(count);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const inner = inners[i]!;
        const tail = tailHashes[tailOf[i]!]!;
        const proof: Uint8Array[] = new Array(inner + tail.length);
        for (let j = 0; j < inner; j++) proof[j] = hashes[siblings[at++]!]!;
        for (let j = 0; j < tail.length; j++) proof[inner + j] = tail[j]!;
        proofs[i] = proof;
      }
      return proofs;
    },
  };
}

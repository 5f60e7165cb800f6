/**
 * Which stored nodes make up an RFC 6962 proof, without touching storage (after transparency-dev/merkle's
 * proof package). The caller reads the hashes of `ids` (all perfect subtrees, so all stored) and `rehash`
 * folds the run ids[begin, end) into the one ephemeral node the proof needs.
 *
 * Inclusion proof for leaf 2 in a tree of size 7:
 *
 *                     root
 *               ┌──────┴──────┐
 *             (2,0)           e  ← ephemeral: not a perfect subtree, rebuilt from (1,2) and (0,6)
 *           ┌───┴───┐       ┌─┴─┐
 *         (1,0)   (1,1)   (1,2) (0,6)
 *                 ┌─┴─┐
 *               [2]  (0,3)
 *
 *   ids = (0,3) (1,0) | (0,6) (1,2) |      begin = 2, end = 4, ephem = e
 *   proof = hash(0,3), hash(1,0), hashChildren(hash(1,2), hash(0,6))
 *
 * Within the ephemeral run the nodes are ordered lowest level first (rightmost first), so the fold is
 * h = ids[begin]; h = hashChildren(ids[i], h) for each next i.
 */
import { assertLeafIndex, assertTreeSize, half, isPowerOfTwo, pow2, trailingZeros } from './bits.js';
import { merkleError } from './errors.js';
import { nodeCoverage, nodeParent, nodeSibling, rangeNodes, type NodeID } from './node-id.js';
import { assertHash, hashChildren, type HashChildren } from './rfc6962.js';

export interface ProofNodes {
  /** The stored nodes whose hashes the proof is built from, in proof order. */
  ids: NodeID[];
  /** ids[begin, end) are folded into `ephem` (an empty run when begin === end). */
  begin: number;
  end: number;
  /** The ephemeral node the run stands for (meaningless when the run is empty). */
  ephem: NodeID;
}

/** Reads the hashes of the given stored nodes, in the same order. */
export type NodeReader = (ids: readonly NodeID[]) => Promise<Uint8Array[]> | Uint8Array[];

/** The nodes of the inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves. */
export function inclusionNodes(leafIndex: number, treeSize: number): ProofNodes {
  assertLeafIndex(leafIndex);
  assertTreeSize(treeSize);
  if (leafIndex >= treeSize) {
    throw merkleError('INDEX_OUT_OF_RANGE', `leafIndex ${leafIndex} is not in a tree of size ${treeSize}`, { leafIndex, treeSize });
  }
  return skipFirst(pathNodes(0, leafIndex, treeSize));
}

/**
 * How many hashes at the start of leaf `leafIndex`'s inclusion proof in the tree of `treeSize` are plain
 * siblings on its path (levels 0 … n−1): the rest of the proof depends only on the node where that path
 * leaves the tree's right border, (n, ⌊leafIndex / 2^n⌋), which neighbouring leaves share.
 */
export function inclusionSiblings(leafIndex: number, treeSize: number): number {
  assertLeafIndex(leafIndex);
  assertTreeSize(treeSize);
  if (leafIndex >= treeSize) {
    throw merkleError('INDEX_OUT_OF_RANGE', `leafIndex ${leafIndex} is not in a tree of size ${treeSize}`, { leafIndex, treeSize });
  }
  return highestDifferingBit(leafIndex, treeSize);
}

/**
 * The nodes of the consistency proof from the tree of `size1` leaves to the tree of `size2` leaves
 * (RFC 9162 §2.1.4.1). Empty when size1 is 0 or size1 === size2.
 */
export function consistencyNodes(size1: number, size2: number): ProofNodes {
  assertTreeSize(size1, 'size1');
  assertTreeSize(size2, 'size2');
  if (size1 > size2) {
    throw merkleError('CONSISTENCY_SIZE_ORDER', `size1 ${size1} is larger than size2 ${size2}`, { size1, size2 });
  }
  if (size1 === 0 || size1 === size2) return { ids: [], begin: 0, end: 0, ephem: { level: 0, index: 0 } };
  // The largest perfect subtree that ends at size1: its root is the proof's seed. When size1 is a power
  // of two that seed is the old root itself, which the verifier already has, so it is left out.
  const level = trailingZeros(size1);
  const index = size1 / pow2(level) - 1;
  const nodes = pathNodes(level, index, size2);
  return isPowerOfTwo(size1) ? skipFirst(nodes) : nodes;
}

/**
 * The node (level, index) itself, then the nodes proving it is in the tree of `size` leaves: its
 * siblings up to the "fork" (where its path to the root leaves the tree's right border), the nodes
 * covering everything right of the fork (the ephemeral sibling), and the perfect subtrees left of it.
 */
function pathNodes(level: number, index: number, size: number): ProofNodes {
  const inner = highestDifferingBit(index, Math.floor(size / pow2(level)));
  const fork: NodeID = { level: level + inner, index: Math.floor(index / pow2(inner)) };
  const forkRange = nodeCoverage(fork);

  let node: NodeID = { level, index };
  const ids: NodeID[] = [node];
  while (node.level < fork.level) {
    ids.push(nodeSibling(node));
    node = nodeParent(node);
  }
  const right = rangeNodes(forkRange.end, size).reverse();
  const begin = ids.length;
  ids.push(...right);
  const end = ids.length;
  ids.push(...rangeNodes(0, forkRange.begin).reverse());
  return right.length > 0 ? { ids, begin, end, ephem: nodeSibling(fork) } : { ids, begin: 0, end: 0, ephem: nodeSibling(fork) };
}

function skipFirst(nodes: ProofNodes): ProofNodes {
  const run = nodes.begin < nodes.end;
  return { ids: nodes.ids.slice(1), begin: run ? nodes.begin - 1 : 0, end: run ? nodes.end - 1 : 0, ephem: nodes.ephem };
}

/** The position of the highest bit where a and b differ (−1 when equal). */
function highestDifferingBit(a: number, b: number): number {
  let bit = -1;
  for (let i = 0; a > 0 || b > 0; i++) {
    if (a % 2 !== b % 2) bit = i;
    a = half(a);
    b = half(b);
  }
  return bit;
}

/**
 * Turns the hashes of `nodes.ids` into the proof: the run ids[begin, end) becomes one hash.
 * Throws BAD_NODE_COUNT when the number of hashes differs from the number of ids, and BAD_HASH_LENGTH
 * when one is not a 32-byte Uint8Array (a storage layer returning garbage must not make a proof).
 */
export function rehash(nodes: ProofNodes, hashes: readonly Uint8Array[], hc: HashChildren = hashChildren): Uint8Array[] {
  if (!Array.isArray(hashes) || hashes.length !== nodes.ids.length) {
    throw merkleError('BAD_NODE_COUNT', `expected ${nodes.ids.length} node hashes, got ${Array.isArray(hashes) ? hashes.length : typeof hashes}`, {
      want: nodes.ids.length,
      got: Array.isArray(hashes) ? hashes.length : typeof hashes,
    });
  }
  hashes.forEach((h, i) => assertHash(h, `hash of node ${nodes.ids[i]?.level}/${nodes.ids[i]?.index}`));
  const proof: Uint8Array[] = [];
  for (let i = 0; i < hashes.length; i++) {
    let h = hashes[i] as Uint8Array;
    if (i === nodes.begin && nodes.begin < nodes.end) {
      for (i++; i < nodes.end; i++) h = hc(hashes[i] as Uint8Array, h);
      i--;
    }
    proof.push(h);
  }
  return proof;
}

/** The inclusion proof (audit path, leaf to root) of `leafIndex` in the tree of `treeSize` leaves. */
export async function buildInclusionProof(leafIndex: number, treeSize: number, read: NodeReader): Promise<Uint8Array[]> {
  const nodes = inclusionNodes(leafIndex, treeSize);
  return rehash(nodes, nodes.ids.length === 0 ? [] : await read(nodes.ids));
}

/** The consistency proof from the tree of `size1` leaves to the tree of `size2` leaves. */
export async function buildConsistencyProof(size1: number, size2: number, read: NodeReader): Promise<Uint8Array[]> {
  const nodes = consistencyNodes(size1, size2);
  return rehash(nodes, nodes.ids.length === 0 ? [] : await read(nodes.ids));
}

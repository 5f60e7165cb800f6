/**
 * Node IDs. A NodeID names a perfect subtree: the node at `level` (0 = leaves) and `index` (counting from
 * the left on that level) is the root of the 2^level leaves [index·2^level, (index+1)·2^level).
 *
 *   level 2            (2,0)
 *                  ┌─────┴─────┐
 *   level 1      (1,0)       (1,1)       (1,2)
 *               ┌──┴──┐     ┌──┴──┐     ┌──┴──┐
 *   level 0   (0,0) (0,1) (0,2) (0,3) (0,4) (0,5) (0,6)
 *
 * In a tree of size 7 the nodes above exist and never change once written ("stored" nodes). The RFC 6962
 * root and the ancestors of (0,6) are not perfect subtrees: they are ephemeral, recomputed from stored
 * nodes (the tree's compact range (2,0) (1,2) (0,6), see compact-range.ts).
 */
import { MAX_TREE_SIZE, isSafeCount, pow2, trailingZeros } from './bits.js';
import { describeValue, merkleError } from './errors.js';

export interface NodeID {
  readonly level: number;
  readonly index: number;
}

/** Creates a NodeID, throwing BAD_NODE_ID unless it names a subtree of a tree of at most 2^53 − 1 leaves. */
export function nodeID(level: number, index: number): NodeID {
  assertNodeID({ level, index });
  return { level, index };
}

/** Throws BAD_NODE_ID unless `id` has integer level 0..52 and index with (index+1)·2^level ≤ 2^53 − 1. */
export function assertNodeID(id: unknown, what = 'node'): asserts id is NodeID {
  const level = (id as NodeID | null)?.level;
  const index = (id as NodeID | null)?.index;
  if (
    typeof id !== 'object' ||
    !isSafeCount(level) ||
    !isSafeCount(index) ||
    level > 52 ||
    (index + 1) * pow2(level) > MAX_TREE_SIZE
  ) {
    throw merkleError('BAD_NODE_ID', `${what}: not a node of a tree of at most 2^53 − 1 leaves`, {
      got: typeof id === 'object' && id !== null ? { level: describeValue(level), index: describeValue(index) } : describeValue(id),
    });
  }
}

/** The leaves [begin, end) under `id`. */
export function nodeCoverage(id: NodeID): { begin: number; end: number } {
  const span = pow2(id.level);
  return { begin: id.index * span, end: (id.index + 1) * span };
}

export function nodeParent(id: NodeID): NodeID {
  return { level: id.level + 1, index: Math.floor(id.index / 2) };
}

/** The other child of this node's parent. */
export function nodeSibling(id: NodeID): NodeID {
  return { level: id.level, index: id.index % 2 === 1 ? id.index - 1 : id.index + 1 };
}

/** True when `id` is a complete subtree of the tree of `treeSize` leaves (so storage has its hash). */
export function isNodeInTree(id: NodeID, treeSize: number): boolean {
  return nodeCoverage(id).end <= treeSize;
}

export function nodeEquals(a: NodeID, b: NodeID): boolean {
  return a.level === b.level && a.index === b.index;
}

/** A stable string key "level/index", for maps and storage keys. */
export function nodeKey(id: NodeID): string {
  return `${id.level}/${id.index}`;
}

/**
 * The perfect subtrees that exactly cover the leaves [begin, end), left to right: the unique minimal
 * decomposition (a "compact range"). For [0, size) there is one node per one bit of size, largest first.
 *
 *   rangeNodes(3, 13) → (0,3) (2,1) (2,2) (0,12)      leaves 3 | 4..7 | 8..11 | 12
 *
 * Each step takes the largest power-of-two block aligned at `begin` that still fits before `end`.
 */
export function rangeNodes(begin: number, end: number): NodeID[] {
  const out: NodeID[] = [];
  while (begin < end) {
    let level = begin === 0 ? 53 : trailingZeros(begin);
    while (pow2(level) > end - begin) level--;
    const span = pow2(level);
    out.push({ level, index: begin / span });
    begin += span;
  }
  return out;
}

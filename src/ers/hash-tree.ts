/**
 * What an ArchiveTimeStamp covers (RFC 4998 §4.3): the hash `h` of its object is either the timestamp's own
 * hash (no reduced hash tree) or a member of the tree's first list; then each list, with the hash of the list
 * below it added, is concatenated in binary ascending order and hashed, and the last such hash is the one the
 * timestamp stamps.
 */
import { compareBytes, digest, equalBytes, type ErsHash } from './algorithms.js';
import type { ArchiveTimeStamp } from './record.js';

export type Coverage = 'covered' | 'object-not-found' | 'tree-mismatch';

/** Whether `ats` (hash algorithm `hash`) covers an object whose hash is `h`. */
export function coverage(ats: ArchiveTimeStamp, hash: ErsHash, h: Uint8Array): Coverage {
  const tree = ats.reducedHashtree;
  if (tree === undefined) return equalBytes(h, ats.imprint.digest) ? 'covered' : 'object-not-found';
  if (!tree[0]!.some((v) => equalBytes(v, h))) return 'object-not-found';
  let current = hashList(hash, tree[0]!);
  // "h' MUST become a member of the next higher list": each higher list holds the siblings, h' is added to them
  // (BouncyCastle reads it the same way: a list that already holds h' does not lead to the root there either).
  for (const list of tree.slice(1)) current = hashList(hash, [...list, current]);
  return equalBytes(current, ats.imprint.digest) ? 'covered' : 'tree-mismatch';
}

/** H(v1 ‖ v2 ‖ …) with the values in binary ascending order. */
export function hashList(hash: ErsHash, values: readonly Uint8Array[]): Uint8Array {
  return digest(hash, ...[...values].sort(compareBytes));
}

/**
 * The tree state record: the size and the compact range of the tree of that size (one hash per set bit of
 * the size, largest subtree first). With it a restart resumes appending without reading the tree.
 *
 *   version(1) = 1 ‖ treeSize(8) ‖ count(1) ‖ count × hash(32)
 */
import { CunzhengError } from '../errors.js';
import { readUint64, writeUint64 } from './keys.js';

export interface TreeState {
  treeSize: number;
  /** The compact range [0, treeSize): perfect-subtree roots, left to right. */
  hashes: Uint8Array[];
}

const VERSION = 1;

export function encodeState(s: TreeState): Uint8Array {
  const out = new Uint8Array(10 + 32 * s.hashes.length);
  out[0] = VERSION;
  writeUint64(out, 1, s.treeSize);
  out[9] = s.hashes.length;
  s.hashes.forEach((h, i) => out.set(h, 10 + 32 * i));
  return out;
}

export function decodeState(b: Uint8Array): TreeState {
  if (b.length < 10 || b[0] !== VERSION || b.length !== 10 + 32 * b[9]!) {
    throw new CunzhengError('STORE_CORRUPT', 'the stored tree state is malformed', { details: { where: 'state' } });
  }
  const treeSize = readUint64(b, 1);
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < b[9]!; i++) hashes.push(b.slice(10 + 32 * i, 42 + 32 * i));
  return { treeSize, hashes };
}

/**
 * RFC 6962 §2.1 hashing (RFC 9162 §2.1.1): domain-separated SHA-256, so a leaf can never be passed off
 * as an interior node or the other way round.
 *
 *   leaf hash  = SHA-256(0x00 ‖ entry bytes)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   empty tree = SHA-256("")
 */
import { sha256 } from '../crypto/index.js';
import { describeValue, merkleError } from './errors.js';

export const HASH_SIZE = 32;

/** SHA-256 of the empty string: the root of the tree of size 0. */
export const EMPTY_ROOT: Uint8Array = sha256();

/** Returns a fresh copy of EMPTY_ROOT (the exported constant is shared; callers may mutate this one). */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice();
}

// Leaves are hashed from a reused scratch buffer too: 0x00 ‖ data in one buffer, hashed in one call
// (cheaper than two updates for entry-sized data). A fresh buffer per leaf cost three times the hash
// itself: an entry is larger than V8 keeps inside the heap, so each one was a backing store to allocate,
// track and free. Larger data than the scratch holds (64 KiB, the entry cap) gets a buffer of its own.
const LEAF_SCRATCH_BYTES = 1 + 64 * 1024;
let leafScratch: Uint8Array | undefined;

export function hashLeaf(data: Uint8Array): Uint8Array {
  if (data.length >= LEAF_SCRATCH_BYTES) {
    const buf = new Uint8Array(1 + data.length);
    buf.set(data, 1);
    return sha256(buf);
  }
  leafScratch ??= new Uint8Array(LEAF_SCRATCH_BYTES);
  leafScratch.set(data, 1);
  return sha256(leafScratch.subarray(0, 1 + data.length));
}

// Interior nodes are hashed from one 65-byte scratch buffer: one update call instead of three, no
// allocation besides the digest. Hashing is synchronous, so the buffer is never shared between calls.
const scratch = new Uint8Array(1 + 2 * HASH_SIZE);
scratch[0] = 0x01;

export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw merkleError('BAD_HASH_LENGTH', `hashChildren: expected two ${HASH_SIZE}-byte hashes, got ${left.length} and ${right.length}`, {
      want: HASH_SIZE,
      got: [left.length, right.length],
    });
  }
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_SIZE);
  return sha256(scratch);
}

export type HashChildren = (left: Uint8Array, right: Uint8Array) => Uint8Array;

/** True when `value` is a Uint8Array of HASH_SIZE bytes. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Throws BAD_HASH_LENGTH unless `value` is a Uint8Array of HASH_SIZE bytes. */
export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!isHash(value)) {
    throw merkleError('BAD_HASH_LENGTH', `${what}: expected a Uint8Array of ${HASH_SIZE} bytes, got ${describeValue(value)}`, {
      want: HASH_SIZE,
      got: value instanceof Uint8Array ? value.length : describeValue(value),
    });
  }
}

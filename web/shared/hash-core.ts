/**
 * Streaming SHA-256 and SM3 of a File or Blob: read in slices (File.slice + arrayBuffer), the next slice read
 * while the current one is hashed, so at most two slices are in memory whatever the file's size. Runs in the
 * hashing workers (hash-worker.ts) and, where no worker can start, on the page itself (hash-client.ts).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Sha256 } from '../../src/crypto/sha256-portable.js';
import { Sm3 } from '../../src/crypto/sm3-portable.js';

/** 8 MiB: large enough that per-slice costs vanish, small enough that memory stays flat. */
export const SLICE_BYTES = 8 * 1024 * 1024;

export type HashAlgorithm = 'sha256' | 'sm3';

export interface Digests {
  sha256?: string;
  sm3?: string;
}

/**
 * The lower-case hex digests of `blob` for each algorithm asked; `onBytes(n)` after each slice with the
 * bytes hashed so far. `yieldEvery` lets a caller on the page give the event loop a turn between slices.
 */
export async function hashBlob(
  blob: Blob,
  algorithms: readonly HashAlgorithm[],
  onBytes?: (done: number) => void,
  yieldEvery?: () => Promise<void>,
  /** Hands each slice on once hashed here (the worker pair: the slice is transferred to the SM3 worker). */
  forward?: (slice: Uint8Array) => Promise<void>,
): Promise<Digests> {
  const s = algorithms.includes('sha256') ? new Sha256() : undefined;
  const m = algorithms.includes('sm3') ? new Sm3() : undefined;
  const size = blob.size;
  let next: Promise<ArrayBuffer> | undefined = size > 0 ? blob.slice(0, Math.min(SLICE_BYTES, size)).arrayBuffer() : undefined;
  let at = 0;
  while (next !== undefined) {
    const buf = new Uint8Array(await next);
    if (buf.length === 0) throw new Error('the file got shorter while it was read');
    const end = at + buf.length;
    next = end < size ? blob.slice(end, Math.min(end + SLICE_BYTES, size)).arrayBuffer() : undefined;
    s?.update(buf);
    m?.update(buf);
    at = end;
    if (forward !== undefined) await forward(buf);
    onBytes?.(at);
    if (yieldEvery !== undefined) await yieldEvery();
  }
  const out: Digests = {};
  if (s !== undefined) out.sha256 = bytesToHex(s.digest());
  if (m !== undefined) out.sm3 = bytesToHex(m.digest());
  return out;
}

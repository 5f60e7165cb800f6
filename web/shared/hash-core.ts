/**
 * Streaming SHA-256 and SM3 of a File or Blob: read in slices (File.slice + arrayBuffer), the next slice read
 * while the current one is hashed, so at most two slices are in memory whatever the file's size. Runs in the
 * hashing workers (hash-worker.ts) and, where no worker can start, on the page itself (hash-client.ts).
 *
 * Two engines give the same digests: WebAssembly (hash-wasm's SHA-256 and SM3, their modules inlined in the
 * bundle, about three times the speed of JavaScript here) and, where WebAssembly is missing or refused (no
 * `'wasm-unsafe-eval'` in a page's CSP, a browser without it), the portable TypeScript hashes of the core.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { createSHA256, createSM3 } from 'hash-wasm';
import { Sha256 } from '../../src/crypto/sha256-portable.js';
import { Sm3 } from '../../src/crypto/sm3-portable.js';

/** 8 MiB: large enough that per-slice costs vanish, small enough that memory stays flat. */
export const SLICE_BYTES = 8 * 1024 * 1024;

export type HashAlgorithm = 'sha256' | 'sm3';
export type HashEngine = 'wasm' | 'portable';

export interface Digests {
  sha256?: string;
  sm3?: string;
  /** The engine that computed them. */
  engine?: HashEngine;
}

/** One incremental hash, whichever engine computes it. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** Lower-case hex. */
  digestHex(): string;
}

function portableHasher(algorithm: HashAlgorithm): Hasher {
  const h = algorithm === 'sha256' ? new Sha256() : new Sm3();
  return { update: (b) => void h.update(b), digestHex: () => bytesToHex(h.digest()) };
}

async function wasmHasher(algorithm: HashAlgorithm): Promise<Hasher> {
  const h = await (algorithm === 'sha256' ? createSHA256() : createSM3());
  h.init();
  return { update: (b) => void h.update(b), digestHex: () => h.digest('hex') };
}

/** Whether WebAssembly compiled here once: settled by the first hasher asked for, then remembered. */
let wasmUsable: Promise<boolean> | undefined;

/**
 * A fresh hasher of `algorithm`: WebAssembly unless `engine` says 'portable' or WebAssembly cannot compile
 * here (then the portable one, and WebAssembly is not tried again).
 */
export async function createHasher(algorithm: HashAlgorithm, engine?: HashEngine): Promise<{ hasher: Hasher; engine: HashEngine }> {
  if (engine !== 'portable') {
    wasmUsable ??= typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object' ? wasmHasher(algorithm).then(() => true, () => false) : Promise.resolve(false);
    if (await wasmUsable) return { hasher: await wasmHasher(algorithm), engine: 'wasm' };
    if (engine === 'wasm') throw new Error('WebAssembly is not available here');
  }
  return { hasher: portableHasher(algorithm), engine: 'portable' };
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
  /** Forces one engine (tests, benchmarks); by default WebAssembly where it compiles. */
  engine?: HashEngine,
): Promise<Digests> {
  const hashers = await Promise.all(algorithms.map((a) => createHasher(a, engine)));
  const size = blob.size;
  let next: Promise<ArrayBuffer> | undefined = size > 0 ? blob.slice(0, Math.min(SLICE_BYTES, size)).arrayBuffer() : undefined;
  let at = 0;
  while (next !== undefined) {
    const buf = new Uint8Array(await next);
    if (buf.length === 0) throw new Error('the file got shorter while it was read');
    const end = at + buf.length;
    next = end < size ? blob.slice(end, Math.min(end + SLICE_BYTES, size)).arrayBuffer() : undefined;
    for (const h of hashers) h.hasher.update(buf);
    at = end;
    if (forward !== undefined) await forward(buf);
    onBytes?.(at);
    if (yieldEvery !== undefined) await yieldEvery();
  }
  const out: Digests = {};
  algorithms.forEach((a, i) => (out[a] = hashers[i]!.hasher.digestHex()));
  if (hashers.length > 0) out.engine = hashers[0]!.engine;
  return out;
}

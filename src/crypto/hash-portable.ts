/**
 * The portable hash backend: the same API as hash.ts for runtimes without node:crypto (the in-browser
 * verifier; web/build.mjs maps hash.ts to this file). SHA-256 on @noble/hashes, SM3 on sm3-portable.ts.
 * Tests cross-check both against node:crypto so the two backends can never drift. Digests here are fresh
 * arrays (hash.ts hands out views of a shared buffer; callers may rely on neither).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { IncrementalHash } from './hash.js';
import { Sm3 } from './sm3-portable.js';

export type { IncrementalHash } from './hash.js';

export const SHA256_SIZE = 32;
export const SM3_SIZE = 32;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SM3 (GB/T 32905-2016). */
export function sm3(...parts: Uint8Array[]): Uint8Array {
  const h = new Sm3();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** An IncrementalHash over any hash with update/digest (the returned object is the one update answers). */
function incremental(h: { update(data: Uint8Array): unknown; digest(): Uint8Array }): IncrementalHash {
  const self: IncrementalHash = {
    update(data) {
      h.update(data);
      return self;
    },
    digest: () => h.digest(),
  };
  return self;
}

export function createSha256(): IncrementalHash {
  return incremental(nobleSha256.create());
}

export function createSm3(): IncrementalHash {
  return incremental(new Sm3());
}

/**
 * Portable SHA-256 on @noble/hashes: the same API as hash.ts for runtimes without node:crypto (the
 * in-browser verifier). Tests cross-check it against node:crypto so the two can never drift.
 * SM3 has no portable backend yet; the verifier treats an SM3 digest as optional.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { IncrementalHash } from './hash.js';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

export function createSha256(): IncrementalHash {
  const h = nobleSha256.create();
  const self: IncrementalHash = {
    update(data) {
      h.update(data);
      return self;
    },
    digest: () => h.digest(),
  };
  return self;
}

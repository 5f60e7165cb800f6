/**
 * The two node:crypto functions sm2.ts uses (HMAC-SM3 for its deterministic nonces, random bytes for new
 * keys), without node:crypto: web/build.mjs resolves sm2.ts's `node:crypto` to this file, so the browser runs
 * the very SM2 code the CLI runs. HMAC is RFC 2104 over sm3-portable.ts (block 64 bytes); random bytes come
 * from WebCrypto's getRandomValues. Tests cross-check the HMAC against node:crypto's.
 */
import { Sm3 } from './sm3-portable.js';

const BLOCK = 64;

export interface PortableHmac {
  update(data: Uint8Array): PortableHmac;
  digest(): Uint8Array;
}

/** HMAC-SM3 (the only algorithm sm2.ts asks for). */
export function createHmac(algorithm: string, key: Uint8Array): PortableHmac {
  if (algorithm !== 'sm3') throw new Error(`portable createHmac: only sm3, not ${algorithm}`);
  let k = key;
  if (k.length > BLOCK) k = new Sm3().update(k).digest();
  const ipad = new Uint8Array(BLOCK).fill(0x36);
  const opad = new Uint8Array(BLOCK).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] = ipad[i]! ^ k[i]!;
    opad[i] = opad[i]! ^ k[i]!;
  }
  const inner = new Sm3().update(ipad);
  const self: PortableHmac = {
    update(data) {
      inner.update(data);
      return self;
    },
    digest: () => new Sm3().update(opad).update(inner.digest()).digest(),
  };
  return self;
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes a call.
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

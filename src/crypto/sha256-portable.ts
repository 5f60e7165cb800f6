/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, for the browser's document hashing (web/shared/hash-core.ts):
 * written like sm3-portable.ts — state, schedule and partial block in typed arrays allocated once per hash,
 * blocks read straight out of the caller's bytes, nothing allocated per block — because that runs about twice
 * as fast in Chromium as @noble/hashes' generic one, and hashing multi-gigabyte files is where it counts.
 * The pure core's one-shot hashes stay on @noble/hashes (hash-portable.ts). Tests cross-check it against
 * node:crypto over any bytes cut into any slices.
 */

import { MdBlockHash } from './md-block-portable.js';

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export class Sha256 extends MdBlockHash {
  private readonly w = new Int32Array(64);

  constructor() {
    super('SHA-256', IV);
  }

  protected compress(b: Uint8Array, at: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) {
      const o = at + i * 4;
      w[i] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    }
    for (let j = 16; j < 64; j++) {
      const x = w[j - 15]!;
      const y = w[j - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[j] = (s1 + w[j - 7]! + s0 + w[j - 16]!) | 0;
    }
    const v = this.v;
    let a = v[0]!, bb = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
    for (let j = 0; j < 64; j++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + (g ^ (e & (f ^ g))) + K[j]! + w[j]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) | ((a | bb) & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    v[0] = (v[0]! + a) | 0; v[1] = (v[1]! + bb) | 0; v[2] = (v[2]! + c) | 0; v[3] = (v[3]! + d) | 0;
    v[4] = (v[4]! + e) | 0; v[5] = (v[5]! + f) | 0; v[6] = (v[6]! + g) | 0; v[7] = (v[7]! + h) | 0;
  }
}

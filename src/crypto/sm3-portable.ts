/**
 * SM3 (GB/T 32905-2016) in plain TypeScript, for runtimes without node:crypto (the in-browser verifier and
 * its hashing worker). Pure: no I/O, no Buffer. Written for speed on multi-gigabyte files: the state, the
 * message expansion and the partial block live in typed arrays allocated once per hash, blocks are read
 * straight out of the caller's bytes, and nothing is allocated per block. The tests cross-check it against
 * node:crypto's sm3 and the standard's two examples ("abc" and "abcd" × 16).
 */

import { MdBlockHash } from './md-block-portable.js';

/** T_j rotated left by j mod 32, for j = 0..63 (the constant each round adds). */
const T_ROT = new Int32Array(64);
for (let j = 0; j < 64; j++) {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
  const r = j % 32;
  T_ROT[j] = r === 0 ? t : (t << r) | (t >>> (32 - r));
}

const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

export class Sm3 extends MdBlockHash {
  private readonly w = new Int32Array(68);

  constructor() {
    super('SM3', IV);
  }

  protected compress(b: Uint8Array, at: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) {
      const o = at + i * 4;
      w[i] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    }
    for (let j = 16; j < 68; j++) {
      const x = w[j - 16]! ^ w[j - 9]! ^ ((w[j - 3]! << 15) | (w[j - 3]! >>> 17));
      w[j] = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w[j - 13]! << 7) | (w[j - 13]! >>> 25)) ^ w[j - 6]!;
    }
    const v = this.v;
    let a = v[0]!, bb = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
    // Rounds 0..15 and 16..63 differ in FF and GG: two loops keep the branch out of the round.
    for (let j = 0; j < 16; j++) {
      const a12 = (a << 12) | (a >>> 20);
      const s = (a12 + e + T_ROT[j]!) | 0;
      const ss1 = (s << 7) | (s >>> 25);
      const wj = w[j]!;
      const tt1 = ((a ^ bb ^ c) + d + (ss1 ^ a12) + (wj ^ w[j + 4]!)) | 0;
      const tt2 = ((e ^ f ^ g) + h + ss1 + wj) | 0;
      d = c;
      c = (bb << 9) | (bb >>> 23);
      bb = a;
      a = tt1;
      h = g;
      g = (f << 19) | (f >>> 13);
      f = e;
      e = tt2 ^ ((tt2 << 9) | (tt2 >>> 23)) ^ ((tt2 << 17) | (tt2 >>> 15));
    }
    for (let j = 16; j < 64; j++) {
      const a12 = (a << 12) | (a >>> 20);
      const s = (a12 + e + T_ROT[j]!) | 0;
      const ss1 = (s << 7) | (s >>> 25);
      const wj = w[j]!;
      const tt1 = (((a & bb) | ((a | bb) & c)) + d + (ss1 ^ a12) + (wj ^ w[j + 4]!)) | 0;
      const tt2 = ((g ^ (e & (f ^ g))) + h + ss1 + wj) | 0;
      d = c;
      c = (bb << 9) | (bb >>> 23);
      bb = a;
      a = tt1;
      h = g;
      g = (f << 19) | (f >>> 13);
      f = e;
      e = tt2 ^ ((tt2 << 9) | (tt2 >>> 23)) ^ ((tt2 << 17) | (tt2 >>> 15));
    }
    v[0] = v[0]! ^ a; v[1] = v[1]! ^ bb; v[2] = v[2]! ^ c; v[3] = v[3]! ^ d;
    v[4] = v[4]! ^ e; v[5] = v[5]! ^ f; v[6] = v[6]! ^ g; v[7] = v[7]! ^ h;
  }
}

/** One-shot SM3 of the concatenated parts. */
export function sm3Portable(...parts: Uint8Array[]): Uint8Array {
  const h = new Sm3();
  for (const p of parts) h.update(p);
  return h.digest();
}

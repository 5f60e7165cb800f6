/**
 * The Merkle–Damgård frame SHA-256 and SM3 share, to the byte: 64-byte blocks, the partial block kept between
 * updates, blocks read straight out of the caller's bytes, and the padding (0x80, zeros, the bit length as a
 * 64-bit big-endian number); the digest is the eight 32-bit state words big-endian. A subclass gives its
 * initial state and its compression function. Nothing is allocated per block.
 */

export const BLOCK = 64;

export abstract class MdBlockHash {
  protected readonly v = new Int32Array(8);
  private readonly buf = new Uint8Array(BLOCK);
  private bufLen = 0;
  /** Bytes hashed so far; a double holds 2^53 exactly, far beyond any file. */
  private length = 0;
  private done = false;

  protected constructor(private readonly name: string, iv: readonly number[]) {
    this.v.set(iv);
  }

  /** Folds the block at `b[at … at+64)` into `this.v`. */
  protected abstract compress(b: Uint8Array, at: number): void;

  update(data: Uint8Array): this {
    if (this.done) throw new Error(`${this.name}: update after digest`);
    let pos = 0;
    const n = data.length;
    this.length += n;
    if (this.bufLen > 0) {
      const take = Math.min(BLOCK - this.bufLen, n);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      pos = take;
      if (this.bufLen < BLOCK) return this;
      this.compress(this.buf, 0);
      this.bufLen = 0;
    }
    while (n - pos >= BLOCK) {
      this.compress(data, pos);
      pos += BLOCK;
    }
    if (pos < n) {
      this.buf.set(data.subarray(pos), 0);
      this.bufLen = n - pos;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.done) throw new Error(`${this.name}: digest called twice`);
    this.done = true;
    const buf = this.buf;
    const bits = this.length * 8;
    buf[this.bufLen++] = 0x80;
    if (this.bufLen > BLOCK - 8) {
      buf.fill(0, this.bufLen);
      this.compress(buf, 0);
      this.bufLen = 0;
    }
    buf.fill(0, this.bufLen);
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    buf[56] = hi >>> 24; buf[57] = hi >>> 16; buf[58] = hi >>> 8; buf[59] = hi;
    buf[60] = lo >>> 24; buf[61] = lo >>> 16; buf[62] = lo >>> 8; buf[63] = lo;
    this.compress(buf, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const x = this.v[i]!;
      out[i * 4] = x >>> 24; out[i * 4 + 1] = x >>> 16; out[i * 4 + 2] = x >>> 8; out[i * 4 + 3] = x;
    }
    return out;
  }
}

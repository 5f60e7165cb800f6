/**
 * Small byte strings as views of shared off-heap Node Buffers (Node only; not part of the library's API).
 *
 * LevelDB keys and small values are built here: each as a buffer of its own would be a backing store for V8
 * to allocate, track and free (or, below 65 bytes, an in-heap array that N-API must move out of the heap
 * before LevelDB reads it); as views of one buffer they cost an object each. The buffer is a Node Buffer so
 * callers can write hex or text straight into it (`b.write(hex, at, n, 'hex')`). A view that is kept alive
 * keeps its whole buffer alive, so slabs are for bytes that are short-lived or few: copy a kept one with
 * .slice(). (The pure core has its portable counterpart, crypto/byte-views.ts, for digests and entry bytes.)
 *
 *   const b = slab.reserve(n);      // a buffer with room for n bytes at slab.offset
 *   b.write(text, slab.offset);     // write at most n bytes there
 *   return slab.take(written);      // the view; the next reservation starts after it
 */
export class ByteSlab {
  private buf: Buffer | undefined;
  private at: number;

  /** `zeroed`: fresh buffers are zero-filled (for callers that may leave bytes unwritten). */
  constructor(private readonly size: number, private readonly zeroed = false) {
    this.at = size;
  }

  /** The buffer to write the next `n` (≤ size) bytes into, at `offset`: a fresh one when this one is full. */
  reserve(n: number): Buffer {
    if (this.buf === undefined || this.at + n > this.size) {
      this.buf = this.zeroed ? Buffer.alloc(this.size) : Buffer.allocUnsafeSlow(this.size);
      this.at = 0;
    }
    return this.buf;
  }

  /** Where the reserved bytes start in the buffer reserve() returned. */
  get offset(): number {
    return this.at;
  }

  /** The `n` bytes written at `offset`, as a view; the next reservation starts after them. */
  take(n: number): Uint8Array {
    const b = this.buf!;
    const view = new Uint8Array(b.buffer, b.byteOffset + this.at, n);
    this.at += n;
    return view;
  }
}

/**
 * Small byte strings as views of shared buffers, in portable code (plain ArrayBuffers, no Node Buffer).
 *
 * Two hot paths hand out many short-lived byte strings: entry bytes (utf8View) and one-shot SHA-256
 * digests. Each as an array of its own costs V8 a backing store to allocate, track and free (or, below 65
 * bytes, an in-heap array that must be moved out of the heap before native code reads it); as views of one
 * buffer they cost an object each. A fresh buffer is zero-filled. Space is never reused, so a view stays
 * valid forever, but a view that is kept alive keeps its whole buffer alive: copy a kept one with .slice().
 *
 *   const b = views.reserve(n);     // a buffer with room for n bytes at views.offset
 *   b[views.offset] = …;            // write at most n bytes there
 *   return views.take(written);     // the view; the next reservation starts after it
 */
export class ByteViews {
  private buf = new Uint8Array(0);
  private at = 0;

  constructor(private readonly size: number) {}

  /** The buffer to write the next `n` (≤ size) bytes into, at `offset`: a fresh one when this one is full. */
  reserve(n: number): Uint8Array {
    if (this.at + n > this.buf.length) {
      this.buf = new Uint8Array(this.size);
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
    const view = new Uint8Array(this.buf.buffer, this.at, n);
    this.at += n;
    return view;
  }
}

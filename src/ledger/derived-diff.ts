/**
 * A derived table recomputed in memory and compared, both ways, with the table as stored: for fsck (which
 * reports the differences) and `fsck --reindex` (which writes them away). The records the entries imply are
 * packed into one growing buffer (key ‖ value, and three numbers per record), sorted once in LevelDB's byte
 * order, then merged with one scan of the stored table in key order: an expected key not stored is missing,
 * a stored key not expected is stray, a key in both with other bytes differs. Exact: no fingerprints.
 *
 * Memory: the records' own bytes plus 16 bytes each (about 50 bytes per root deposit for `x N`).
 */
import type { Pair } from './records.js';

export class ExpectedRecords {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** Per record: key start, key length, value length (the value follows the key). */
  private meta = new Uint32Array(3 * 1024);
  private count = 0;
  private order: Uint32Array | undefined;
  /** Records added with a key already added before (after `sort`): the first one added is kept. */
  duplicates = 0;

  get size(): number {
    return this.order?.length ?? this.count;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    if (this.order !== undefined) throw new Error('ExpectedRecords: add after sort');
    const need = key.length + value.length;
    if (this.used + need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.used + need));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    if (3 * this.count + 3 > this.meta.length) {
      const next = new Uint32Array(2 * this.meta.length);
      next.set(this.meta);
      this.meta = next;
    }
    const at = this.used;
    this.buf.set(key, at);
    this.buf.set(value, at + key.length);
    this.used += need;
    this.meta[3 * this.count] = at;
    this.meta[3 * this.count + 1] = key.length;
    this.meta[3 * this.count + 2] = value.length;
    this.count++;
  }

  /** Sorts by key (stable: of equal keys the first added is kept, the others are counted in `duplicates`). */
  sort(): this {
    if (this.order !== undefined) return this;
    const { buf, meta } = this;
    const idx = Array.from({ length: this.count }, (_, i) => i);
    idx.sort((a, b) => {
      const c = buf.compare(buf, meta[3 * b]!, meta[3 * b]! + meta[3 * b + 1]!, meta[3 * a]!, meta[3 * a]! + meta[3 * a + 1]!);
      return c !== 0 ? c : a - b;
    });
    const kept: number[] = [];
    for (const i of idx) {
      const last = kept[kept.length - 1];
      if (last !== undefined && this.compareKey(last, buf, meta[3 * i]!, meta[3 * i]! + meta[3 * i + 1]!) === 0) this.duplicates++;
      else kept.push(i);
    }
    this.order = Uint32Array.from(kept);
    return this;
  }

  /** The key of the k-th record in key order (a view: copy it to keep it past the buffer's life). */
  key(k: number): Uint8Array {
    const i = this.order![k]!;
    return this.buf.subarray(this.meta[3 * i]!, this.meta[3 * i]! + this.meta[3 * i + 1]!);
  }

  value(k: number): Uint8Array {
    const i = this.order![k]!;
    const from = this.meta[3 * i]! + this.meta[3 * i + 1]!;
    return this.buf.subarray(from, from + this.meta[3 * i + 2]!);
  }

  /** The record i's key compared with other[start, end) in byte order. */
  private compareKey(i: number, other: Uint8Array, start: number, end: number): number {
    return this.buf.compare(other, start, end, this.meta[3 * i]!, this.meta[3 * i]! + this.meta[3 * i + 1]!);
  }

  /** The k-th record's key (in key order) compared with `key`: < 0 when it comes first. */
  compareAt(k: number, key: Uint8Array): number {
    return this.compareKey(this.order![k]!, key, 0, key.length);
  }
}

export interface DiffHandler {
  /** An expected record that is not stored (views into the expected records). */
  missing(key: Uint8Array, value: Uint8Array): void;
  /** A stored record no entry implies (copies). */
  stray(key: Uint8Array, value: Uint8Array): void;
  /** A record stored under an expected key with other bytes than expected (stored copied, expected a view). */
  differs(key: Uint8Array, stored: Uint8Array, expected: Uint8Array): void;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/**
 * Merges one scan of the stored table (in key order, chunk by chunk) with the expected records; returns the
 * number of stored records read.
 */
export async function diffTable(scan: (onChunk: (kv: Pair[]) => void) => Promise<void>, expected: ExpectedRecords, h: DiffHandler): Promise<number> {
  expected.sort();
  let k = 0;
  let stored = 0;
  await scan((kv) => {
    for (const [key, value] of kv) {
      stored++;
      while (k < expected.size && expected.compareAt(k, key) < 0) {
        h.missing(expected.key(k), expected.value(k));
        k++;
      }
      if (k < expected.size && expected.compareAt(k, key) === 0) {
        if (!sameBytes(expected.value(k), value)) h.differs(new Uint8Array(key), new Uint8Array(value), expected.value(k));
        k++;
      } else h.stray(new Uint8Array(key), new Uint8Array(value));
    }
  });
  for (; k < expected.size; k++) h.missing(expected.key(k), expected.value(k));
  return stored;
}

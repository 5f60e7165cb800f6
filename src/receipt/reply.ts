/**
 * The bodies of deposit replies, written straight into one byte array: a single receipt,
 * `JSON.stringify(receipt)`, and a batch, `{"receipts":[…],"created":[…]}`.
 *
 * The bytes are exactly the UTF-8 of `JSON.stringify` of the same values (test/receipt/reply.test.ts holds
 * them together). A batch of 1,000 answers ~2 MB; building that as one JSON string and then encoding it
 * costs 5–8 µs per receipt, about a tenth of a deposit's CPU. Here each receipt's own fields are serialized
 * by JSON.stringify piece by piece and encoded into a growing array, and the part a group's receipts share
 * (checkpoint, anchors, log) is encoded once and copied. Receipts stay complete.
 *
 * Receipts that buildReceipt made and froze (built.ts) take a faster path: their id is hex and their entry
 * and proof hashes are base64, none of which JSON escapes, so those strings are encoded as they are
 * instead of going through JSON.stringify, which scans every character. Pure: TextEncoder, no Buffer.
 */
import { isBuiltReceipt } from './built.js';
import { RECEIPT_FORMAT, type Receipt } from './receipt.js';

const encoder = new TextEncoder();

class Writer {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  /** Any string, as UTF-8 (a lone surrogate as U+FFFD, as JSON.stringify's escapes never leave one). */
  text(s: string): void {
    // Worst case three UTF-8 bytes per UTF-16 unit: encodeInto then never stops short.
    this.room(s.length * 3);
    this.at += encoder.encodeInto(s, this.buf.subarray(this.at)).written;
  }

  /** A string known to be ASCII (hex, base64, digits, fixed punctuation): as many bytes as characters. */
  ascii(s: string): void {
    this.room(s.length);
    this.at += encoder.encodeInto(s, this.buf.subarray(this.at)).written;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.at++] = c;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  done(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** The shared tail of consecutive receipts: `"checkpoint":…,"anchors":…,"log":…}` encoded once. */
interface Tail {
  checkpoint: string;
  anchors: Receipt['anchors'];
  origin: string;
  key: string;
  bytes: Uint8Array;
}

function tailOf(r: Receipt, last: Tail | undefined): Tail {
  const sameAnchors = last !== undefined && (last.anchors === r.anchors || (last.anchors.length === 0 && r.anchors.length === 0));
  if (last !== undefined && sameAnchors && last.checkpoint === r.checkpoint && last.origin === r.log.origin && last.key === r.log.key) {
    return last;
  }
  const text = `,"checkpoint":${JSON.stringify(r.checkpoint)},"anchors":${JSON.stringify(r.anchors)},"log":${JSON.stringify(r.log)}}`;
  return { checkpoint: r.checkpoint, anchors: r.anchors, origin: r.log.origin, key: r.log.key, bytes: encoder.encode(text) };
}

/**
 * True when `r` is a plain object with exactly the receipt members, in the written order, of the written
 * types (then the piecewise form is exact: each member's JSON.stringify is its part of the whole).
 */
function hasReceiptShape(r: Receipt): boolean {
  if (typeof r !== 'object' || r === null || Object.getPrototypeOf(r) !== Object.prototype) return false;
  const log = r.log as unknown;
  if (typeof log !== 'object' || log === null || Object.getPrototypeOf(log) !== Object.prototype) return false;
  const keys = Object.keys(r);
  const logKeys = Object.keys(r.log);
  return (
    keys.length === 8 && keys[0] === 'format' && keys[1] === 'id' && keys[2] === 'entry' && keys[3] === 'index' &&
    keys[4] === 'proof' && keys[5] === 'checkpoint' && keys[6] === 'anchors' && keys[7] === 'log' &&
    logKeys.length === 2 && logKeys[0] === 'origin' && logKeys[1] === 'key' && Number.isSafeInteger(r.index) &&
    typeof r.format === 'string' && typeof r.id === 'string' && typeof r.entry === 'string' && typeof r.checkpoint === 'string' &&
    Array.isArray(r.proof) && Array.isArray(r.anchors) && typeof r.log.origin === 'string' && typeof r.log.key === 'string'
  );
}

const COMMA = 0x2c;
/** What every built receipt starts with, up to its id's opening quote. */
const BUILT_HEAD = encoder.encode(`{"format":${JSON.stringify(RECEIPT_FORMAT)},"id":"`);

/** Appends one receipt (of the receipt shape) and its tail (tailOf(r)). */
function writeReceipt(w: Writer, r: Receipt, tail: Tail): void {
  if (isBuiltReceipt(r)) {
    w.bytes(BUILT_HEAD);
    // id, entry and proof need no escaping (built.ts): one template, one encode.
    w.ascii(r.proof.length === 0
      ? `${r.id}","entry":"${r.entry}","index":${r.index},"proof":[]`
      : `${r.id}","entry":"${r.entry}","index":${r.index},"proof":["${r.proof.join('","')}"]`);
  } else {
    w.text(`{"format":${JSON.stringify(r.format)},"id":${JSON.stringify(r.id)},"entry":${JSON.stringify(r.entry)},"index":${r.index},"proof":${JSON.stringify(r.proof)}`);
  }
  w.bytes(tail.bytes);
}

/**
 * The bytes a receipt's own members take, before its tail: exact but for the index's digits (at most 16)
 * for a built receipt (all ASCII, nothing escaped), a first guess for any other (the writer grows).
 */
function headBytes(r: Receipt): number {
  return isBuiltReceipt(r) ? BUILT_HEAD.length + r.id.length + r.entry.length + 48 * r.proof.length + 64 : r.entry.length + 48 * r.proof.length + 160;
}

/** The reply to a single deposit: `JSON.stringify(receipt)` as UTF-8 bytes. */
export function receiptReplyJson(receipt: Receipt): Uint8Array {
  if (!isBuiltReceipt(receipt) && !hasReceiptShape(receipt)) return encoder.encode(JSON.stringify(receipt));
  const tail = tailOf(receipt, undefined);
  const w = new Writer(headBytes(receipt) + tail.bytes.length);
  writeReceipt(w, receipt, tail);
  return w.done();
}

/** The reply to a batch deposit: `JSON.stringify({ receipts, created })` as UTF-8 bytes. */
export function batchReplyJson(receipts: readonly Receipt[], created: readonly boolean[]): Uint8Array {
  // Built receipts have the shape by construction: only the others are inspected.
  if (!receipts.every((r) => isBuiltReceipt(r) || hasReceiptShape(r))) return encoder.encode(JSON.stringify({ receipts, created }));
  // Tails first, so that the array is allocated once at (about) its final size: an allocation here is
  // zero-filled (no Buffer.allocUnsafe), and growing a 2 MB array means filling and copying it again.
  const tails = new Array<Tail>(receipts.length);
  const end = `],"created":${JSON.stringify(created)}}`;
  let size = 16 + 3 * end.length;
  let tail: Tail | undefined;
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i]!;
    tail = tails[i] = tailOf(r, tail);
    size += 1 + headBytes(r) + tail.bytes.length;
  }
  const w = new Writer(size);
  w.ascii('{"receipts":[');
  for (let i = 0; i < receipts.length; i++) {
    if (i > 0) w.byte(COMMA);
    writeReceipt(w, receipts[i]!, tails[i]!);
  }
  w.text(end);
  return w.done();
}

/**
 * Byte helpers for the pure core. Inputs are hostile: every decoder is strict (canonical encodings only)
 * and fails with a coded error that says what was expected and what was got.
 */
import { CunzhengError } from '../errors.js';
import { ByteViews } from './byte-views.js';

export type EncodingErrorCode = 'BAD_HEX' | 'BAD_BASE64' | 'BAD_LENGTH' | 'BAD_UTF8';

const NodeBuffer: typeof Buffer | undefined = (globalThis as { Buffer?: typeof Buffer }).Buffer;

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return `string of length ${value.length}`;
  if (value === null) return 'null';
  return typeof value;
}

/** Throws BAD_LENGTH unless `bytes` is a Uint8Array of exactly `length` bytes. */
export function assertBytes(bytes: unknown, length?: number, what = 'bytes'): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new CunzhengError('BAD_LENGTH', `${what}: expected Uint8Array, got ${describe(bytes)}`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new CunzhengError('BAD_LENGTH', `${what}: expected Uint8Array of length ${length}, got length=${bytes.length}`, {
      details: { want: length, got: bytes.length },
    });
  }
}

/**
 * True when `text` is a string of exactly `length` lowercase hex digits. A char-code loop: digests are
 * checked several times per deposit, and this is about twice as fast as the equivalent regular expression.
 */
export function isLowerHex(text: unknown, length: number): boolean {
  if (typeof text !== 'string' || text.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Decodes lowercase hex (the only form this project emits or accepts); `length` is in bytes. */
export function fromHex(text: unknown, length?: number, what = 'hex'): Uint8Array {
  if (typeof text !== 'string') throw new CunzhengError('BAD_HEX', `${what}: expected a hex string, got ${describe(text)}`);
  if (length !== undefined && text.length !== length * 2) {
    throw new CunzhengError('BAD_HEX', `${what}: expected ${length * 2} hex characters, got ${text.length}`, {
      details: { want: length * 2, got: text.length },
    });
  }
  if (text.length % 2 !== 0 || !isLowerHex(text, text.length)) throw new CunzhengError('BAD_HEX', `${what}: expected lowercase hex with an even number of digits`);
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(text, 'hex'));
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Decodes canonical standard base64: padding required, no whitespace, no URL-safe alphabet, and the unused
 * trailing bits must be zero (so every byte string has exactly one accepted encoding).
 */
export function fromBase64(text: unknown, length?: number, what = 'base64'): Uint8Array {
  if (typeof text !== 'string') throw new CunzhengError('BAD_BASE64', `${what}: expected a base64 string, got ${describe(text)}`);
  if (!B64_RE.test(text)) throw new CunzhengError('BAD_BASE64', `${what}: not canonical standard base64`);
  let out: Uint8Array;
  if (NodeBuffer) {
    out = new Uint8Array(NodeBuffer.from(text, 'base64'));
  } else {
    const bin = atob(text);
    out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  }
  // The alphabet and shape are checked above; canonical also means the bits below the padding are zero.
  // Checked on the last data character instead of re-encoding (a receipt holds ~20 encoded hashes).
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (pad > 0 && (B64_ALPHABET.indexOf(text[text.length - pad - 1]!) & (pad === 2 ? 0x0f : 0x03)) !== 0) {
    throw new CunzhengError('BAD_BASE64', `${what}: non-canonical base64 (nonzero padding bits)`);
  }
  if (length !== undefined && out.length !== length) {
    throw new CunzhengError('BAD_LENGTH', `${what}: expected ${length} bytes, got ${out.length}`, {
      details: { want: length, got: out.length },
    });
  }
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The UTF-8 length of `text`, without allocating the bytes where Node's Buffer is there. */
export function utf8Length(text: string): number {
  return NodeBuffer ? NodeBuffer.byteLength(text, 'utf8') : encoder.encode(text).length;
}

/**
 * UTF-8 like utf8(), but the bytes of a short string are a view of a shared buffer: about three times as
 * fast for entry-sized strings and less garbage. For bytes that are kept or passed on, never for ones the
 * caller writes into or whose `.buffer` it uses.
 */
export function utf8View(text: string): Uint8Array {
  const worst = text.length * 3;
  if (worst > TEXT_VIEWS_BYTES / 16) {
    if (!NodeBuffer) return encoder.encode(text);
    const b = NodeBuffer.from(text, 'utf8');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  // Short strings are written into a 256 KiB buffer: Buffer.from's 8 KiB pool ran out every dozen
  // entries, and allocating a pool (an ArrayBuffer outside the heap) cost 3% of a deposit's CPU.
  const b = textViews.reserve(worst);
  const at = textViews.offset;
  return textViews.take(encoder.encodeInto(text, b.subarray(at, at + worst)).written);
}

const TEXT_VIEWS_BYTES = 256 * 1024;
const textViews = new ByteViews(TEXT_VIEWS_BYTES);

/** Decodes UTF-8, rejecting invalid sequences (no U+FFFD substitution) and keeping a leading BOM as data. */
export function fromUtf8(bytes: Uint8Array, what = 'text'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new CunzhengError('BAD_UTF8', `${what}: invalid UTF-8`, { cause });
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Constant-time equality for equal-length inputs (the time depends only on the length, which is public:
 * digests, key hashes and tokens have fixed lengths). Different lengths return false at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Plain equality for public values (hashes in proofs), where timing reveals nothing. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

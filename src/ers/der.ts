/**
 * DER for evidence records: bounded reading of hostile bytes with asn1js, and the few encodings the builder
 * writes. Encoding is done by concatenating TLVs so that the timestamp tokens stay byte for byte what the TSA
 * signed (a renewal hashes those exact bytes, RFC 4998 §5.2); asn1js would re-encode them.
 */
import * as asn1js from 'asn1js';
import { CunzhengError } from '../errors.js';
import { ersError } from './errors.js';

export type AsnNode = asn1js.AsnType;

/** An evidence record carries a few tokens of a few KiB each; anything far larger is hostile. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const PARSE_LIMITS = { maxDepth: 48, maxNodes: 100_000 } as const;

/** Parses exactly one DER element spanning all of `bytes` (definite lengths only, no trailing data). */
export function decodeRecordDer(bytes: Uint8Array): AsnNode {
  if (!(bytes instanceof Uint8Array)) throw ersError('ERS_BAD_ARGUMENT', 'the evidence record must be bytes');
  if (bytes.length > MAX_RECORD_BYTES) {
    throw ersError('ERS_MALFORMED', `evidence record of ${bytes.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`, { got: bytes.length, max: MAX_RECORD_BYTES });
  }
  let parsed: asn1js.FromBerResult;
  try {
    parsed = asn1js.fromBER(bytes, PARSE_LIMITS);
  } catch (err) {
    throw ersError('ERS_MALFORMED', `evidence record: not valid DER (${errorText(err)})`, undefined, err);
  }
  if (parsed.offset === -1 || parsed.result.error !== '') {
    throw ersError('ERS_MALFORMED', `evidence record: not valid DER (${printable(parsed.result.error || 'decoding failed', 120)})`);
  }
  if (parsed.offset !== bytes.length) {
    throw ersError('ERS_MALFORMED', `evidence record: ${bytes.length - parsed.offset} bytes of trailing data`, { got: bytes.length, want: parsed.offset });
  }
  checkLengths(parsed.result, 0);
  return parsed.result;
}

/** Every constructed element has a definite length its children fill exactly (asn1js lets a child overrun). */
function checkLengths(node: AsnNode, depth: number): void {
  if (depth > PARSE_LIMITS.maxDepth) throw ersError('ERS_MALFORMED', 'evidence record: nested too deeply');
  if (node.lenBlock.isIndefiniteForm) throw ersError('ERS_MALFORMED', 'evidence record: an indefinite length (BER, not DER)');
  if (!node.idBlock.isConstructed) return;
  const children = (node.valueBlock as { value?: unknown }).value;
  if (!Array.isArray(children)) return;
  let sum = 0;
  for (const child of children as AsnNode[]) {
    sum += child.valueBeforeDecodeView.length;
    checkLengths(child, depth + 1);
  }
  if (sum !== node.lenBlock.length) {
    throw ersError('ERS_MALFORMED', `evidence record: an element's content (${sum} bytes) does not match its length (${node.lenBlock.length})`);
  }
}

/** The children of a universal SEQUENCE, or of an IMPLICIT [tag] constructed element, with a count check. */
export function children(node: AsnNode | undefined, what: string, count: { min: number; max: number }, tag?: number): AsnNode[] {
  const ok = tag === undefined
    ? node instanceof asn1js.Sequence
    : node instanceof asn1js.Constructed && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag;
  if (!ok) throw ersError('ERS_MALFORMED', `${what}: expected ${tag === undefined ? 'a SEQUENCE' : `a constructed [${tag}]`}`);
  const value = (node as asn1js.Constructed).valueBlock.value;
  if (value.length < count.min || value.length > count.max) {
    throw ersError('ERS_MALFORMED', `${what}: expected ${count.min}..${count.max} elements, got ${value.length}`, { got: value.length, max: count.max });
  }
  return value;
}

/** True when `node` is a context-specific [tag]. */
export function isContext(node: AsnNode | undefined, tag: number): boolean {
  return node !== undefined && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag;
}

export function integerOf(node: AsnNode | undefined, what: string): bigint {
  if (!(node instanceof asn1js.Integer)) throw ersError('ERS_MALFORMED', `${what}: expected an INTEGER`);
  try {
    return node.toBigInt();
  } catch (err) {
    throw ersError('ERS_MALFORMED', `${what}: unreadable INTEGER`, undefined, err);
  }
}

export function oidOf(node: AsnNode | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier) || node.idBlock.isConstructed) throw ersError('ERS_MALFORMED', `${what}: expected an OBJECT IDENTIFIER`);
  const oid = node.valueBlock.toString();
  if (!/^\d+(\.\d+)+$/.test(oid) || oid.length > 100) throw ersError('ERS_MALFORMED', `${what}: unreadable OBJECT IDENTIFIER`);
  return oid;
}

/** A primitive OCTET STRING's content, copied (DER forbids the constructed form). */
export function octetsOf(node: AsnNode | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString) || node.idBlock.isConstructed) throw ersError('ERS_MALFORMED', `${what}: expected a primitive OCTET STRING`);
  return node.valueBlock.valueHexView.slice();
}

/** The exact encoded bytes of a parsed node (tag, length and content), copied. */
export function encodedBytes(node: AsnNode): Uint8Array {
  return node.valueBeforeDecodeView.slice();
}

/** One DER TLV: `tag` (one identifier octet) with the definite length of `content`. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const length = content.reduce((n, c) => n + c.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    const digits: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) digits.unshift(n % 256);
    lengthBytes.push(0x80 | digits.length, ...digits);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let at = 1 + lengthBytes.length;
  for (const c of content) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, SEQUENCE: 0x30, CONTEXT_CONSTRUCTED: 0xa0 } as const;

/** Runs `fn`, turning anything but a CunzhengError into ERS_MALFORMED (asn1js can throw plain Errors). */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CunzhengError) throw err;
    throw ersError('ERS_MALFORMED', `${what}: ${errorText(err)}`, undefined, err);
  }
}

export function errorText(err: unknown): string {
  return printable(err instanceof Error ? err.message : String(err), 200);
}

/** Replaces control characters and truncates: for text taken from hostile input into messages. */
export function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

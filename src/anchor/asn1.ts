/**
 * A thin, defensive layer over asn1js for reading hostile DER. Every helper either returns the node it was asked
 * for or throws a CunzhengError with the caller's code (TSA_TOKEN_MALFORMED for tokens, TSA_BAD_REPLY for
 * responses…): asn1js reports errors in-band (`offset === -1`) and sometimes throws plain Errors; neither may
 * escape to a caller.
 */
import * as asn1js from 'asn1js';
import type { CunzhengError } from '../errors.js';
import { tsaError, type TsaErrorCode } from './errors.js';

export type AsnNode = asn1js.AsnType;

/** Resource limits for one parse: tokens and responses are a few KiB; anything far larger is hostile. */
const PARSE_LIMITS = { maxDepth: 40, maxNodes: 20_000 } as const;

/** Parses exactly one BER element spanning all of `bytes`; no trailing data. */
export function decodeOne(
  bytes: Uint8Array,
  code: TsaErrorCode,
  what: string,
  limits: { maxDepth: number; maxNodes: number } = PARSE_LIMITS,
): AsnNode {
  let parsed: asn1js.FromBerResult;
  try {
    parsed = asn1js.fromBER(bytes, limits);
  } catch (err) {
    throw tsaError(code, `${what}: not valid DER (${errorText(err)})`, undefined, err);
  }
  if (parsed.offset === -1 || parsed.result.error !== '') {
    throw tsaError(code, `${what}: not valid DER (${parsed.result.error || 'decoding failed'})`);
  }
  if (parsed.offset !== bytes.length) {
    throw tsaError(code, `${what}: ${bytes.length - parsed.offset} bytes of trailing data`, {
      got: bytes.length,
      want: parsed.offset,
    });
  }
  checkLengths(parsed.result, code, what, 0, limits.maxDepth);
  return parsed.result;
}

/**
 * asn1js lets a child run past the end of its parent as long as the outermost length works out; a definite-length
 * constructed element whose children do not exactly fill it is rejected here (BER indefinite lengths stay legal).
 */
function checkLengths(node: AsnNode, code: TsaErrorCode, what: string, depth: number, maxDepth: number): void {
  if (!node.idBlock.isConstructed || depth > maxDepth) return;
  const children = (node.valueBlock as { value?: unknown }).value;
  if (!Array.isArray(children)) return;
  let sum = 0;
  for (const child of children as AsnNode[]) {
    sum += child.valueBeforeDecodeView.length;
    checkLengths(child, code, what, depth + 1, maxDepth);
  }
  if (!node.lenBlock.isIndefiniteForm && sum !== node.lenBlock.length) {
    throw tsaError(code, `${what}: an element's content (${sum} bytes) does not match its length (${node.lenBlock.length})`);
  }
}

/** The elements of a SEQUENCE (or SET, with `set`), with a count check. */
export function elements(
  node: AsnNode | undefined,
  code: TsaErrorCode,
  what: string,
  count: { min: number; max: number },
  set = false,
): AsnNode[] {
  const ok = set ? node instanceof asn1js.Set : node instanceof asn1js.Sequence;
  if (!ok) throw tsaError(code, `${what}: expected a ${set ? 'SET' : 'SEQUENCE'}`);
  const value = (node as asn1js.Sequence).valueBlock.value;
  if (value.length < count.min || value.length > count.max) {
    throw tsaError(code, `${what}: expected ${count.min}..${count.max} elements, got ${value.length}`);
  }
  return value;
}

/** The single element inside an EXPLICIT context tag [n], or the elements of an IMPLICIT constructed [n]. */
export function contextTagged(node: AsnNode | undefined, tag: number): AsnNode[] | undefined {
  if (!(node instanceof asn1js.Constructed) || node.idBlock.tagClass !== 3 || node.idBlock.tagNumber !== tag) {
    return undefined;
  }
  return node.valueBlock.value;
}

export function oidOf(node: AsnNode | undefined, code: TsaErrorCode, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw tsaError(code, `${what}: expected an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

export function integerOf(node: AsnNode | undefined, code: TsaErrorCode, what: string): bigint {
  if (!(node instanceof asn1js.Integer)) throw tsaError(code, `${what}: expected an INTEGER`);
  try {
    return node.toBigInt();
  } catch (err) {
    throw tsaError(code, `${what}: unreadable INTEGER`, undefined, err);
  }
}

/** The content octets of an OCTET STRING (primitive or BER-constructed), copied. */
export function octetsOf(node: AsnNode | undefined, code: TsaErrorCode, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString)) throw tsaError(code, `${what}: expected an OCTET STRING`);
  try {
    return new Uint8Array(node.getValue()).slice();
  } catch (err) {
    throw tsaError(code, `${what}: unreadable OCTET STRING`, undefined, err);
  }
}

/** The exact encoded bytes of a parsed node (tag, length and content), copied. */
export function encodedBytes(node: AsnNode): Uint8Array {
  return node.valueBeforeDecodeView.slice();
}

/** Runs `fn`, turning anything but a CunzhengError into one with `code` (pkijs throws plain Errors). */
export function guard<T>(code: TsaErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isOurs(err)) throw err;
    throw tsaError(code, `${what}: ${errorText(err)}`, undefined, err);
  }
}

export function isOurs(err: unknown): err is CunzhengError {
  return err instanceof Error && err.name === 'CunzhengError' && typeof (err as { code?: unknown }).code === 'string';
}

/** A short, printable description of a foreign error (no control characters, bounded length). */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return printable(text, 200);
}

/** Replaces control characters and truncates: for text taken from hostile input into messages. */
export function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Receipt v1 (`*.receipt.json`), the document a litigator holds: the exact entry bytes, the leaf index, the
 * inclusion proof to a signed checkpoint, and timestamp anchors. docs/FORMATS.md "Receipt v1" is the contract.
 * Receipt v2 is v1 whose anchors may carry the TSA chain's revocation evidence (`revocation`); it is written only
 * when one does, so a receipt without evidence stays v1, byte for byte (docs/FORMATS.md "Receipt v2").
 *
 * Threat model: a receipt arrives from anywhere (an opposing party, a mail attachment). Every field is
 * attacker-controlled, so parsing is strict: a size cap, exact field set and types, canonical encodings, and
 * bounded arrays. A malformed receipt yields a CunzhengError with a stable code, never an uncaught exception.
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, fromUtf8 } from '../crypto/index.js';
import { findDuplicateKey } from '../entry/duplicate-keys.js';

export const RECEIPT_FORMAT = 'cunzheng/receipt/v1';
export const RECEIPT_FORMAT_V2 = 'cunzheng/receipt/v2';
export type ReceiptFormat = typeof RECEIPT_FORMAT | typeof RECEIPT_FORMAT_V2;
/** Evidence items per anchor (one per certificate of the TSA chain but the root), and their sizes in base64. */
export const MAX_REVOCATION_ITEMS = 16;
export const MAX_OCSP_BASE64_CHARS = 88 * 1024;
export const MAX_CRL_BASE64_CHARS = 1400 * 1024;
export const MAX_RECEIPT_BYTES = 4 * 1024 * 1024;
/** A tree of 2^63 leaves has proofs of 63 hashes; 64 bounds any honest proof. */
export const MAX_PROOF_HASHES = 64;
export const MAX_ANCHORS = 32;
export const MAX_NOTE_CHARS = 1024 * 1024;
export const MAX_TOKEN_BASE64_CHARS = 256 * 1024;

export type ReceiptErrorCode =
  | 'RECEIPT_TOO_LARGE'
  | 'RECEIPT_MALFORMED'
  | 'RECEIPT_DUPLICATE_MEMBER'
  | 'RECEIPT_BAD_FORMAT'
  | 'RECEIPT_UNKNOWN_FIELD'
  | 'RECEIPT_BAD_FIELD';

export interface Anchor {
  type: 'rfc3161';
  /** The signed checkpoint note the token stamps (its body's SHA-256 is the token's messageImprint). */
  checkpoint: string;
  /** Base64 DER of the RFC 3161 TimeStampToken. */
  token: string;
  /** Consistency proof between the receipt's checkpoint and this one; empty when they are the same tree. */
  consistency: string[];
  /** v2 only: revocation evidence of the token's TSA chain, fetched when the token was (src/anchor/README.md). */
  revocation?: AnchorRevocation[];
}

export interface AnchorRevocation {
  /** Lowercase hex SHA-256 of the DER certificate the evidence is for. */
  cert: string;
  /** Base64 DER OCSPResponse. */
  ocsp?: string;
  /** Base64 DER CertificateList. */
  crl?: string;
}

export interface Receipt {
  format: ReceiptFormat;
  id: string;
  /** Base64 of the exact entry bytes: hash these, never a re-serialisation. */
  entry: string;
  index: number;
  proof: string[];
  checkpoint: string;
  anchors: Anchor[];
  log: { origin: string; key: string };
}

const RECEIPT_FIELDS = ['format', 'id', 'entry', 'index', 'proof', 'checkpoint', 'anchors', 'log'] as const;
const ANCHOR_FIELDS = ['type', 'checkpoint', 'token', 'consistency'] as const;
const ANCHOR_FIELDS_V2 = [...ANCHOR_FIELDS, 'revocation'] as const;
const REVOCATION_FIELDS = ['cert', 'ocsp', 'crl'] as const;
const LOG_FIELDS = ['origin', 'key'] as const;
const ID_RE = /^[0-9a-f]{32}$/;

function bad(field: string, message: string, cause?: unknown): CunzhengError<ReceiptErrorCode> {
  return new CunzhengError('RECEIPT_BAD_FIELD', `receipt ${field}: ${message}`, { cause, details: { field } });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function exactFields(obj: Record<string, unknown>, allowed: readonly string[], where: string, required: readonly string[] = allowed): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new CunzhengError('RECEIPT_UNKNOWN_FIELD', `receipt ${where}: unknown field ${JSON.stringify(k.slice(0, 64))}`, { details: { field: `${where}.${k.slice(0, 64)}` } });
    }
  }
  for (const k of required) if (!(k in obj)) throw bad(`${where}.${k}`, 'missing');
}

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw bad(field, `expected a string, got ${v === null ? 'null' : typeof v}`);
  if (v.length === 0) throw bad(field, 'empty');
  if (v.length > max) throw bad(field, `longer than ${max} characters`);
  return v;
}

function hashList(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw bad(field, 'expected an array of base64 hashes');
  if (v.length > MAX_PROOF_HASHES) throw bad(field, `more than ${MAX_PROOF_HASHES} hashes`);
  return v.map((h, i) => {
    try {
      fromBase64(h, 32, `${field}[${i}]`);
    } catch (cause) {
      throw bad(`${field}[${i}]`, 'expected the base64 of a 32-byte hash', cause);
    }
    return h as string;
  });
}

function base64Field(v: unknown, field: string, max: number): string {
  const text = str(v, field, max);
  try {
    fromBase64(text, undefined, field);
  } catch (cause) {
    throw bad(field, 'expected base64 DER', cause);
  }
  return text;
}

function parseRevocation(v: unknown, where: string): AnchorRevocation[] {
  if (!Array.isArray(v)) throw bad(where, 'expected an array');
  if (v.length === 0 || v.length > MAX_REVOCATION_ITEMS) throw bad(where, `expected 1 to ${MAX_REVOCATION_ITEMS} items`);
  return v.map((item: unknown, j) => {
    const at = `${where}[${j}]`;
    if (!isPlainObject(item)) throw bad(at, 'expected an object');
    exactFields(item, REVOCATION_FIELDS, at, ['cert']);
    const cert = str(item.cert, `${at}.cert`, 64);
    if (!/^[0-9a-f]{64}$/.test(cert)) throw bad(`${at}.cert`, 'expected 64 lowercase hex characters (SHA-256 of the certificate)');
    if (item.ocsp === undefined && item.crl === undefined) throw bad(at, 'expected ocsp or crl');
    return {
      cert,
      ...(item.ocsp === undefined ? {} : { ocsp: base64Field(item.ocsp, `${at}.ocsp`, MAX_OCSP_BASE64_CHARS) }),
      ...(item.crl === undefined ? {} : { crl: base64Field(item.crl, `${at}.crl`, MAX_CRL_BASE64_CHARS) }),
    };
  });
}

/** v2 when an anchor carries revocation evidence, else v1: what a writer puts in `format`. */
export function receiptFormatFor(anchors: readonly Anchor[]): ReceiptFormat {
  // Total over hostile values (an upgrade's offered anchors are parsed after this): non-objects carry nothing.
  return anchors.some((a) => typeof a === 'object' && a !== null && (a as { revocation?: unknown }).revocation !== undefined) ? RECEIPT_FORMAT_V2 : RECEIPT_FORMAT;
}

function parseAnchor(v: unknown, i: number, format: ReceiptFormat): Anchor {
  const where = `anchors[${i}]`;
  if (!isPlainObject(v)) throw bad(where, 'expected an object');
  exactFields(v, format === RECEIPT_FORMAT ? ANCHOR_FIELDS : ANCHOR_FIELDS_V2, where, ANCHOR_FIELDS);
  if (v.type !== 'rfc3161') throw bad(`${where}.type`, 'unsupported anchor type (expected "rfc3161")');
  const token = str(v.token, `${where}.token`, MAX_TOKEN_BASE64_CHARS);
  try {
    fromBase64(token, undefined, `${where}.token`);
  } catch (cause) {
    throw bad(`${where}.token`, 'expected base64 DER', cause);
  }
  return {
    type: 'rfc3161',
    checkpoint: str(v.checkpoint, `${where}.checkpoint`, MAX_NOTE_CHARS),
    token,
    consistency: hashList(v.consistency, `${where}.consistency`),
    ...(v.revocation === undefined ? {} : { revocation: parseRevocation(v.revocation, `${where}.revocation`) }),
  };
}

/**
 * Parses a receipt from its JSON text (string or bytes) or an already-parsed value. Structure only: the
 * cryptographic checks are verifyReceipt's. Text with a member name twice in one object, at any depth, is
 * refused (RECEIPT_DUPLICATE_MEMBER); an already-parsed value has lost its duplicates, so parse the text.
 */
export function parseReceipt(input: string | Uint8Array | unknown): Receipt {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? input.length : input.byteLength;
    if (size > MAX_RECEIPT_BYTES) throw new CunzhengError('RECEIPT_TOO_LARGE', `receipt larger than ${MAX_RECEIPT_BYTES} bytes`);
    let text: string;
    try {
      text = typeof input === 'string' ? input : fromUtf8(input, 'receipt');
    } catch (cause) {
      throw new CunzhengError('RECEIPT_MALFORMED', 'receipt is not valid UTF-8', { cause });
    }
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new CunzhengError('RECEIPT_MALFORMED', `receipt is not JSON: ${(cause as Error).message}`, { cause });
    }
    // JSON.parse keeps the last of two same-named members, other parsers the first: a receipt naming two
    // deposits (two `index`, `entry` or `proof` members) would verify as one and be read as the other.
    const duplicate = findDuplicateKey(text);
    if (duplicate !== undefined) {
      const shown = duplicate.key.length > 64 ? `${duplicate.key.slice(0, 64)}…` : duplicate.key;
      throw new CunzhengError('RECEIPT_DUPLICATE_MEMBER', `receipt: member ${JSON.stringify(shown)} appears twice in one object`, {
        details: { member: shown, depth: duplicate.depth },
      });
    }
  }
  if (!isPlainObject(value)) throw new CunzhengError('RECEIPT_MALFORMED', 'receipt must be a JSON object');
  if (value.format !== RECEIPT_FORMAT && value.format !== RECEIPT_FORMAT_V2) {
    const got = typeof value.format === 'string' ? JSON.stringify(value.format.slice(0, 64)) : typeof value.format;
    throw new CunzhengError('RECEIPT_BAD_FORMAT', `not a ${RECEIPT_FORMAT} or ${RECEIPT_FORMAT_V2} receipt (format is ${got})`);
  }
  const format: ReceiptFormat = value.format;
  exactFields(value, RECEIPT_FIELDS, 'receipt', ['format', 'id', 'entry', 'index', 'proof', 'checkpoint', 'log']);

  const id = str(value.id, 'id', 64);
  if (!ID_RE.test(id)) throw bad('id', 'expected 32 lowercase hex characters');
  const entry = str(value.entry, 'entry', MAX_RECEIPT_BYTES);
  try {
    fromBase64(entry, undefined, 'entry');
  } catch (cause) {
    throw bad('entry', 'expected base64 of the entry bytes', cause);
  }
  const index = value.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw bad('index', 'expected a non-negative integer below 2^53');
  }
  const proof = hashList(value.proof, 'proof');
  const checkpoint = str(value.checkpoint, 'checkpoint', MAX_NOTE_CHARS);
  let anchors: Anchor[] = [];
  if (value.anchors !== undefined) {
    if (!Array.isArray(value.anchors)) throw bad('anchors', 'expected an array');
    if (value.anchors.length > MAX_ANCHORS) throw bad('anchors', `more than ${MAX_ANCHORS} anchors`);
    anchors = value.anchors.map((a, i) => parseAnchor(a, i, format));
  }
  const log = value.log;
  if (!isPlainObject(log)) throw bad('log', 'expected an object {origin, key}');
  exactFields(log, LOG_FIELDS, 'log');
  return {
    format,
    id,
    entry,
    index,
    proof,
    checkpoint,
    anchors,
    log: { origin: str(log.origin, 'log.origin', 1024), key: str(log.key, 'log.key', 4096) },
  };
}

/** The receipt as the service writes it: fixed field order, two-space indent, final newline. */
export function formatReceipt(r: Receipt): string {
  const ordered = {
    format: r.format,
    id: r.id,
    entry: r.entry,
    index: r.index,
    proof: r.proof,
    checkpoint: r.checkpoint,
    anchors: r.anchors.map((a) => ({
      type: a.type,
      checkpoint: a.checkpoint,
      token: a.token,
      consistency: a.consistency,
      ...(a.revocation === undefined
        ? {}
        : { revocation: a.revocation.map((e) => ({ cert: e.cert, ...(e.ocsp === undefined ? {} : { ocsp: e.ocsp }), ...(e.crl === undefined ? {} : { crl: e.crl }) })) }),
    })),
    log: { origin: r.log.origin, key: r.log.key },
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

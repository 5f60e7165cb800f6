/**
 * C2SP tlog-witness bodies: the add-checkpoint request, the text/x.tlog.size body of a 409, and the
 * cosignature lines of a 200. Pure (no I/O): the witness server parses requests with it, the log's witness
 * client formats requests and parses answers with it.
 *
 *   old <size>\n                 ASCII decimal, no leading zeros ("0" for none)
 *   <base64 32-byte hash>\n      0 to 63 consistency proof lines
 *   \n                           the empty line
 *   <signed checkpoint note>     origin, size, root, [extensions], blank line, signature lines
 *
 * Threat model: every byte comes from the network. Parsing is bounded (MAX_ADD_CHECKPOINT_BODY bytes, 63
 * proof lines, 16 cosignature lines of at most MAX_COSIGNATURE_LINE characters), strict (one accepted
 * spelling: canonical base64, decimal without leading zeros or sign, every line ending in \n, no control
 * character but \n) and total: every failure is a CunzhengError with a WITNESS_* code, never another exception.
 * The checkpoint is checked to be a well-formed note with a well-formed checkpoint body; whether a trusted
 * key signed it is the witness's business.
 */
import { fromBase64, fromUtf8, toBase64, utf8Length } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { MAX_NOTE_SIZE, isValidKeyName, parseNote } from '../note/index.js';
import { parseCheckpoint } from '../checkpoint/index.js';

export interface AddCheckpointRequest {
  oldSize: number;
  /** The consistency proof from oldSize to the checkpoint's size: 32-byte hashes, at most 63. */
  proof: Uint8Array[];
  /** The signed checkpoint note, as sent (final newline included). */
  checkpoint: string;
}

/** Content-Type of a 409's body (the witness's latest cosigned size). */
export const WITNESS_CONTENT_TYPE_SIZE = 'text/x.tlog.size';
/** Content-Type of a 200's cosignature lines and of error messages. */
export const WITNESS_CONTENT_TYPE_TEXT = 'text/plain; charset=utf-8';
/** Largest add-checkpoint body accepted, in bytes: a note of up to 1 MiB (note/) with its header. */
export const MAX_ADD_CHECKPOINT_BODY = MAX_NOTE_SIZE + 4096;
/** Most consistency proof lines (the spec: a client MUST NOT send more than 63). */
export const MAX_PROOF_LINES = 63;
/** Most cosignature lines accepted in a 200 (one per witness key; real witnesses send one to three). */
export const MAX_COSIGNATURE_LINES = 16;
/** Longest cosignature line accepted, in UTF-16 code units (an ML-DSA-44 one is about 3,300). */
export const MAX_COSIGNATURE_LINE = 8192;

const HASH_SIZE = 32;
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;
// ASCII controls other than \n, and unpaired surrogates (not encodable as UTF-8).
const FORBIDDEN = /[\x00-\x09\x0b-\x1f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EM_DASH_SPACE = '\u2014 ';

function badRequest(message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError {
  return new CunzhengError('WITNESS_BAD_REQUEST', `add-checkpoint: ${message}`, { details, cause });
}

function badResponse(message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError {
  return new CunzhengError('WITNESS_BAD_RESPONSE', `witness response: ${message}`, { details, cause });
}

/** A decimal size without sign or leading zeros, at most 2^53−1; undefined otherwise. */
function decimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Decodes and bounds a body: UTF-8 bytes or a string, at most `max` bytes, no control character but \n. */
function decodeBody(body: unknown, max: number, fail: (m: string, d?: Record<string, unknown>, c?: unknown) => CunzhengError): string {
  let text: string;
  if (body instanceof Uint8Array) {
    if (body.length > max) throw fail(`larger than ${max} bytes`, { max, got: body.length });
    try {
      text = fromUtf8(body, 'body');
    } catch (cause) {
      throw fail('not valid UTF-8', undefined, cause);
    }
  } else if (typeof body === 'string') {
    // Each UTF-16 unit is 1 to 3 UTF-8 bytes: bound the string before counting exactly.
    if (body.length > max || utf8Length(body) > max) throw fail(`larger than ${max} bytes`, { max });
    text = body;
  } else {
    throw fail(`expected a string or Uint8Array, got ${body === null ? 'null' : typeof body}`);
  }
  const bad = FORBIDDEN.exec(text);
  if (bad !== null) {
    throw fail(`a control character or unpaired surrogate at offset ${bad.index} (only \\n may end a line)`, { offset: bad.index });
  }
  return text;
}

/**
 * Parses an add-checkpoint body. Throws WITNESS_BAD_REQUEST (details.cause from note/ or checkpoint/ when
 * the checkpoint itself is malformed), or WITNESS_REQUEST_TOO_LARGE above MAX_ADD_CHECKPOINT_BODY bytes.
 */
export function parseAddCheckpointRequest(body: Uint8Array | string): AddCheckpointRequest {
  const text = decodeBody(body, MAX_ADD_CHECKPOINT_BODY, (m, d, c) =>
    m.startsWith('larger') ? new CunzhengError('WITNESS_REQUEST_TOO_LARGE', `add-checkpoint: ${m}`, { details: d }) : badRequest(m, d, c));
  let at = text.indexOf('\n');
  if (at < 0) throw badRequest('the old size line does not end with a newline');
  const first = text.slice(0, at);
  if (!first.startsWith('old ')) throw badRequest("expected the first line 'old <size>'", { got: first.slice(0, 40) });
  const oldSize = decimal(first.slice(4));
  if (oldSize === undefined) {
    throw badRequest('the old size must be decimal digits without sign or leading zeros, at most 2^53-1', { got: first.slice(4, 44) });
  }
  const proof: Uint8Array[] = [];
  for (;;) {
    const start = at + 1;
    at = text.indexOf('\n', start);
    if (at < 0) throw badRequest('no empty line after the consistency proof', { line: proof.length + 2 });
    const line = text.slice(start, at);
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw badRequest(`more than ${MAX_PROOF_LINES} consistency proof lines`, { max: MAX_PROOF_LINES });
    try {
      proof.push(fromBase64(line, HASH_SIZE, 'proof hash'));
    } catch (cause) {
      throw badRequest(`consistency proof line ${proof.length + 1} is not canonical base64 of ${HASH_SIZE} bytes`, { line: proof.length + 2 }, cause);
    }
  }
  const checkpoint = text.slice(at + 1);
  if (checkpoint === '') throw badRequest('no checkpoint after the empty line');
  try {
    parseCheckpoint(parseNote(checkpoint).text);
  } catch (cause) {
    const code = cause instanceof CunzhengError ? cause.code : 'UNKNOWN';
    throw badRequest(`the checkpoint is malformed (${code})`, { cause: code }, cause);
  }
  return { oldSize, proof, checkpoint };
}

/** The add-checkpoint body for `r`; refuses anything parseAddCheckpointRequest would not read back the same. */
export function formatAddCheckpointRequest(r: AddCheckpointRequest): string {
  if (r === null || typeof r !== 'object') throw badRequest('expected a request object');
  if (!isSize(r.oldSize)) throw badRequest(`old size must be a safe non-negative integer, got ${String(r.oldSize)}`);
  if (!Array.isArray(r.proof) || r.proof.length > MAX_PROOF_LINES) throw badRequest(`the proof must be an array of at most ${MAX_PROOF_LINES} hashes`);
  const lines = r.proof.map((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw badRequest(`proof hash ${i} is not ${HASH_SIZE} bytes`);
    return `${toBase64(h)}\n`;
  });
  const body = `old ${r.oldSize}\n${lines.join('')}\n${String(r.checkpoint)}`;
  parseAddCheckpointRequest(body);
  return body;
}

/** The body of a 409: the latest cosigned size in decimal and a newline. */
export function formatSizeBody(size: number): string {
  if (!isSize(size)) throw badResponse(`size must be a safe non-negative integer, got ${String(size)}`);
  return `${size}\n`;
}

/** Parses a text/x.tlog.size body: "<decimal>\n", no sign, no leading zeros, at most 2^53−1. WITNESS_BAD_RESPONSE. */
export function parseSizeBody(body: string | Uint8Array): number {
  const text = decodeBody(body, 32, badResponse);
  if (!text.endsWith('\n')) throw badResponse('the size body must end with a newline', { got: text.slice(0, 32) });
  const size = decimal(text.slice(0, -1));
  if (size === undefined) throw badResponse('the size body must be decimal digits without sign or leading zeros, at most 2^53-1', { got: text.slice(0, 32) });
  return size;
}

/**
 * Parses a 200's body: one or more note signature lines `— <key name> <base64(key ID ‖ signature)>\n`.
 * Returns the lines WITHOUT their newline (as note/'s NoteSignature.line); `appendSignatureLines` puts them
 * under a note. Which lines are by a trusted witness key is for the caller to check (cosignatureVerifier).
 * WITNESS_BAD_RESPONSE.
 */
export function parseCosignatureLines(body: string | Uint8Array): string[] {
  const text = decodeBody(body, MAX_COSIGNATURE_LINES * (MAX_COSIGNATURE_LINE + 1), badResponse);
  if (text === '') throw badResponse('no cosignature line');
  if (!text.endsWith('\n')) throw badResponse('the last cosignature line does not end with a newline');
  const lines = text.slice(0, -1).split('\n', MAX_COSIGNATURE_LINES + 1);
  if (lines.length > MAX_COSIGNATURE_LINES) throw badResponse(`more than ${MAX_COSIGNATURE_LINES} cosignature lines`, { max: MAX_COSIGNATURE_LINES });
  lines.forEach((line, i) => checkSignatureLine(line, i + 1));
  return lines;
}

function checkSignatureLine(line: string, n: number): void {
  if (line.length > MAX_COSIGNATURE_LINE) throw badResponse(`line ${n} is longer than ${MAX_COSIGNATURE_LINE} characters`, { line: n });
  if (!line.startsWith(EM_DASH_SPACE)) throw badResponse(`line ${n} does not start with '\u2014 '`, { line: n });
  const rest = line.slice(EM_DASH_SPACE.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? '' : rest.slice(0, space);
  if (!isValidKeyName(name)) throw badResponse(`line ${n}: expected '\u2014 <key name> <base64>'`, { line: n });
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(rest.slice(space + 1), undefined, 'signature');
  } catch (cause) {
    throw badResponse(`line ${n}: the signature is not canonical base64`, { line: n }, cause);
  }
  if (bytes.length < 5) throw badResponse(`line ${n}: a signature is a 4-byte key ID and at least one byte`, { line: n });
}

/** `signedNote` with `lines` (from parseCosignatureLines) appended, each with its newline. */
export function appendSignatureLines(signedNote: string, lines: readonly string[]): string {
  lines.forEach((line, i) => checkSignatureLine(line, i + 1));
  return signedNote + lines.map((l) => `${l}\n`).join('');
}

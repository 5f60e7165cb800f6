/**
 * Signed notes (C2SP signed-note): parsing and signing. Opening (verifying) is in open-note.ts.
 *
 *   <text, one or more lines, each ending in \n>   ← the signed bytes, final newline included
 *   \n                                             ← the blank line: the LAST empty line of the note
 *   — <key name> <base64(key ID (4) ‖ signature)>\n
 *   — <key name> <base64(…)>\n                     ← one line per signature, order not significant
 *
 * Threat model: the whole message is attacker-controlled until a trusted key has verified it. Parsing is
 * bounded (1 MiB, 100 signature lines), total (every failure is a CunzhengError with a code), and strict:
 * valid UTF-8, no ASCII control character but \n, canonical base64, valid key names. The text itself means
 * nothing until openNote has verified it.
 */
import { fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { keyIdBytes, keyIdHex, keyNameProblem, readKeyId } from './key-id.js';
import type { NoteSigner } from './signer.js';

/** Largest note accepted, in UTF-8 bytes. */
export const MAX_NOTE_SIZE = 1024 * 1024;
/** Most signature lines accepted in one note (the spec asks for at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** One signature line. `signature` is the decoded bytes after the 4-byte key ID. */
export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
  /** The line as it appeared, without the trailing newline. */
  line: string;
}

export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

const EM_DASH_SPACE = '\u2014 ';
// ASCII controls other than \n (the spec forbids those below U+0020; DEL and C1 are not ASCII controls).
const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function utf8Length(text: string): number {
  // Allocation-free: 1 byte below U+0080, 2 below U+0800, 3 for the rest of the BMP, 4 per surrogate pair
  // (counted at its high half; unpaired halves are refused later anyway).
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0xd800 || c > 0xdfff ? 3 : c <= 0xdbff ? 4 : 0;
  }
  return n;
}

/** Decodes and checks the envelope shared by notes and texts: size, UTF-8, control characters. */
function decodeMessage(msg: unknown, what: string): string {
  let text: string;
  if (typeof msg === 'string') {
    if (msg.length > MAX_NOTE_SIZE || utf8Length(msg) > MAX_NOTE_SIZE) {
      throw new CunzhengError('NOTE_TOO_LARGE', `${what} is larger than ${MAX_NOTE_SIZE} bytes`, { details: { max: MAX_NOTE_SIZE } });
    }
    const lone = LONE_SURROGATE.exec(msg);
    if (lone !== null) {
      throw new CunzhengError('NOTE_BAD_UTF8', `${what} has an unpaired surrogate (no UTF-8 encoding)`, { details: { offset: lone.index } });
    }
    text = msg;
  } else if (msg instanceof Uint8Array) {
    if (msg.length > MAX_NOTE_SIZE) {
      throw new CunzhengError('NOTE_TOO_LARGE', `${what} is larger than ${MAX_NOTE_SIZE} bytes`, {
        details: { max: MAX_NOTE_SIZE, got: msg.length },
      });
    }
    try {
      text = fromUtf8(msg, what);
    } catch (cause) {
      throw new CunzhengError('NOTE_BAD_UTF8', `${what} is not valid UTF-8`, { cause });
    }
  } else {
    throw new CunzhengError('NOTE_MALFORMED', `${what}: expected a string or Uint8Array, got ${msg === null ? 'null' : typeof msg}`);
  }
  const control = CONTROL.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0);
    throw new CunzhengError('NOTE_CONTROL_CHARACTER', `${what} contains the control character U+${code.toString(16).padStart(4, '0')}`, {
      details: { offset: control.index, got: code },
    });
  }
  return text;
}

function badLine(index: number, message: string, cause?: unknown): CunzhengError {
  return new CunzhengError('NOTE_BAD_SIGNATURE_LINE', `signature line ${index + 1}: ${message}`, { details: { line: index + 1 }, cause });
}

function parseSignatureLine(line: string, index: number): NoteSignature {
  if (!line.startsWith(EM_DASH_SPACE)) throw badLine(index, "expected '— ' (U+2014, space) at the start");
  const rest = line.slice(EM_DASH_SPACE.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw badLine(index, 'expected <key name> <base64 signature>');
  const name = rest.slice(0, space);
  const b64 = rest.slice(space + 1);
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw badLine(index, `invalid key name: ${problem}`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(b64, undefined, 'signature');
  } catch (cause) {
    throw badLine(index, 'signature is not canonical standard base64', cause);
  }
  if (bytes.length < 5) throw badLine(index, `signature has ${bytes.length} bytes, want a 4-byte key ID and at least 1 more`);
  return { name, keyId: readKeyId(bytes), signature: bytes.subarray(4), line };
}

/**
 * Splits a signed note into its text and signature lines without verifying anything. Identical repeated
 * signature lines are kept once (they say nothing new); the count limit applies before that.
 */
export function parseNote(msg: string | Uint8Array): ParsedNote {
  const note = decodeMessage(msg, 'note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new CunzhengError('NOTE_MALFORMED', 'note has no blank line between text and signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw new CunzhengError('NOTE_MALFORMED', 'note has no signature lines');
  if (!block.endsWith('\n')) throw new CunzhengError('NOTE_MALFORMED', 'note does not end with a newline');
  const lines = block.slice(0, -1).split('\n', MAX_NOTE_SIGNATURES + 1);
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new CunzhengError('NOTE_TOO_MANY_SIGNATURES', `note has more than ${MAX_NOTE_SIGNATURES} signature lines`, {
      details: { max: MAX_NOTE_SIGNATURES },
    });
  }
  const seen = new Set<string>();
  const signatures: NoteSignature[] = [];
  lines.forEach((line, i) => {
    if (seen.has(line)) return;
    seen.add(line);
    signatures.push(parseSignatureLine(line, i));
  });
  return { text, signatures };
}

/** Checks a text to be signed: a note text is non-empty, ends in \n, is valid and bounded. */
export function checkNoteText(text: unknown): string {
  if (typeof text !== 'string') throw new CunzhengError('NOTE_MALFORMED', `note text: expected a string, got ${typeof text}`);
  decodeMessage(text, 'note text');
  if (!text.endsWith('\n')) throw new CunzhengError('NOTE_MALFORMED', 'note text must end with a newline');
  return text;
}

/** The signature line of `signer` over `textBytes`. */
function signatureLine(signer: NoteSigner, textBytes: Uint8Array): string {
  const problem = keyNameProblem(signer.name);
  if (problem !== undefined) throw new CunzhengError('BAD_KEY_NAME', `signer: invalid key name: ${problem}`, { details: { problem } });
  const sig = signer.sign(textBytes);
  const bytes = new Uint8Array(4 + sig.length);
  bytes.set(keyIdBytes(signer.keyId));
  bytes.set(sig, 4);
  return `${EM_DASH_SPACE}${signer.name} ${toBase64(bytes)}`;
}

function assemble(text: string, lines: string[]): string {
  if (lines.length === 0) throw new CunzhengError('NOTE_MALFORMED', 'a signed note needs at least one signature');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new CunzhengError('NOTE_TOO_MANY_SIGNATURES', `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`, {
      details: { max: MAX_NOTE_SIGNATURES, got: lines.length },
    });
  }
  const note = `${text}\n${lines.map((l) => `${l}\n`).join('')}`;
  decodeMessage(note, 'signed note'); // the size limit holds for what we emit, too
  return note;
}

function uniqueSigners(signers: readonly NoteSigner[]): NoteSigner[] {
  const seen = new Set<string>();
  return signers.filter((s) => {
    const k = `${s.name}+${keyIdHex(s.keyId)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Signs `text` (ending in \n) with each signer, in order; a repeated (name, key ID) signs once. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text);
  const bytes = utf8(text);
  return assemble(text, uniqueSigners(signers).map((s) => signatureLine(s, bytes)));
}

/**
 * Adds signatures to a signed note (a witness adding its cosignature, a log rotating keys). Existing lines
 * are kept in order, except those by a key that signs anew, and the new lines follow. This verifies
 * nothing: open the note with the keys you trust before signing what it says.
 */
export function addSignatures(signedNote: string | Uint8Array, signers: readonly NoteSigner[]): string {
  const { text, signatures } = parseNote(signedNote);
  const fresh = uniqueSigners(signers);
  const replaced = new Set(fresh.map((s) => `${s.name}+${keyIdHex(s.keyId)}`));
  const kept = signatures.filter((s) => !replaced.has(`${s.name}+${keyIdHex(s.keyId)}`)).map((s) => s.line);
  const bytes = utf8(text);
  return assemble(text, [...kept, ...fresh.map((s) => signatureLine(s, bytes))]);
}

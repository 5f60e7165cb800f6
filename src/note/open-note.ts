/**
 * Opening a signed note: parse it, then check its signatures against the keys the caller trusts.
 *
 * The rules (C2SP signed-note §Signatures):
 * - a signature line is by a known key only if both its key name and its key ID match that key; any other
 *   line (an unknown key, or one sharing only the name or only the ID) is ignored and kept in `unverified`;
 * - every line by a known key is verified, and one that fails rejects the whole note (NOTE_BAD_SIGNATURE):
 *   a note carrying a forged signature of a trusted key is evidence of an attack, not a note to read;
 * - a note that no known key verified is rejected (NOTE_UNVERIFIED).
 * The order of the lines is not significant.
 */
import { utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { keyIdHex } from './key-id.js';
import { parseNote, type NoteSignature } from './note.js';
import type { NoteVerifier } from './verifier-key.js';

export interface VerifiedSignature {
  signature: NoteSignature;
  verifier: NoteVerifier;
}

export interface OpenedNote {
  /** The signed text, final newline included. */
  text: string;
  /** One entry per known key that signed, in the order of the lines. */
  verified: VerifiedSignature[];
  /** Lines by keys the caller did not give. */
  unverified: NoteSignature[];
}

function label(name: string, keyId: number): string {
  return `${name}+${keyIdHex(keyId)}`;
}

function sameKey(a: NoteVerifier, b: NoteVerifier): boolean {
  return a.type === b.type && a.publicKey.length === b.publicKey.length && a.publicKey.every((x, i) => x === b.publicKey[i]);
}

function index(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const byKey = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const k = label(v.name, v.keyId);
    const other = byKey.get(k);
    if (other !== undefined && !sameKey(other, v)) {
      throw new CunzhengError('NOTE_AMBIGUOUS_VERIFIER', `two different trusted keys are both named ${k}`, { details: { key: k } });
    }
    byKey.set(k, v);
  }
  return byKey;
}

/** Parses `msg` and verifies it against `verifiers` (the keys the caller trusts). */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const byKey = index(verifiers);
  const { text, signatures } = parseNote(msg);
  const textBytes = utf8(text);
  const verified: VerifiedSignature[] = [];
  const unverified: NoteSignature[] = [];
  const done = new Set<NoteVerifier>();
  for (const signature of signatures) {
    const verifier = byKey.get(label(signature.name, signature.keyId));
    if (verifier === undefined) {
      unverified.push(signature);
      continue;
    }
    if (!verifier.verify(textBytes, signature.signature)) {
      throw new CunzhengError('NOTE_BAD_SIGNATURE', `the signature of the trusted key ${label(signature.name, signature.keyId)} does not verify`, {
        details: { name: signature.name, keyId: keyIdHex(signature.keyId) },
      });
    }
    if (!done.has(verifier)) {
      done.add(verifier);
      verified.push({ signature, verifier });
    }
  }
  if (verified.length === 0) {
    throw new CunzhengError('NOTE_UNVERIFIED', 'no trusted key signed this note', {
      details: { signatures: signatures.map((s) => label(s.name, s.keyId)), trusted: [...byKey.keys()] },
    });
  }
  return { text, verified, unverified };
}

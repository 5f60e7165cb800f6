/**
 * Key names, signature types and key IDs shared by verifier keys, signer keys and signature lines
 * (C2SP signed-note).
 *
 *   key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], read as a big-endian uint32
 *
 * Key names arrive from hostile notes and keys: every check here is total (no exceptions but coded ones).
 */
import { sha256, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';

/** Signature type 0x01: Ed25519 over the note text (signed-note). */
export const KEY_TYPE_ED25519 = 0x01;
/** Signature type 0x04: timestamped Ed25519 witness cosignature (tlog-cosignature, cosignature/v1). */
export const KEY_TYPE_COSIGNATURE_V1 = 0x04;

/**
 * Signature type 0xff, which signed-note leaves for types it has not assigned, followed by an identifier: here
 * always SM2_NOTE_ALG_ID (SM2-with-SM3, see sm2.ts). Other identifiers after 0xff are UNSUPPORTED_KEY_TYPE.
 */
export const KEY_TYPE_SM2 = 0xff;

/** Longest key name accepted (in UTF-16 code units); real names are short URLs. */
export const MAX_KEY_NAME_LENGTH = 1024;

// A Unicode space (White_Space, as Go's unicode.IsSpace), a control character (Cc), a plus, or half of a
// surrogate pair that has no other half (a string that is not valid UTF-16 has no UTF-8 encoding).
const FORBIDDEN_IN_NAME = /[\p{White_Space}\p{Cc}+]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Why `name` is not a valid key name, or undefined when it is. */
export function keyNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `expected a string, got ${name === null ? 'null' : typeof name}`;
  if (name === '') return 'key name is empty';
  if (name.length > MAX_KEY_NAME_LENGTH) return `key name longer than ${MAX_KEY_NAME_LENGTH} characters`;
  const bad = FORBIDDEN_IN_NAME.exec(name);
  if (bad !== null) {
    const cp = bad[0].codePointAt(0) ?? 0;
    return `key name contains U+${cp.toString(16).toUpperCase().padStart(4, '0')} (no spaces, controls or '+')`;
  }
  return undefined;
}

/** True when `name` is non-empty, well-formed, and has no Unicode space, control character or '+'. */
export function isValidKeyName(name: unknown): name is string {
  return keyNameProblem(name) === undefined;
}

/** Throws BAD_KEY_NAME unless `name` is a valid key name. */
export function assertKeyName(name: unknown): asserts name is string {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw new CunzhengError('BAD_KEY_NAME', `invalid key name: ${problem}`, { details: { problem } });
}

/** The key ID of (name, signature type, public key). */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  assertKeyName(name);
  const digest = sha256(utf8(name), Uint8Array.of(0x0a, type), publicKey);
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

/** Eight lowercase hex digits, as key IDs are written in keys and messages. */
export function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** The 4 big-endian bytes of a key ID. */
export function keyIdBytes(id: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, id, false);
  return out;
}

/** Reads a big-endian uint32 key ID from the first 4 bytes. */
export function readKeyId(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
}

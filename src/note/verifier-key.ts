/**
 * Verifier keys (C2SP signed-note "vkeys"): `<name>+<hex8 key ID>+<base64(type ‖ public key)>`.
 *
 * A verifier key is trust material, but it is also text that people paste into command lines and
 * configuration files, so it is parsed strictly: every malformed key is a coded error, and a key ID
 * that does not match the name and key bytes is refused rather than trusted.
 */
import { ED25519_PUBLIC_KEY_SIZE, assertBytes, ed25519Verify, fromBase64, toBase64 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { cosignatureVerifier } from './cosignature.js';
import { KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, KEY_TYPE_SM2, keyId, keyIdHex, keyNameProblem } from './key-id.js';
import { SM2_NOTE_ALG_ID, SM2_NOTE_KEY_SIZE, isSm2Material, sm2Verifier } from './sm2.js';

export { keyId } from './key-id.js';

/** Checks signatures by one key. `verify` gets the note text and the signature bytes after the key ID. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

/** Longest verifier key accepted: a name of up to 1024 characters plus an encoded Ed25519 key. */
const MAX_VERIFIER_KEY_LENGTH = 4096;
const KEY_ID_HEX = /^[0-9a-f]{8}$/;

/** A verifier of plain Ed25519 note signatures (type 0x01) by `publicKey` under `name`. */
export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertBytes(publicKey, ED25519_PUBLIC_KEY_SIZE, 'Ed25519 public key');
  const key = publicKey.slice();
  const id = keyId(name, KEY_TYPE_ED25519, key);
  return Object.freeze({
    name,
    keyId: id,
    type: KEY_TYPE_ED25519,
    publicKey: key,
    verify: (msg: Uint8Array, sig: Uint8Array) => ed25519Verify(key, msg, sig),
    toString: () => `NoteVerifier(${name}+${keyIdHex(id)}, Ed25519)`,
  });
}

/**
 * `name+hex8(keyId)+base64(type ‖ publicKey)`. For SM2 (type 0xff) `publicKey` is a verifier's `publicKey`
 * (SM2_NOTE_ALG_ID ‖ 65-byte key), or the bare 65-byte key (04 ‖ X ‖ Y), to which the identifier is prepended.
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array, type: number = KEY_TYPE_ED25519): string {
  assertBytes(publicKey, undefined, 'public key');
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', `signature type must be a byte, got ${String(type)}`);
  }
  if (type === KEY_TYPE_SM2 && publicKey.length === SM2_NOTE_KEY_SIZE - SM2_NOTE_ALG_ID.length && publicKey[0] === 0x04) {
    publicKey = Uint8Array.from([...SM2_NOTE_ALG_ID, ...publicKey]);
  }
  const id = keyId(name, type, publicKey);
  const material = new Uint8Array(1 + publicKey.length);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${keyIdHex(id)}+${toBase64(material)}`;
}

function bad(message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError {
  return new CunzhengError('BAD_VERIFIER_KEY', `verifier key: ${message}`, { details, cause });
}

/**
 * Parses a verifier key. Types 0x01 (Ed25519), 0x04 (cosignature/v1) and 0xff followed by SM2_NOTE_ALG_ID
 * (SM2) are supported; any other type, or 0xff with another identifier, is UNSUPPORTED_KEY_TYPE. The key ID in the text must equal the one computed from the name and key bytes.
 */
export function parseVerifierKey(vkey: unknown): NoteVerifier {
  if (typeof vkey !== 'string') throw bad(`expected a string, got ${vkey === null ? 'null' : typeof vkey}`);
  if (vkey.length > MAX_VERIFIER_KEY_LENGTH) throw bad(`longer than ${MAX_VERIFIER_KEY_LENGTH} characters`, { got: vkey.length });
  // The base64 key material may itself contain '+': split at the first two only.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw bad('expected <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const hex = vkey.slice(first + 1, second);
  const b64 = vkey.slice(second + 1);
  const problem = keyNameProblem(name);
  if (problem !== undefined) {
    throw new CunzhengError('BAD_KEY_NAME', `verifier key: invalid key name: ${problem}`, { details: { problem } });
  }
  if (!KEY_ID_HEX.test(hex)) throw bad('key ID must be 8 lowercase hex digits', { got: hex.slice(0, 16) });
  let material: Uint8Array;
  try {
    material = fromBase64(b64, undefined, 'verifier key material');
  } catch (cause) {
    throw bad('key material is not canonical base64', undefined, cause);
  }
  const type = material[0];
  if (type === undefined) throw bad('key material is empty');
  const publicKey = material.subarray(1);
  const want = keyId(name, type, publicKey);
  const got = Number.parseInt(hex, 16);
  if (got !== want) {
    throw new CunzhengError('KEY_ID_MISMATCH', `verifier key: key ID ${hex} does not match the key (want ${keyIdHex(want)})`, {
      details: { got: hex, want: keyIdHex(want) },
    });
  }
  if (type === KEY_TYPE_SM2 && isSm2Material(publicKey)) {
    if (publicKey.length !== SM2_NOTE_KEY_SIZE) {
      throw bad(`expected SM2_NOTE_ALG_ID and a 65-byte SM2 public key, got ${publicKey.length} bytes`, { want: SM2_NOTE_KEY_SIZE, got: publicKey.length });
    }
    try {
      return sm2Verifier(name, publicKey.subarray(SM2_NOTE_ALG_ID.length));
    } catch (cause) {
      throw bad('not a point on the SM2 curve', undefined, cause);
    }
  }
  if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE_V1) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', `verifier key: unsupported signature type 0x${type.toString(16).padStart(2, '0')}`, {
      details: { got: type, want: [KEY_TYPE_ED25519, KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_SM2] },
    });
  }
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw bad(`expected a ${ED25519_PUBLIC_KEY_SIZE}-byte Ed25519 public key, got ${publicKey.length} bytes`, {
      want: ED25519_PUBLIC_KEY_SIZE,
      got: publicKey.length,
    });
  }
  return type === KEY_TYPE_ED25519 ? ed25519Verifier(name, publicKey) : cosignatureVerifier(name, publicKey);
}

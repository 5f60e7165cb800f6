/**
 * Witness cosignatures, C2SP tlog-cosignature, Ed25519 flavour ("cosignature/v1", signature type 0x04).
 *
 * A cosignature is a note signature line on a checkpoint whose bytes are
 *
 *   key ID (4) ‖ timestamp (8, big-endian POSIX seconds) ‖ Ed25519 signature (64)
 *
 * and whose Ed25519 signature covers, not the note text alone, but
 *
 *   "cosignature/v1\n" ‖ "time " ‖ decimal(timestamp) ‖ "\n" ‖ checkpoint body
 *
 * The header line separates this message from a plain note signature, and the key ID is computed with type
 * 0x04, so a plain Ed25519 signature (0x01) can never pass for a cosignature, nor the reverse.
 *
 * The timestamp comes from the note, so it is hostile: a verifier refuses any timestamp above 2^53−1
 * (the spec allows up to 2^63−1; nothing honest needs the years after 285,000,000) so that times are
 * exact JS numbers. Whether a time in the future is acceptable is the caller's policy.
 */
import { ED25519_PUBLIC_KEY_SIZE, ED25519_SIGNATURE_SIZE, assertBytes, concatBytes, ed25519Sign, ed25519Verify, publicKeyFromSeed, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { KEY_TYPE_COSIGNATURE_V1, keyId, keyIdHex } from './key-id.js';
import { makeSigner, type NoteSigner } from './signer.js';
import type { NoteVerifier } from './verifier-key.js';

export const COSIGNATURE_V1_HEADER = 'cosignature/v1\n';
/** Timestamp (8) and Ed25519 signature (64): the signature bytes after the key ID. */
export const COSIGNATURE_V1_SIZE = 8 + ED25519_SIGNATURE_SIZE;

function isTime(time: unknown): time is number {
  return typeof time === 'number' && Number.isSafeInteger(time) && time >= 0;
}

/** The message a cosignature/v1 signs for a checkpoint `body` (the note text, final newline included). */
export function cosignedMessage(body: Uint8Array, time: number): Uint8Array {
  if (!isTime(time)) {
    throw new CunzhengError('COSIGNATURE_BAD_TIME', `cosignature time must be a non-negative safe integer, got ${String(time)}`);
  }
  return concatBytes(utf8(`${COSIGNATURE_V1_HEADER}time ${time}\n`), body);
}

/**
 * The timestamp (POSIX seconds) of a cosignature/v1, from the signature bytes after the key ID
 * (`NoteSignature.signature`). Read it only from a signature that a cosignature verifier accepted.
 */
export function cosignatureTime(signature: Uint8Array): number {
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_V1_SIZE) {
    throw new CunzhengError('COSIGNATURE_MALFORMED', `a cosignature/v1 has ${COSIGNATURE_V1_SIZE} bytes after the key ID`, {
      details: { want: COSIGNATURE_V1_SIZE, got: signature instanceof Uint8Array ? signature.length : typeof signature },
    });
  }
  const time = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CunzhengError('COSIGNATURE_BAD_TIME', `cosignature time ${time} is beyond 2^53-1`, { details: { got: time.toString() } });
  }
  return Number(time);
}

/** A verifier of cosignature/v1 lines by the witness key `publicKey` named `name`. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertBytes(publicKey, ED25519_PUBLIC_KEY_SIZE, 'Ed25519 cosigner public key');
  const key = publicKey.slice();
  const id = keyId(name, KEY_TYPE_COSIGNATURE_V1, key);
  return Object.freeze({
    name,
    keyId: id,
    type: KEY_TYPE_COSIGNATURE_V1,
    publicKey: key,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (sig.length !== COSIGNATURE_V1_SIZE) return false;
      let time: number;
      try {
        time = cosignatureTime(sig);
      } catch {
        return false;
      }
      return ed25519Verify(key, cosignedMessage(msg, time), sig.subarray(8));
    },
    toString: () => `NoteVerifier(${name}+${keyIdHex(id)}, cosignature/v1)`,
  });
}

/**
 * A cosigner (signature type 0x04) for the witness key `seed` named `name`. `now` gives the POSIX time in
 * seconds for each signature (the system clock by default; tests pass a fixed one).
 */
export function cosignerFromSeed(name: string, seed: Uint8Array, now: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner {
  assertBytes(seed, 32, 'Ed25519 seed');
  const secret = seed.slice();
  const publicKey = publicKeyFromSeed(secret);
  const id = keyId(name, KEY_TYPE_COSIGNATURE_V1, publicKey);
  return makeSigner(name, id, KEY_TYPE_COSIGNATURE_V1, publicKey, (msg: Uint8Array): Uint8Array => {
    const time = now();
    const out = new Uint8Array(COSIGNATURE_V1_SIZE);
    out.set(ed25519Sign(secret, cosignedMessage(msg, time)), 8);
    new DataView(out.buffer).setBigUint64(0, BigInt(time), false);
    return out;
  });
}

/**
 * SM2 (GB/T 32918.2, with SM3) signatures on signed notes. C2SP signed-note reserves signature type 0xff for
 * types it has not assigned and asks that an identifier follow it; ours is the DER of the OID of
 * SM2-with-SM3, 1.2.156.10197.1.501:
 *
 *   key material      = 0xff ‖ SM2_NOTE_ALG_ID ‖ 65-byte public key (04 ‖ X ‖ Y)
 *   key ID            = SHA-256(name ‖ 0x0A ‖ 0xff ‖ SM2_NOTE_ALG_ID ‖ public key)[:4]
 *   vkey              = <name>+<hex8 key ID>+base64(key material)
 *   signature bytes   = key ID (4) ‖ DER SEQUENCE { r, s } over the note text, ZA with id 1234567812345678
 *   signer key        = PRIVATE+KEY+<name>+<hex8 key ID>+base64(0xff ‖ SM2_NOTE_ALG_ID ‖ 32-byte d)
 *
 * A NoteVerifier's or NoteSigner's `publicKey` for SM2 is the key material after the type byte
 * (SM2_NOTE_ALG_ID ‖ 65-byte key), so keyId(name, type, publicKey) and formatVerifierKey work unchanged;
 * `sm2PublicKeyOf` gives the 65 bytes. README.md beside this file walks through an example byte by byte.
 */
import {
  SM2_PRIVATE_KEY_SIZE,
  SM2_PUBLIC_KEY_SIZE,
  concatBytes,
  sm2GenerateKeyPair,
  sm2PublicKeyFromPrivate,
  sm2Signer,
  sm2Verify,
  sm2Z,
  toBase64,
} from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { KEY_TYPE_SM2, assertKeyName, keyId, keyIdHex } from './key-id.js';
import { makeSigner, type NoteSigner } from './signer.js';
import type { NoteVerifier } from './verifier-key.js';

/** DER of OBJECT IDENTIFIER 1.2.156.10197.1.501 (SM2-with-SM3, GM/T 0006): `06 08 2a 81 1c cf 55 01 83 75`. */
export const SM2_NOTE_ALG_ID = Uint8Array.from([0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75]);
/** SM2_NOTE_ALG_ID ‖ 65-byte public key: what follows the type byte in a verifier key. */
export const SM2_NOTE_KEY_SIZE = SM2_NOTE_ALG_ID.length + SM2_PUBLIC_KEY_SIZE;
const SIGNER_MATERIAL_SIZE = 1 + SM2_NOTE_ALG_ID.length + SM2_PRIVATE_KEY_SIZE;
const PREFIX = 'PRIVATE+KEY+';

/** True when `material` (the bytes after the 0xff type byte) starts with SM2_NOTE_ALG_ID. */
export function isSm2Material(material: Uint8Array): boolean {
  if (material.length < SM2_NOTE_ALG_ID.length) return false;
  for (let i = 0; i < SM2_NOTE_ALG_ID.length; i++) if (material[i] !== SM2_NOTE_ALG_ID[i]) return false;
  return true;
}

/** The 65-byte SM2 public key of an SM2 verifier or signer (whose `publicKey` carries the identifier first). */
export function sm2PublicKeyOf(v: { type: number; publicKey: Uint8Array }): Uint8Array {
  if (v.type !== KEY_TYPE_SM2 || v.publicKey.length !== SM2_NOTE_KEY_SIZE || !isSm2Material(v.publicKey)) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', 'not an SM2 note key');
  }
  return v.publicKey.slice(SM2_NOTE_ALG_ID.length);
}

function noteKey(publicKey: Uint8Array): Uint8Array {
  return concatBytes(SM2_NOTE_ALG_ID, publicKey);
}

/** A verifier of SM2 note signatures (type 0xff + SM2-with-SM3) by the 65-byte `publicKey` under `name`. */
export function sm2Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName(name);
  sm2Z(publicKey); // SM2_BAD_PUBLIC_KEY unless a point on the curve
  const key = publicKey.slice();
  const material = noteKey(key);
  const id = keyId(name, KEY_TYPE_SM2, material);
  return Object.freeze({
    name,
    keyId: id,
    type: KEY_TYPE_SM2,
    publicKey: material,
    verify: (msg: Uint8Array, sig: Uint8Array) => sm2Verify(key, msg, sig),
    toString: () => `NoteVerifier(${name}+${keyIdHex(id)}, SM2)`,
  });
}

/** An SM2 note signer for the 32-byte private key `d` under `name` (deterministic: same text, same line). */
export function sm2SignerFromPrivate(name: string, d: Uint8Array): NoteSigner {
  assertKeyName(name);
  const publicKey = sm2PublicKeyFromPrivate(d); // SM2_BAD_PRIVATE_KEY
  const material = noteKey(publicKey);
  return makeSigner(name, keyId(name, KEY_TYPE_SM2, material), KEY_TYPE_SM2, material, sm2Signer(d));
}

/** `PRIVATE+KEY+<name>+<hex8 key ID>+base64(0xff ‖ SM2_NOTE_ALG_ID ‖ d)`. */
export function formatSm2SignerKey(name: string, d: Uint8Array): string {
  const signer = sm2SignerFromPrivate(name, d);
  const material = new Uint8Array(SIGNER_MATERIAL_SIZE);
  material[0] = KEY_TYPE_SM2;
  material.set(SM2_NOTE_ALG_ID, 1);
  material.set(d, 1 + SM2_NOTE_ALG_ID.length);
  try {
    return `${PREFIX}${name}+${keyIdHex(signer.keyId)}+${toBase64(material)}`;
  } finally {
    material.fill(0);
  }
}

/** `<name>+<hex8 key ID>+base64(0xff ‖ SM2_NOTE_ALG_ID ‖ public key)`. */
export function formatSm2VerifierKey(name: string, publicKey: Uint8Array): string {
  const v = sm2Verifier(name, publicKey);
  return `${name}+${keyIdHex(v.keyId)}+${toBase64(Uint8Array.of(KEY_TYPE_SM2, ...v.publicKey))}`;
}

/**
 * The signer of an SM2 signer key's decoded material, for parseSignerKey: exactly 0xff ‖ SM2_NOTE_ALG_ID ‖
 * 32 bytes; another identifier after 0xff is UNSUPPORTED_KEY_TYPE. Errors never quote the key; the
 * material is zeroed.
 */
export function sm2SignerFromMaterial(name: string, material: Uint8Array): NoteSigner {
  try {
    if (!isSm2Material(material.subarray(1))) {
      throw new CunzhengError('UNSUPPORTED_KEY_TYPE', 'signer key: signature type 0xff with an identifier other than SM2-with-SM3');
    }
    if (material.length !== SIGNER_MATERIAL_SIZE) {
      throw new CunzhengError('BAD_SIGNER_KEY', `signer key: an SM2 key is ${SIGNER_MATERIAL_SIZE} bytes of key material`);
    }
    try {
      return sm2SignerFromPrivate(name, material.subarray(1 + SM2_NOTE_ALG_ID.length));
    } catch (cause) {
      throw new CunzhengError('BAD_SIGNER_KEY', 'signer key: not an SM2 private key in [1, n − 2]', { cause });
    }
  } finally {
    material.fill(0);
  }
}

/** A fresh SM2 log key for `name`: the signer, its signer key (secret) and its verifier key (public). */
export function generateSm2Signer(name: string): { signer: NoteSigner; signerKey: string; verifierKey: string } {
  assertKeyName(name);
  const { privateKey, publicKey } = sm2GenerateKeyPair();
  try {
    return { signer: sm2SignerFromPrivate(name, privateKey), signerKey: formatSm2SignerKey(name, privateKey), verifierKey: formatSm2VerifierKey(name, publicKey) };
  } finally {
    privateKey.fill(0);
  }
}

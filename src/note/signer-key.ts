/**
 * Signer keys in the Go sumdb/note format:
 *
 *   PRIVATE+KEY+<name>+<hex8 key ID>+base64(type ‖ 32-byte Ed25519 seed)
 *
 * The literal "PRIVATE+KEY" prefix keeps a signer key from being mistaken for a verifier key. Parse errors
 * never quote the key text: a typo in a secret must not print the secret.
 */
import { ED25519_SEED_SIZE, assertBytes, ed25519Sign, fromBase64, generateSeed, publicKeyFromSeed, toBase64 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { cosignerFromSeed } from './cosignature.js';
import { KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, KEY_TYPE_SM2, assertKeyName, keyId, keyIdHex, keyNameProblem } from './key-id.js';
import { sm2SignerFromMaterial } from './sm2.js';
import { makeSigner, type NoteSigner } from './signer.js';
import { formatVerifierKey } from './verifier-key.js';

export type { NoteSigner } from './signer.js';

const PREFIX = 'PRIVATE+KEY+';
const MAX_SIGNER_KEY_LENGTH = 4096;
const KEY_ID_HEX = /^[0-9a-f]{8}$/;

/** A plain Ed25519 note signer (type 0x01) for `seed` under `name`. */
export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  assertKeyName(name);
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  const secret = seed.slice();
  const publicKey = publicKeyFromSeed(secret);
  const id = keyId(name, KEY_TYPE_ED25519, publicKey);
  return makeSigner(name, id, KEY_TYPE_ED25519, publicKey, (msg) => ed25519Sign(secret, msg));
}

function checkType(type: number): void {
  if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE_V1) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', `signer key: unsupported signature type ${String(type)}`, {
      details: { got: type, want: [KEY_TYPE_ED25519, KEY_TYPE_COSIGNATURE_V1] },
    });
  }
}

/** `PRIVATE+KEY+<name>+<hex8 key ID>+base64(type ‖ seed)`; type 0x01 (log key) or 0x04 (cosigner). */
export function formatSignerKey(name: string, seed: Uint8Array, type: number = KEY_TYPE_ED25519): string {
  assertKeyName(name);
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  checkType(type);
  const id = keyId(name, type, publicKeyFromSeed(seed));
  const material = new Uint8Array(1 + ED25519_SEED_SIZE);
  material[0] = type;
  material.set(seed, 1);
  return `${PREFIX}${name}+${keyIdHex(id)}+${toBase64(material)}`;
}

function bad(message: string, cause?: unknown): CunzhengError {
  return new CunzhengError('BAD_SIGNER_KEY', `signer key: ${message}`, { cause });
}

/**
 * Parses a signer key. Type 0x01 gives a note signer; type 0x04 a cosigner, whose signatures are stamped
 * with `options.now()` (POSIX seconds; the system clock by default); type 0xff + SM2_NOTE_ALG_ID (43 bytes of
 * material) an SM2 note signer.
 */
export function parseSignerKey(skey: unknown, options: { now?: () => number } = {}): NoteSigner {
  if (typeof skey !== 'string') throw bad(`expected a string, got ${skey === null ? 'null' : typeof skey}`);
  if (skey.length > MAX_SIGNER_KEY_LENGTH) throw bad(`longer than ${MAX_SIGNER_KEY_LENGTH} characters`);
  if (!skey.startsWith(PREFIX)) throw bad("expected the prefix 'PRIVATE+KEY+'");
  // The base64 key material may itself contain '+': split at the first two only.
  const rest = skey.slice(PREFIX.length);
  const first = rest.indexOf('+');
  const second = first < 0 ? -1 : rest.indexOf('+', first + 1);
  if (second < 0) throw bad('expected PRIVATE+KEY+<name>+<key id>+<key>');
  const name = rest.slice(0, first);
  const hex = rest.slice(first + 1, second);
  const b64 = rest.slice(second + 1);
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw new CunzhengError('BAD_KEY_NAME', `signer key: invalid key name: ${problem}`, { details: { problem } });
  if (!KEY_ID_HEX.test(hex)) throw bad('key ID must be 8 lowercase hex digits');
  let material: Uint8Array;
  try {
    material = fromBase64(b64, undefined, 'signer key material');
  } catch (cause) {
    throw bad('key material must be canonical base64', cause);
  }
  if (material[0] === KEY_TYPE_SM2) return checkId(sm2SignerFromMaterial(name, material), hex);
  if (material.length !== 1 + ED25519_SEED_SIZE) {
    material.fill(0);
    throw bad(`key material must be canonical base64 of ${1 + ED25519_SEED_SIZE} bytes`);
  }
  const type = material[0] as number;
  checkType(type);
  const seed = material.subarray(1);
  const signer = type === KEY_TYPE_ED25519 ? signerFromSeed(name, seed) : cosignerFromSeed(name, seed, options.now);
  material.fill(0);
  return checkId(signer, hex);
}

function checkId(signer: NoteSigner, hex: string): NoteSigner {
  if (keyIdHex(signer.keyId) !== hex) {
    throw new CunzhengError('KEY_ID_MISMATCH', `signer key: key ID ${hex} does not match the key (want ${keyIdHex(signer.keyId)})`, {
      details: { got: hex, want: keyIdHex(signer.keyId) },
    });
  }
  return signer;
}

/** A fresh key for `name`: the signer key (secret) and the verifier key (public) to hand to verifiers. */
export function generateSigner(name: string, type: number = KEY_TYPE_ED25519): { signerKey: string; verifierKey: string } {
  assertKeyName(name);
  checkType(type);
  const seed = generateSeed();
  try {
    return { signerKey: formatSignerKey(name, seed, type), verifierKey: formatVerifierKey(name, publicKeyFromSeed(seed), type) };
  } finally {
    seed.fill(0);
  }
}

/**
 * Ed25519 (RFC 8032) on node:crypto. Keys are raw bytes at the API (32-byte seed, 32-byte public key);
 * KeyObjects are built once per key and cached, because building one costs about as much as a verify.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { CunzhengError } from '../errors.js';
import { assertBytes, toHex } from './bytes.js';

export const ED25519_SEED_SIZE = 32;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

// DER prefixes of PKCS#8 and SPKI for id-Ed25519 (1.3.101.112), followed by the raw 32 bytes.
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

const CACHE_LIMIT = 1024;
const publicCache = new Map<string, KeyObject>();
const privateCache = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, key: string, make: () => KeyObject): KeyObject {
  let k = cache.get(key);
  if (k === undefined) {
    k = make();
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, k);
  }
  return k;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return cached(publicCache, toHex(publicKey), () => {
    const der = new Uint8Array(SPKI_PREFIX.length + 32);
    der.set(SPKI_PREFIX);
    der.set(publicKey, SPKI_PREFIX.length);
    try {
      return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    } catch (cause) {
      throw new CunzhengError('BAD_PUBLIC_KEY', 'not a valid Ed25519 public key', { cause });
    }
  });
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return cached(privateCache, toHex(seed), () => {
    const der = new Uint8Array(PKCS8_PREFIX.length + 32);
    der.set(PKCS8_PREFIX);
    der.set(seed, PKCS8_PREFIX.length);
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  });
}

export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(ED25519_SEED_SIZE));
}

/** The 32-byte public key of a 32-byte seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  const spki = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - ED25519_PUBLIC_KEY_SIZE));
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  return new Uint8Array(sign(null, message, privateKeyObject(seed)));
}

/** False (never an exception) for a wrong signature, a signature of the wrong length or an invalid key. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** A fresh key pair, for tests and first start. */
export function generateKeyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = new Uint8Array(pkcs8.subarray(pkcs8.length - ED25519_SEED_SIZE));
  return { seed, publicKey: publicKeyFromSeed(seed) };
}

/**
 * Ed25519 (RFC 8032) on @noble/curves: the same API as ed25519.ts for runtimes without node:crypto (the
 * in-browser verifier; web/build.mjs maps ed25519.ts to this file). Verification is RFC 8032's strict form
 * (zip215 off: S < L and canonical point encodings), as OpenSSL's is; tests cross-check both backends on
 * valid, altered and malformed signatures.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertBytes } from './bytes.js';

export const ED25519_SEED_SIZE = 32;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

export function generateSeed(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(ED25519_SEED_SIZE));
}

/** The 32-byte public key of a 32-byte seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  return ed25519.getPublicKey(seed);
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(seed, ED25519_SEED_SIZE, 'Ed25519 seed');
  return ed25519.sign(message, seed);
}

/** False (never an exception) for a wrong signature, a signature of the wrong length or an invalid key. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A fresh key pair, for tests and first start. */
export function generateKeyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const seed = generateSeed();
  return { seed, publicKey: publicKeyFromSeed(seed) };
}

/** An entry's nonce: the caller's (checked) or a fresh random one, as the entry writes it (lowercase hex). */
import { toHex } from '../crypto/index.js';
import { badField, describeValue } from './fields.js';

export const NONCE_BYTES = 16;

// Nonces come from a pool refilled 256 at a time: one getRandomValues call per nonce cost more than the
// rest of building an entry. The pool is filled by the platform CSPRNG, hex-encoded at once (an entry
// writes its nonce as hex), and each nonce is used once; the random bytes are zeroed after encoding.
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
const NONCE_HEX = 2 * NONCE_BYTES;
let noncePool = '';
let noncePoolOffset = 0;

function randomNonceHex(): string {
  if (noncePoolOffset + NONCE_HEX > noncePool.length) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_POOL_BYTES));
    noncePool = toHex(bytes);
    bytes.fill(0);
    noncePoolOffset = 0;
  }
  const n = noncePool.slice(noncePoolOffset, noncePoolOffset + NONCE_HEX);
  noncePoolOffset += NONCE_HEX;
  return n;
}

/** The caller's nonce, checked, or a fresh random one; as the entry writes it (lowercase hex). */
export function nonceOf(given: unknown): string {
  if (given === undefined) return randomNonceHex();
  if (!(given instanceof Uint8Array) || given.length !== NONCE_BYTES) {
    badField('nonce', `expected ${NONCE_BYTES} bytes`, { want: NONCE_BYTES, got: given instanceof Uint8Array ? given.length : describeValue(given) });
  }
  return toHex(given);
}

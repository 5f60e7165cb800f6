/**
 * SM2 digital signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) with SM3, written out here: the ZA value,
 * the signing and verifying equations and their checks. The curve arithmetic is @noble/curves' (see
 * sm2-curve.ts). Node's crypto is not used for SM2 itself: it signs with an empty distinguishing identifier,
 * which standard verifiers reject (README).
 *
 * The nonce k is deterministic (RFC 6979 §3.2, HMAC-DRBG with HMAC-SM3, q = n), so signing the same message
 * with the same key twice gives the same bytes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { invert, mod } from '@noble/curves/abstract/modular.js';
import { CunzhengError } from '../errors.js';
import { utf8 } from './bytes.js';
import { sm3 } from './hash.js';
import {
  SM2_CURVE,
  SM2_N,
  SM2_PRIVATE_KEY_SIZE,
  bigintToBytes32,
  bytesToBigint,
  decodePrivateKey,
  decodePublicKey,
  encodePoint,
  Sm2Point,
  tryDecodePublicKey,
  verifyingPoint,
} from './sm2-curve.js';
import { encodeSm2Signature, parseSm2Signature } from './sm2-der.js';

export { SM2_PRIVATE_KEY_SIZE, SM2_PUBLIC_KEY_SIZE } from './sm2-curve.js';
export {
  SM2_MAX_SIGNATURE_SIZE,
  SM2_SPKI_SIZE,
  encodeSm2Signature,
  parseSm2Signature,
  pemDecode,
  pemEncode,
  sm2Pkcs8FromPrivateKey,
  sm2PrivateKeyFromPem,
  sm2PrivateKeyFromPkcs8,
  sm2PrivateKeyToPem,
  sm2PublicKeyFromPem,
  sm2PublicKeyFromSpki,
  sm2PublicKeyToPem,
  sm2SpkiFromPublicKey,
} from './sm2-der.js';

/** The default distinguishing identifier of GB/T 35276-2017 / GM/T 0009-2012: ASCII `1234567812345678`. */
export const SM2_DEFAULT_ID: Uint8Array = utf8('1234567812345678');
/** ENTL is a 16-bit count of bits, so an identifier is at most 8191 bytes. */
export const SM2_MAX_ID_SIZE = 8191;

const CURVE_BYTES = Uint8Array.from([
  ...bigintToBytes32(SM2_CURVE.a),
  ...bigintToBytes32(SM2_CURVE.b),
  ...bigintToBytes32(SM2_CURVE.Gx),
  ...bigintToBytes32(SM2_CURVE.Gy),
]);

function checkId(id: unknown): Uint8Array {
  if (!(id instanceof Uint8Array) || id.length > SM2_MAX_ID_SIZE) {
    throw new CunzhengError('SM2_BAD_ID', `an SM2 distinguishing identifier is at most ${SM2_MAX_ID_SIZE} bytes`);
  }
  return id;
}

/** A fresh key pair: d uniform in [1, n − 2], and its public key 0x04 ‖ X ‖ Y. */
export function sm2GenerateKeyPair(): { privateKey: Uint8Array; publicKey: Uint8Array } {
  for (;;) {
    const privateKey = new Uint8Array(randomBytes(SM2_PRIVATE_KEY_SIZE));
    const d = bytesToBigint(privateKey);
    if (d >= 1n && d <= SM2_N - 2n) return { privateKey, publicKey: encodePoint(Sm2Point.BASE.multiply(d)) };
  }
}

/** The 65-byte public key d·G of a 32-byte private key. */
export function sm2PublicKeyFromPrivate(priv: Uint8Array): Uint8Array {
  return encodePoint(Sm2Point.BASE.multiply(decodePrivateKey(priv)));
}

/** ZA = SM3(ENTLA ‖ IDA ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GB/T 32918.2 §5.5); SM2_BAD_PUBLIC_KEY, SM2_BAD_ID. */
export function sm2Z(publicKey: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  decodePublicKey(publicKey);
  checkId(id);
  const bits = id.length * 8;
  return sm3(Uint8Array.of(bits >>> 8, bits & 0xff), id, CURVE_BYTES, publicKey.subarray(1)).slice();
}

/** e = SM3(ZA ‖ M), the digest both sides work on. */
export function sm2Digest(publicKey: Uint8Array, msg: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  return sm3(sm2Z(publicKey, id), msg).slice();
}

function hmacSm3(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sm3', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * RFC 6979 §3.2 with HMAC-SM3 and q = n (qlen = hlen = 256, so bits2int is plain big-endian): yields
 * candidates k in [1, n − 1], deterministically from d and e, until the caller accepts one.
 */
function* nonces(d: bigint, e: Uint8Array): Generator<bigint> {
  const x = bigintToBytes32(d);
  const h1 = bigintToBytes32(mod(bytesToBigint(e), SM2_N)); // bits2octets(h1)
  let V: Uint8Array = new Uint8Array(32).fill(1);
  let K: Uint8Array = new Uint8Array(32);
  K = hmacSm3(K, V, Uint8Array.of(0), x, h1);
  V = hmacSm3(K, V);
  K = hmacSm3(K, V, Uint8Array.of(1), x, h1);
  V = hmacSm3(K, V);
  for (;;) {
    V = hmacSm3(K, V);
    const k = bytesToBigint(V);
    if (k >= 1n && k < SM2_N) yield k;
    K = hmacSm3(K, V, Uint8Array.of(0));
    V = hmacSm3(K, V);
  }
}

/**
 * One attempt of GB/T 32918.2 §6.1 steps A4–A6 with nonce k: (r, s), or undefined when k must be replaced
 * (r = 0, r + k = n, s = 0).
 */
function signWithK(d: bigint, e: bigint, k: bigint): { r: bigint; s: bigint } | undefined {
  const x1 = Sm2Point.BASE.multiply(k).toAffine().x;
  const r = mod(e + x1, SM2_N);
  if (r === 0n || r + k === SM2_N) return undefined;
  const s = mod(invert(1n + d, SM2_N) * (k - r * d), SM2_N);
  if (s === 0n) return undefined;
  return { r, s };
}

/** Signs the digest e = SM3(ZA ‖ M) (see sm2Digest); DER SEQUENCE { r, s }. */
export function sm2SignDigest(priv: Uint8Array, e: Uint8Array): Uint8Array {
  const d = decodePrivateKey(priv);
  if (!(e instanceof Uint8Array) || e.length !== 32) throw new CunzhengError('BAD_LENGTH', 'an SM2 digest is 32 bytes');
  const ei = bytesToBigint(e);
  for (const k of nonces(d, e)) {
    const sig = signWithK(d, ei, k);
    if (sig !== undefined) return encodeSm2Signature(sig.r, sig.s);
  }
  /* c8 ignore next */
  throw new Error('unreachable');
}

/** The SM2 signature of msg under the identifier id (default 1234567812345678); DER SEQUENCE { r, s }. */
export function sm2Sign(priv: Uint8Array, msg: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  const publicKey = sm2PublicKeyFromPrivate(priv);
  return sm2SignDigest(priv, sm2Digest(publicKey, msg, id));
}

/**
 * A signing function for one key and identifier, with ZA computed once (sm2Sign derives the public key and
 * ZA on every call, which doubles its cost). The private key is copied into the closure.
 */
export function sm2Signer(priv: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): (msg: Uint8Array) => Uint8Array {
  const secret = priv.slice();
  const z = sm2Z(sm2PublicKeyFromPrivate(secret), id);
  return (msg) => sm2SignDigest(secret, sm3(z, msg).slice());
}

/**
 * GB/T 32918.2 §7.1 over the digest e = SM3(ZA ‖ M): r, s in [1, n − 1], t = (r + s) mod n ≠ 0,
 * (x1, y1) = s·G + t·PA not the point at infinity, and (e + x1) mod n = r. Total: false on anything wrong.
 */
export function sm2VerifyDigest(pub: Uint8Array, e: Uint8Array, derSig: Uint8Array): boolean {
  if (!(e instanceof Uint8Array) || e.length !== 32) return false;
  const key = verifyingPoint(pub);
  if (key === undefined) return false;
  const sig = parseSm2Signature(derSig);
  if (sig === undefined) return false;
  const { r, s } = sig;
  const t = mod(r + s, SM2_N);
  if (t === 0n) return false;
  try {
    const p = key.table ? Sm2Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t)) : Sm2Point.BASE.mulAddUnsafe(s, key.point, t);
    if (p.is0()) return false;
    return mod(bytesToBigint(e) + p.toAffine().x, SM2_N) === r;
  } catch {
    return false;
  }
}

/** Verifies an SM2 signature of msg under id (default 1234567812345678). Total: false, never an exception. */
export function sm2Verify(pub: Uint8Array, msg: Uint8Array, derSig: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): boolean {
  if (tryDecodePublicKey(pub) === undefined || !(msg instanceof Uint8Array)) return false;
  if (!(id instanceof Uint8Array) || id.length > SM2_MAX_ID_SIZE) return false;
  return sm2VerifyDigest(pub, sm2Digest(pub, msg, id), derSig);
}

/**
 * Internal, for the known-answer tests of the standard's worked example (which fixes k): one signing attempt
 * with a given nonce. Not exported from the package.
 */
export const sm2Internal = Object.freeze({
  signWithK(priv: Uint8Array, e: Uint8Array, k: bigint): { r: bigint; s: bigint } | undefined {
    return signWithK(decodePrivateKey(priv), bytesToBigint(e), k);
  },
  nonce(priv: Uint8Array, e: Uint8Array): bigint {
    return nonces(decodePrivateKey(priv), e).next().value as bigint;
  },
});

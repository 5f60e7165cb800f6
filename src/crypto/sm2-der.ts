/**
 * The DER forms around SM2: the signature SEQUENCE { r INTEGER, s INTEGER } (GB/T 35276 / GM/T 0009), the
 * SubjectPublicKeyInfo and PKCS#8 of an SM2 key (id-ecPublicKey with the sm2p256v1 curve OID, as OpenSSL 3
 * writes them), and PEM armour for handing keys to openssl. Parsers are strict and total.
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, toBase64 } from './bytes.js';
import {
  SM2_N,
  SM2_PRIVATE_KEY_SIZE,
  SM2_PUBLIC_KEY_SIZE,
  bigintToBytes32,
  bytesToBigint,
  decodePrivateKey,
  decodePublicKey,
  encodePoint,
  Sm2Point,
} from './sm2-curve.js';

/** The longest DER signature: 2 + 2 × (2 + 33). */
export const SM2_MAX_SIGNATURE_SIZE = 72;

function derInteger(x: bigint): Uint8Array {
  const raw = bigintToBytes32(x);
  let i = 0;
  while (i < raw.length - 1 && raw[i] === 0) i++;
  const body = raw.subarray(i);
  const pad = (body[0]! & 0x80) !== 0 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** DER SEQUENCE { INTEGER r, INTEGER s } for r, s in [1, n − 1]. */
export function encodeSm2Signature(r: bigint, s: bigint): Uint8Array {
  const a = derInteger(r);
  const b = derInteger(s);
  const out = new Uint8Array(2 + a.length + b.length);
  out[0] = 0x30;
  out[1] = a.length + b.length;
  out.set(a, 2);
  out.set(b, 2 + a.length);
  return out;
}

/** Reads a minimal, positive DER INTEGER of at most 33 bytes at `at`; undefined on anything else. */
function readInteger(der: Uint8Array, at: number): { value: bigint; next: number } | undefined {
  if (at + 2 > der.length || der[at] !== 0x02) return undefined;
  const len = der[at + 1]!;
  if (len === 0 || len > 33 || at + 2 + len > der.length) return undefined;
  const body = der.subarray(at + 2, at + 2 + len);
  if ((body[0]! & 0x80) !== 0) return undefined; // negative
  if (body[0] === 0 && (len === 1 || (body[1]! & 0x80) === 0)) return undefined; // zero or not minimal
  return { value: bytesToBigint(body), next: at + 2 + len };
}

/**
 * (r, s) of a strict DER signature — short-form lengths, minimal positive INTEGERs, 1 ≤ r, s < n, no bytes
 * after it — or undefined. Never throws, whatever the input.
 */
export function parseSm2Signature(der: unknown): { r: bigint; s: bigint } | undefined {
  if (!(der instanceof Uint8Array) || der.length < 8 || der.length > SM2_MAX_SIGNATURE_SIZE) return undefined;
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const r = readInteger(der, 2);
  if (r === undefined) return undefined;
  const s = readInteger(der, r.next);
  if (s === undefined || s.next !== der.length) return undefined;
  if (r.value >= SM2_N || s.value >= SM2_N) return undefined;
  return { r: r.value, s: s.value };
}

// SEQUENCE { SEQUENCE { id-ecPublicKey 1.2.840.10045.2.1, sm2p256v1 1.2.156.10197.1.301 }, BIT STRING 00 ‖ point }
const ALG_ID = Uint8Array.from([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d,
]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x59, ...ALG_ID, 0x03, 0x42, 0x00]);
export const SM2_SPKI_SIZE = SPKI_PREFIX.length + SM2_PUBLIC_KEY_SIZE;

function hasPrefix(b: Uint8Array, prefix: Uint8Array): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}

/** The DER SubjectPublicKeyInfo of a 65-byte SM2 public key. */
export function sm2SpkiFromPublicKey(pub: Uint8Array): Uint8Array {
  decodePublicKey(pub);
  const out = new Uint8Array(SM2_SPKI_SIZE);
  out.set(SPKI_PREFIX);
  out.set(pub, SPKI_PREFIX.length);
  return out;
}

/**
 * The 65-byte public key of a DER SubjectPublicKeyInfo with id-ecPublicKey and the sm2p256v1 curve and an
 * uncompressed point on it; SM2_BAD_SPKI for anything else (other curves, compressed points, trailing bytes).
 */
export function sm2PublicKeyFromSpki(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array) || der.length !== SM2_SPKI_SIZE || !hasPrefix(der, SPKI_PREFIX)) {
    throw new CunzhengError('SM2_BAD_SPKI', 'not the SubjectPublicKeyInfo of an SM2 (sm2p256v1) uncompressed key');
  }
  const pub = der.slice(SPKI_PREFIX.length);
  try {
    decodePublicKey(pub);
  } catch (cause) {
    throw new CunzhengError('SM2_BAD_SPKI', 'the SubjectPublicKeyInfo holds a point not on sm2p256v1', { cause });
  }
  return pub;
}

// PKCS#8 { version 0, ALG_ID, OCTET STRING { ECPrivateKey { 1, OCTET STRING d, [1] BIT STRING point } } }
const PKCS8_HEAD = Uint8Array.from([0x30, 0x81, 0x87, 0x02, 0x01, 0x00, ...ALG_ID, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20]);
const PKCS8_MID = Uint8Array.from([0xa1, 0x44, 0x03, 0x42, 0x00]);
const PKCS8_SIZE = PKCS8_HEAD.length + SM2_PRIVATE_KEY_SIZE + PKCS8_MID.length + SM2_PUBLIC_KEY_SIZE;

/** The DER PKCS#8 PrivateKeyInfo of a 32-byte SM2 private key (with its public key), as openssl writes it. */
export function sm2Pkcs8FromPrivateKey(priv: Uint8Array): Uint8Array {
  const d = decodePrivateKey(priv);
  const out = new Uint8Array(PKCS8_SIZE);
  out.set(PKCS8_HEAD);
  out.set(priv, PKCS8_HEAD.length);
  out.set(PKCS8_MID, PKCS8_HEAD.length + SM2_PRIVATE_KEY_SIZE);
  out.set(encodePoint(Sm2Point.BASE.multiply(d)), PKCS8_HEAD.length + SM2_PRIVATE_KEY_SIZE + PKCS8_MID.length);
  return out;
}

/**
 * The 32-byte private key of a DER PKCS#8 in exactly the form sm2Pkcs8FromPrivateKey (and `openssl genpkey
 * -algorithm SM2`) writes; the embedded public key must match. SM2_BAD_PKCS8 otherwise.
 */
export function sm2PrivateKeyFromPkcs8(der: Uint8Array): Uint8Array {
  const bad = (why: string): CunzhengError => new CunzhengError('SM2_BAD_PKCS8', `not an SM2 PKCS#8 private key: ${why}`);
  if (!(der instanceof Uint8Array) || der.length !== PKCS8_SIZE || !hasPrefix(der, PKCS8_HEAD)) throw bad('layout');
  const priv = der.slice(PKCS8_HEAD.length, PKCS8_HEAD.length + SM2_PRIVATE_KEY_SIZE);
  let expected: Uint8Array;
  try {
    expected = sm2Pkcs8FromPrivateKey(priv);
  } catch {
    throw bad('private scalar out of range');
  }
  for (let i = 0; i < expected.length; i++) if (expected[i] !== der[i]) throw bad('public key does not match');
  return priv;
}

/** PEM armour: `-----BEGIN <label>-----`, base64 in 64-character lines, `-----END <label>-----`. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block with this label; BAD_PEM when there is none or its base64 is bad. */
export function pemDecode(label: string, pem: string): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const i = typeof pem === 'string' ? pem.indexOf(begin) : -1;
  const j = i < 0 ? -1 : pem.indexOf(end, i + begin.length);
  if (i < 0 || j < 0 || pem.length > 1 << 20) throw new CunzhengError('BAD_PEM', `no ${label} PEM block`);
  const body = pem.slice(i + begin.length, j).replace(/[\r\n\t ]/g, '');
  try {
    return fromBase64(body);
  } catch (cause) {
    throw new CunzhengError('BAD_PEM', `the ${label} PEM block is not base64`, { cause });
  }
}

export const sm2PublicKeyToPem = (pub: Uint8Array): string => pemEncode('PUBLIC KEY', sm2SpkiFromPublicKey(pub));
export const sm2PublicKeyFromPem = (pem: string): Uint8Array => sm2PublicKeyFromSpki(pemDecode('PUBLIC KEY', pem));
export const sm2PrivateKeyToPem = (priv: Uint8Array): string => pemEncode('PRIVATE KEY', sm2Pkcs8FromPrivateKey(priv));
export const sm2PrivateKeyFromPem = (pem: string): Uint8Array => sm2PrivateKeyFromPkcs8(pemDecode('PRIVATE KEY', pem));

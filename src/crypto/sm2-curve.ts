/**
 * The sm2p256v1 curve of GB/T 32918.5-2017 (the same parameters as GM/T 0003.5-2012), on the Weierstrass
 * point arithmetic of @noble/curves. Only the curve lives here; the SM2 equations are in sm2.ts.
 */
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { CunzhengError } from '../errors.js';

/** GB/T 32918.5-2017 §4 (recommended curve parameters). */
export const SM2_CURVE = Object.freeze({
  p: 0xfffffffe_ffffffff_ffffffff_ffffffff_ffffffff_00000000_ffffffff_ffffffffn,
  a: 0xfffffffe_ffffffff_ffffffff_ffffffff_ffffffff_00000000_ffffffff_fffffffcn,
  b: 0x28e9fa9e_9d9f5e34_4d5a9e4b_cf6509a7_f39789f5_15ab8f92_ddbcbd41_4d940e93n,
  n: 0xfffffffe_ffffffff_ffffffff_ffffffff_7203df6b_21c6052b_53bbf409_39d54123n,
  h: 1n,
  Gx: 0x32c4ae2c_1f198119_5f990446_6a39c994_8fe30bbf_f2660be1_715a4589_334c74c7n,
  Gy: 0xbc3736a2_f4f6779c_59bdcee3_6b692153_d0a9877c_c62a4740_02df32e5_2139f0a0n,
});

export const SM2_N = SM2_CURVE.n;
export const SM2_PRIVATE_KEY_SIZE = 32;
/** 0x04 ‖ X(32) ‖ Y(32): SEC1 uncompressed, the only public key form the API takes. */
export const SM2_PUBLIC_KEY_SIZE = 65;

export const Sm2Point = weierstrass({
  p: SM2_CURVE.p,
  n: SM2_CURVE.n,
  h: SM2_CURVE.h,
  a: SM2_CURVE.a,
  b: SM2_CURVE.b,
  Gx: SM2_CURVE.Gx,
  Gy: SM2_CURVE.Gy,
});
export type Sm2PointType = InstanceType<typeof Sm2Point>;

export function bigintToBytes32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < b.length; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

// Decoded points are cached: decoding checks the curve equation, and a verifier checks the same few keys
// over and over. A key used a second time also gets a window-4 wNAF table (13 ms once, about 40 KB), which
// takes a verify from about 2.7 ms to about 1 ms on a 2-core box; only the newest few keys keep a table.
const CACHE_LIMIT = 256;
const TABLE_LIMIT = 16;
interface Cached {
  point: Sm2PointType;
  uses: number;
  table: Sm2PointType | undefined;
}
const pointCache = new Map<string, Cached>();
const tables: Cached[] = [];

function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

function lookup(pub: unknown): Cached | undefined {
  if (!(pub instanceof Uint8Array) || pub.length !== SM2_PUBLIC_KEY_SIZE || pub[0] !== 0x04) return undefined;
  const key = hexOf(pub);
  const hit = pointCache.get(key);
  if (hit !== undefined) return hit;
  let point: Sm2PointType;
  try {
    point = Sm2Point.fromBytes(pub);
    point.assertValidity();
  } catch {
    return undefined;
  }
  if (point.is0()) return undefined;
  if (pointCache.size >= CACHE_LIMIT) pointCache.delete(pointCache.keys().next().value as string);
  const entry: Cached = { point, uses: 0, table: undefined };
  pointCache.set(key, entry);
  return entry;
}

/**
 * The point of a 65-byte uncompressed public key, or undefined when the bytes are not one (wrong length or
 * prefix, coordinates ≥ p, not on the curve, the point at infinity). Never throws.
 */
export function tryDecodePublicKey(pub: unknown): Sm2PointType | undefined {
  return lookup(pub)?.point;
}

/**
 * The public key's point for verifying, and whether it carries a precomputed table (then a separate
 * multiplyUnsafe is faster than the joint mulAddUnsafe). Undefined when `pub` is not a public key.
 */
export function verifyingPoint(pub: unknown): { point: Sm2PointType; table: boolean } | undefined {
  const entry = lookup(pub);
  if (entry === undefined) return undefined;
  entry.uses++;
  if (entry.table === undefined && entry.uses >= 2) {
    entry.table = Sm2Point.fromAffine(entry.point.toAffine()).precompute(4, false);
    tables.push(entry);
    if (tables.length > TABLE_LIMIT) tables.shift()!.table = undefined;
  }
  return entry.table === undefined ? { point: entry.point, table: false } : { point: entry.table, table: true };
}

/** The point of a public key, or SM2_BAD_PUBLIC_KEY. */
export function decodePublicKey(pub: unknown): Sm2PointType {
  const point = tryDecodePublicKey(pub);
  if (point === undefined) {
    throw new CunzhengError('SM2_BAD_PUBLIC_KEY', 'not an SM2 public key (65 bytes 0x04 ‖ X ‖ Y on sm2p256v1)', {
      details: { got: pub instanceof Uint8Array ? pub.length : typeof pub },
    });
  }
  return point;
}

/**
 * The private scalar d of 32 big-endian bytes, which SM2 requires in [1, n − 2] (1 + d must be invertible
 * mod n), or SM2_BAD_PRIVATE_KEY.
 */
export function decodePrivateKey(priv: unknown): bigint {
  if (!(priv instanceof Uint8Array) || priv.length !== SM2_PRIVATE_KEY_SIZE) {
    throw new CunzhengError('SM2_BAD_PRIVATE_KEY', 'an SM2 private key is 32 bytes', {
      details: { got: priv instanceof Uint8Array ? priv.length : typeof priv },
    });
  }
  const d = bytesToBigint(priv);
  if (d < 1n || d > SM2_N - 2n) {
    throw new CunzhengError('SM2_BAD_PRIVATE_KEY', 'an SM2 private key is in [1, n − 2]');
  }
  return d;
}

export function encodePoint(point: Sm2PointType): Uint8Array {
  const a = point.toAffine();
  const out = new Uint8Array(SM2_PUBLIC_KEY_SIZE);
  out[0] = 0x04;
  out.set(bigintToBytes32(a.x), 1);
  out.set(bigintToBytes32(a.y), 33);
  return out;
}

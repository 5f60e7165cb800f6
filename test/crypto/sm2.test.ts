/**
 * SM2 against the worked example of GB/T 32918.2-2016 Annex A (sm2p256v1, d = 3945208F…, id
 * 1234567812345678, "message digest": the published public key, ZA, e, k, r, s), the curve against its
 * defining properties, deterministic signing, and the strict DER and key encodings.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeSm2Signature,
  fromHex,
  parseSm2Signature,
  sm2Digest,
  sm2GenerateKeyPair,
  sm2Pkcs8FromPrivateKey,
  sm2PrivateKeyFromPkcs8,
  sm2PublicKeyFromPrivate,
  sm2PublicKeyFromSpki,
  sm2PublicKeyFromPem,
  sm2PublicKeyToPem,
  sm2Sign,
  sm2SignDigest,
  sm2Signer,
  sm2SpkiFromPublicKey,
  sm2Verify,
  sm2VerifyDigest,
  sm2Z,
  toHex,
  utf8,
  SM2_DEFAULT_ID,
} from '../../src/crypto/index.js';
import { sm2Internal } from '../../src/crypto/sm2.js';
import { SM2_CURVE, Sm2Point } from '../../src/crypto/sm2-curve.js';

const h = (s: string): Uint8Array => fromHex(s.toLowerCase().replace(/\s/g, ''));

// GB/T 32918.2-2016 Annex A.2 (also GM/T 0003.2 examples on the recommended curve, OpenSSL's sm2 tests).
const KAT = {
  d: h('3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8'),
  x: '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020',
  y: 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13',
  za: 'B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3',
  e: 'F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640',
  k: 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n,
  x1: '04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73',
  r: 0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3n,
  s: 0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aan,
};
const MSG = utf8('message digest');

describe('the curve sm2p256v1', () => {
  it('has G on the curve and n·G = O, n prime order', () => {
    const { p, a, b, Gx, Gy, n } = SM2_CURVE;
    expect((Gy * Gy - (Gx * Gx * Gx + a * Gx + b)) % p).toBe(0n);
    expect(Sm2Point.BASE.multiplyUnsafe(n - 1n).add(Sm2Point.BASE).is0()).toBe(true);
    expect(a).toBe(p - 3n);
  });
});

describe('SM2 worked example (GB/T 32918.2-2016 Annex A)', () => {
  const pub = sm2PublicKeyFromPrivate(KAT.d);
  it('derives the published public key, ZA and e', () => {
    expect(toHex(pub)).toBe(('04' + KAT.x + KAT.y).toLowerCase());
    expect(toHex(sm2Z(pub))).toBe(KAT.za.toLowerCase());
    expect(toHex(sm2Z(pub, utf8('1234567812345678')))).toBe(KAT.za.toLowerCase());
    expect(toHex(sm2Digest(pub, MSG))).toBe(KAT.e.toLowerCase());
  });
  it('with the published k, gives the published (r, s) and x1 = x([k]G)', () => {
    expect(Sm2Point.BASE.multiply(KAT.k).toAffine().x.toString(16).padStart(64, '0')).toBe(KAT.x1.toLowerCase());
    expect(sm2Internal.signWithK(KAT.d, h(KAT.e), KAT.k)).toEqual({ r: KAT.r, s: KAT.s });
  });
  it('verifies the published (r, s), and not under another id, message or key', () => {
    const sig = encodeSm2Signature(KAT.r, KAT.s);
    expect(sm2Verify(pub, MSG, sig)).toBe(true);
    expect(sm2VerifyDigest(pub, h(KAT.e), sig)).toBe(true);
    expect(sm2Verify(pub, MSG, sig, new Uint8Array(0))).toBe(false);
    expect(sm2Verify(pub, utf8('message digesT'), sig)).toBe(false);
    expect(sm2Verify(sm2GenerateKeyPair().publicKey, MSG, sig)).toBe(false);
    expect(sm2Verify(pub, MSG, encodeSm2Signature(KAT.r, SM2_CURVE.n - KAT.s))).toBe(false);
  });
  it('our own (deterministic) signature of the example verifies', () => {
    const sig = sm2Sign(KAT.d, MSG);
    expect(sm2Verify(pub, MSG, sig)).toBe(true);
    expect(toHex(sm2Sign(KAT.d, MSG))).toBe(toHex(sig));
    expect(toHex(sm2SignDigest(KAT.d, h(KAT.e)))).toBe(toHex(sig));
    expect(toHex(sm2Signer(KAT.d)(MSG))).toBe(toHex(sig));
    expect(sm2Verify(pub, MSG, sm2Signer(KAT.d, utf8('ALICE'))(MSG), utf8('ALICE'))).toBe(true);
  });
});

describe('deterministic k (RFC 6979 over HMAC-SM3)', () => {
  it('same key and message → same bytes; another message or id → another k', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const a = sm2Sign(privateKey, utf8('tree head'));
    expect(toHex(sm2Sign(privateKey, utf8('tree head')))).toBe(toHex(a));
    expect(toHex(sm2Sign(privateKey, utf8('tree head 2')))).not.toBe(toHex(a));
    const e1 = sm2Digest(publicKey, utf8('x'));
    const e2 = sm2Digest(publicKey, utf8('x'), utf8('other id'));
    expect(sm2Internal.nonce(privateKey, e1)).not.toBe(sm2Internal.nonce(privateKey, e2));
    expect(sm2Internal.nonce(privateKey, e1)).toBe(sm2Internal.nonce(privateKey, e1));
  });
  it('k is in [1, n − 1] and differs from key to key', () => {
    const e = new Uint8Array(32).fill(7);
    const ks = new Set<bigint>();
    for (let i = 0; i < 20; i++) {
      const k = sm2Internal.nonce(sm2GenerateKeyPair().privateKey, e);
      expect(k >= 1n && k < SM2_CURVE.n).toBe(true);
      ks.add(k);
    }
    expect(ks.size).toBe(20);
  });
});

describe('keys', () => {
  it('rejects private keys outside [1, n − 2] and bad lengths with a code', () => {
    const n = SM2_CURVE.n;
    for (const d of [0n, n - 1n, n, (1n << 256n) - 1n]) {
      const b = h(d.toString(16).padStart(64, '0'));
      expect(() => sm2PublicKeyFromPrivate(b)).toThrow(expect.objectContaining({ code: 'SM2_BAD_PRIVATE_KEY' }));
    }
    expect(() => sm2Sign(new Uint8Array(31), MSG)).toThrow(expect.objectContaining({ code: 'SM2_BAD_PRIVATE_KEY' }));
    expect(sm2PublicKeyFromPrivate(h((n - 2n).toString(16).padStart(64, '0')))).toHaveLength(65);
  });
  it('rejects public keys off the curve, compressed or of another length', () => {
    const pub = sm2PublicKeyFromPrivate(KAT.d);
    const off = pub.slice();
    off[64]! ^= 1;
    const compressed = Sm2Point.fromBytes(pub).toBytes(true);
    for (const bad of [off, compressed, pub.subarray(1), new Uint8Array(65)]) {
      expect(() => sm2Z(bad)).toThrow(expect.objectContaining({ code: 'SM2_BAD_PUBLIC_KEY' }));
      expect(sm2Verify(bad, MSG, encodeSm2Signature(KAT.r, KAT.s))).toBe(false);
    }
  });
  it('an identifier is at most 8191 bytes (ENTL is 16 bits)', () => {
    const pub = sm2PublicKeyFromPrivate(KAT.d);
    expect(sm2Z(pub, new Uint8Array(8191))).toHaveLength(32);
    expect(() => sm2Z(pub, new Uint8Array(8192))).toThrow(expect.objectContaining({ code: 'SM2_BAD_ID' }));
    expect(sm2Verify(pub, MSG, encodeSm2Signature(KAT.r, KAT.s), new Uint8Array(8192))).toBe(false);
    expect(SM2_DEFAULT_ID).toEqual(utf8('1234567812345678'));
  });
  it('SPKI and PKCS#8 round-trip and are strict', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const spki = sm2SpkiFromPublicKey(publicKey);
    expect(sm2PublicKeyFromSpki(spki)).toEqual(publicKey);
    expect(sm2PublicKeyFromPem(sm2PublicKeyToPem(publicKey))).toEqual(publicKey);
    expect(sm2PrivateKeyFromPkcs8(sm2Pkcs8FromPrivateKey(privateKey))).toEqual(privateKey);
    const bad = spki.slice();
    bad[20]! ^= 1; // the curve OID
    expect(() => sm2PublicKeyFromSpki(bad)).toThrow(expect.objectContaining({ code: 'SM2_BAD_SPKI' }));
    expect(() => sm2PublicKeyFromSpki(Uint8Array.from([...spki, 0]))).toThrow(expect.objectContaining({ code: 'SM2_BAD_SPKI' }));
    const p8 = sm2Pkcs8FromPrivateKey(privateKey);
    p8[p8.length - 1]! ^= 1;
    expect(() => sm2PrivateKeyFromPkcs8(p8)).toThrow(expect.objectContaining({ code: 'SM2_BAD_PKCS8' }));
  });
});

describe('DER signatures', () => {
  it('encodes minimal INTEGERs and parses only strict DER', () => {
    const der = encodeSm2Signature(KAT.r, KAT.s);
    expect(der[0]).toBe(0x30);
    expect(der[2]).toBe(0x02);
    expect(der[3]).toBe(33); // r has its top bit set: a 0x00 pad
    expect(parseSm2Signature(der)).toEqual({ r: KAT.r, s: KAT.s });
    expect(toHex(encodeSm2Signature(1n, 0x7fn))).toBe('300602010102017f');
    expect(parseSm2Signature(h('300602010102017f'))).toEqual({ r: 1n, s: 0x7fn });
    const bad = [
      '3007020101020200' + '7f', // s not minimal
      '300702020001020101', // r not minimal
      '3006020100020101', // r = 0
      '30060201ff020101', // r negative
      '3006020101020101' + '00', // trailing byte
      '3106020101020101', // not a SEQUENCE
      '3007020101020101', // wrong length
      '308106020101020101', // long-form length
      '3006020101030101', // s not an INTEGER
    ];
    for (const b of bad) expect(parseSm2Signature(h(b)), b).toBeUndefined();
    const n = SM2_CURVE.n;
    expect(parseSm2Signature(encodeSm2Signature(n - 1n, 1n))).toBeDefined();
    // r = n, encoded by hand (encodeSm2Signature is only for values < n)
    expect(parseSm2Signature(h('3026022100' + n.toString(16) + '020101'))).toBeUndefined(); // r = n
  });
});

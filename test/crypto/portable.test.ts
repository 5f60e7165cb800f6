/**
 * The portable backends the browser build uses in place of node:crypto (web/build.mjs maps them): SM3 against
 * GB/T 32905's examples and node:crypto's sm3, over any bytes cut into any slices; hash-portable.ts against
 * hash.ts; HMAC-SM3 (sm2.ts's nonces) against node:crypto's; Ed25519 on @noble/curves against node:crypto on
 * valid, altered and malformed signatures and keys. They can never drift apart unnoticed.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import * as nodeHash from '../../src/crypto/hash.js';
import * as portableHash from '../../src/crypto/hash-portable.js';
import * as nodeEd from '../../src/crypto/ed25519.js';
import * as portableEd from '../../src/crypto/ed25519-portable.js';
import { Sm3, sm3Portable } from '../../src/crypto/sm3-portable.js';
import { Sha256 } from '../../src/crypto/sha256-portable.js';
import { createHmac as portableHmac, randomBytes } from '../../src/crypto/node-crypto-portable.js';

const nodeSm3 = (b: Uint8Array): string => createHash('sm3').update(b).digest('hex');

describe('SM3, portable', () => {
  it('gives the two examples of GB/T 32905-2016 Annex A', () => {
    expect(toHex(sm3Portable(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(toHex(sm3Portable(utf8('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('equals node:crypto at every length around the block and padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(toHex(sm3Portable(b)), `length ${n}`).toBe(nodeSm3(b));
    }
  });

  it('equals node:crypto for any bytes fed in any slices', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(400), { maxLength: 12 }), (bytes, cuts) => {
        const h = new Sm3();
        let at = 0;
        for (const c of cuts) {
          h.update(bytes.subarray(at, Math.min(bytes.length, at + c)));
          at = Math.min(bytes.length, at + c);
        }
        h.update(bytes.subarray(at));
        expect(toHex(h.digest())).toBe(nodeSm3(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('equals node:crypto on a few megabytes, and refuses to be used after its digest', () => {
    const big = Uint8Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 2654435761) >>> 24);
    expect(toHex(sm3Portable(big))).toBe(nodeSm3(big));
    const h = new Sm3();
    h.digest();
    expect(() => h.update(big)).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});

describe('SHA-256, portable (the browser\'s document hashing)', () => {
  const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const one = (b: Uint8Array): string => toHex(new Sha256().update(b).digest());

  it('gives the FIPS 180-4 examples', () => {
    expect(one(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(one(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(one(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('equals node:crypto at every length around the block and padding boundaries, and on megabytes', () => {
    for (let n = 0; n <= 200; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 17 + n) & 0xff);
      expect(one(b), `length ${n}`).toBe(nodeSha(b));
    }
    const big = Uint8Array.from({ length: 2 * 1024 * 1024 + 5 }, (_, i) => (i * 2654435761) >>> 24);
    expect(one(big)).toBe(nodeSha(big));
  });

  it('equals node:crypto for any bytes fed in any slices, and refuses reuse after its digest', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(400), { maxLength: 12 }), (bytes, cuts) => {
        const h = new Sha256();
        let at = 0;
        for (const c of cuts) {
          h.update(bytes.subarray(at, Math.min(bytes.length, at + c)));
          at = Math.min(bytes.length, at + c);
        }
        h.update(bytes.subarray(at));
        expect(toHex(h.digest())).toBe(nodeSha(bytes));
      }),
      { numRuns: 300 },
    );
    const h = new Sha256();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});

describe('hash-portable.ts, the browser twin of hash.ts', () => {
  it('exports the same names', () => {
    expect(Object.keys(portableHash).sort()).toEqual(Object.keys(nodeHash).sort());
    expect(portableHash.SHA256_SIZE).toBe(nodeHash.SHA256_SIZE);
    expect(portableHash.SM3_SIZE).toBe(nodeHash.SM3_SIZE);
  });

  it('computes what hash.ts computes, one-shot and incremental', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
        expect(toHex(portableHash.sha256(...parts))).toBe(toHex(nodeHash.sha256(...parts)));
        expect(toHex(portableHash.sm3(...parts))).toBe(toHex(nodeHash.sm3(...parts)));
        const [a, b] = [portableHash.createSha256(), portableHash.createSm3()];
        const [c, d] = [nodeHash.createSha256(), nodeHash.createSm3()];
        for (const p of parts) {
          a.update(p);
          b.update(p);
          c.update(p);
          d.update(p);
        }
        expect(toHex(a.digest())).toBe(toHex(c.digest()));
        expect(toHex(b.digest())).toBe(toHex(d.digest()));
      }),
      { numRuns: 200 },
    );
  });
});

describe('node-crypto-portable.ts, what sm2.ts gets for node:crypto in the browser', () => {
  it('computes HMAC-SM3 as node:crypto does, for keys shorter and longer than a block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 4 }), (key, parts) => {
        const p = portableHmac('sm3', key);
        const n = createHmac('sm3', key);
        for (const x of parts) {
          p.update(x);
          n.update(x);
        }
        expect(toHex(p.digest())).toBe(n.digest('hex'));
      }),
      { numRuns: 200 },
    );
    expect(() => portableHmac('sha1', new Uint8Array(1))).toThrow(/only sm3/);
  });

  it('gives random bytes of the length asked, past getRandomValues limit of 65,536', () => {
    const r = randomBytes(100_000);
    expect(r.length).toBe(100_000);
    expect(new Set(r.subarray(70_000, 70_100)).size).toBeGreaterThan(30);
  });
});

describe('ed25519-portable.ts, the browser twin of ed25519.ts', () => {
  it('exports the same names', () => {
    expect(Object.keys(portableEd).sort()).toEqual(Object.keys(nodeEd).sort());
  });

  it('derives the same keys, makes the same signatures, and each verifies the other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (seed, msg) => {
        const pub = nodeEd.publicKeyFromSeed(seed);
        expect(toHex(portableEd.publicKeyFromSeed(seed))).toBe(toHex(pub));
        const sig = nodeEd.ed25519Sign(seed, msg);
        expect(toHex(portableEd.ed25519Sign(seed, msg))).toBe(toHex(sig));
        expect(portableEd.ed25519Verify(pub, msg, sig)).toBe(true);
        expect(nodeEd.ed25519Verify(pub, msg, sig)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('agrees with node:crypto on altered signatures, messages, keys and malformed input', () => {
    const { seed, publicKey } = nodeEd.generateKeyPair();
    const msg = utf8('localhost/cunzheng\n42\n');
    const sig = nodeEd.ed25519Sign(seed, msg);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 64; i += 7) {
      const s = sig.slice();
      s[i] = s[i]! ^ 1;
      cases.push([publicKey, msg, s]);
    }
    for (let i = 0; i < 32; i += 5) {
      const k = publicKey.slice();
      k[i] = k[i]! ^ 0x80;
      cases.push([k, msg, sig]);
    }
    const sHigh = sig.slice();
    sHigh[63] = sHigh[63]! | 0xf0; // S ≥ L
    cases.push([publicKey, msg, sHigh], [publicKey, utf8('other'), sig], [publicKey, msg, sig.subarray(0, 63)], [publicKey.subarray(1), msg, sig], [new Uint8Array(32), msg, sig], [new Uint8Array(32).fill(0xff), msg, sig]);
    for (const [k, m, s] of cases) expect(portableEd.ed25519Verify(k, m, s)).toBe(nodeEd.ed25519Verify(k, m, s));
    expect(cases.every(([k, m, s]) => !portableEd.ed25519Verify(k, m, s))).toBe(true);
  });
});

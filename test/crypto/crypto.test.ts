import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  constantTimeEqual, ed25519Sign, ed25519Verify, fromBase64, fromHex, fromUtf8, generateKeyPair, isLowerHex,
  publicKeyFromSeed, sha256, sm3, toBase64, toHex, utf8, createSha256, createSm3,
} from '../../src/crypto/index.js';
import * as portable from '../../src/crypto/hash-portable.js';
import { CunzhengError } from '../../src/errors.js';
import { loadVectors, type NoteVectors } from '../vectors.js';
import { codeOfSync as code } from '../support/codes.js';


describe('sha256', () => {
  it('matches FIPS 180-2 "abc"', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('the portable backend agrees with node:crypto on random inputs, one-shot and incremental', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
      const want = toHex(sha256(...parts));
      expect(toHex(portable.sha256(...parts))).toBe(want);
      const h = portable.createSha256();
      const n = createSha256();
      for (const p of parts) { h.update(p); n.update(p); }
      expect(toHex(h.digest())).toBe(want);
      expect(toHex(n.digest())).toBe(want);
    }));
  });
  it('one-shot digests are independent 32-byte values, across many slabs of them', () => {
    // Digests share slabs of 512: 2,000 kept digests span four slabs. None may change when later ones are
    // written, and writing into one must not touch another.
    const inputs = Array.from({ length: 2000 }, (_, i) => utf8(`leaf ${i}`));
    const digests = inputs.map((d) => sha256(d));
    const want = (i: number): string => createHash('sha256').update(inputs[i]!).digest('hex');
    digests.forEach((d, i) => {
      expect(d).toBeInstanceOf(Uint8Array);
      expect(d.length).toBe(32);
      expect(toHex(d)).toBe(want(i));
    });
    digests[7]!.fill(0);
    expect(toHex(digests[6]!)).toBe(want(6));
    expect(toHex(digests[8]!)).toBe(want(8));
    expect(toHex(Uint8Array.prototype.slice.call(digests[1999]!))).toBe(want(1999));
  });
});

describe('sm3', () => {
  it('matches GB/T 32905-2016 example 1 ("abc")', () => {
    expect(toHex(sm3(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('matches GB/T 32905-2016 example 2 ("abcd" × 16), incrementally', () => {
    const h = createSm3();
    for (let i = 0; i < 16; i++) h.update(utf8('abcd'));
    expect(toHex(h.digest())).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
});

describe('ed25519', () => {
  it('derives the public key of the Go test signer from its seed', () => {
    const v = loadVectors<NoteVectors>('notes.json');
    const seed = fromBase64(v.signerKey.split('+').pop()).subarray(1);
    const pub = fromBase64(v.verifierKey.split('+').pop()).subarray(1);
    expect(toHex(publicKeyFromSeed(seed))).toBe(toHex(pub));
  });
  it('matches RFC 8032 test 1 (empty message)', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(toHex(publicKeyFromSeed(seed))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(toHex(ed25519Sign(seed, new Uint8Array()))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
  });
  it('verifies its own signatures and rejects every single-bit change', () => {
    const { seed, publicKey } = generateKeyPair();
    const msg = utf8('checkpoint body\n');
    const sig = ed25519Sign(seed, msg);
    expect(ed25519Verify(publicKey, msg, sig)).toBe(true);
    for (let bit = 0; bit < sig.length * 8; bit += 7) {
      const bad = sig.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(ed25519Verify(publicKey, msg, bad)).toBe(false);
    }
    expect(ed25519Verify(publicKey, utf8('checkpoint body\r\n'), sig)).toBe(false);
  });
  it('answers false, not an exception, for wrong lengths and a non-point key', () => {
    const { seed, publicKey } = generateKeyPair();
    const sig = ed25519Sign(seed, utf8('x'));
    expect(ed25519Verify(publicKey.subarray(1), utf8('x'), sig)).toBe(false);
    expect(ed25519Verify(publicKey, utf8('x'), sig.subarray(1))).toBe(false);
    expect(ed25519Verify(new Uint8Array(32).fill(0xff), utf8('x'), sig)).toBe(false);
  });
  it('rejects a seed of the wrong length with BAD_LENGTH', () => {
    expect(code(() => ed25519Sign(new Uint8Array(31), utf8('x')))).toBe('BAD_LENGTH');
  });
});

describe('hex and base64', () => {
  it('round-trip random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
      expect(fromHex(toHex(b))).toEqual(b);
      expect(fromBase64(toBase64(b))).toEqual(b);
      expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
    }));
  });
  it.each([
    ['uppercase', 'AB'], ['odd length', 'abc'], ['non-hex', 'zz'], ['whitespace', 'ab '], ['prefix', '0xab'],
  ])('rejects hex with %s', (_, s) => {
    expect(code(() => fromHex(s))).toBe('BAD_HEX');
  });
  it('isLowerHex accepts exactly what /^[0-9a-f]{n}$/ accepts', () => {
    // Strings near hex: the hex digits, their uppercase, the neighbours of each range, and non-ASCII.
    const near = fc.constantFrom(...'0123456789abcdefABCDEF/:`g@G \u0000\u00e0\u0660\uff10');
    const strings = fc.oneof(fc.string({ unit: near, maxLength: 70 }), fc.string({ maxLength: 70 }), fc.uint8Array({ maxLength: 35 }).map((b) => Buffer.from(b).toString('hex')));
    fc.assert(fc.property(strings, fc.constantFrom(0, 1, 2, 32, 64, 65), (s, n) => {
      expect(isLowerHex(s, n)).toBe(new RegExp(`^[0-9a-f]{${n}}$`).test(s));
    }), { numRuns: 2000 });
    for (const notString of [undefined, null, 64, ['a'.repeat(64)], { length: 64 }]) expect(isLowerHex(notString, 64)).toBe(false);
  });
  it('rejects hex of the wrong length, naming both lengths', () => {
    expect(() => fromHex('abcd', 32)).toThrow('expected 64 hex characters, got 4');
  });
  it.each([
    ['missing padding', 'QQ'], ['URL-safe alphabet', '-_8='], ['whitespace', 'QUJD\n'], ['nonzero padding bits', 'QR=='],
    ['too much padding', 'QQ==='], ['a non-string', 42],
  ])('rejects base64 with %s', (_, s) => {
    expect(code(() => fromBase64(s))).toBe('BAD_BASE64');
  });
  it('accepts exactly the strings that are the canonical encoding of their bytes', () => {
    // The canonical form is defined by the round trip: decoding leniently and re-encoding gives the text
    // back. fromBase64 checks the padding bits instead of re-encoding; the two must agree, also on strings
    // one character away from a valid encoding (the cases the padding-bit check exists for).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_';
    const near = fc.tuple(fc.uint8Array({ maxLength: 12 }), fc.nat(), fc.nat(alphabet.length - 1)).map(([b, at, c]) => {
      const t = Buffer.from(b).toString('base64');
      if (t.length === 0) return t;
      const k = at % t.length;
      return t.slice(0, k) + alphabet[c] + t.slice(k + 1);
    });
    fc.assert(fc.property(fc.oneof(near, fc.string({ maxLength: 16 })), (s) => {
      const canonical = Buffer.from(s, 'base64').toString('base64') === s && !/[-_]/.test(s);
      let accepted = true;
      try {
        fromBase64(s);
      } catch (e) {
        expect(code(() => { throw e; })).toBe('BAD_BASE64');
        accepted = false;
      }
      expect(accepted).toBe(canonical);
    }), { numRuns: 5000 });
  });
  it('rejects base64 of the wrong decoded length with BAD_LENGTH', () => {
    expect(code(() => fromBase64(toBase64(new Uint8Array(31)), 32))).toBe('BAD_LENGTH');
  });
  it('never throws anything but a coded error on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      for (const f of [() => fromHex(s), () => fromBase64(s), () => fromBase64(s, 32)]) {
        try { f(); } catch (e) { expect(e).toBeInstanceOf(CunzhengError); }
      }
    }));
  });
});

describe('utf-8', () => {
  it('rejects invalid sequences instead of substituting U+FFFD', () => {
    expect(code(() => fromUtf8(Uint8Array.from([0x61, 0xff, 0x62])))).toBe('BAD_UTF8');
    expect(code(() => fromUtf8(Uint8Array.from([0xed, 0xa0, 0x80])))).toBe('BAD_UTF8'); // a surrogate
    expect(fromUtf8(utf8('存证 — ok'))).toBe('存证 — ok');
  });
});

describe('constantTimeEqual', () => {
  it('agrees with Buffer.equals', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
      expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      expect(constantTimeEqual(a, a.slice())).toBe(true);
    }));
  });
  it('keeps working for digests that differ only in the last byte', () => {
    const a = createHash('sha256').update('k').digest();
    const b = Buffer.from(a); b[31]! ^= 1;
    expect(constantTimeEqual(a, b)).toBe(false);
  });
});

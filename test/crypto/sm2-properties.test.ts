/**
 * SM2 properties: any key and message round-trip; flipping any bit of the message, the signature or the
 * public key makes verification fail; the verifier is total (false, never an exception) on arbitrary bytes
 * and on mutated DER; DER parse and encode are inverse on every (r, s) in range.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeSm2Signature, parseSm2Signature, sm2GenerateKeyPair, sm2Sign, sm2Verify, sm2VerifyDigest } from '../../src/crypto/index.js';
import { SM2_N } from '../../src/crypto/sm2-curve.js';

const keys = Array.from({ length: 4 }, () => sm2GenerateKeyPair());
const key = fc.constantFrom(...keys);
const flip = (b: Uint8Array, bit: number): Uint8Array => {
  const c = b.slice();
  c[(bit >>> 3) % c.length]! ^= 1 << (bit & 7);
  return c;
};

describe('SM2 properties', () => {
  it('sign then verify holds; a flipped bit in message, signature or key fails', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.boolean(), ({ privateKey, publicKey }, msg, bit, withId) => {
        const id = withId ? Uint8Array.of(1, 2, 3) : undefined;
        const sig = sm2Sign(privateKey, msg, id);
        expect(sm2Verify(publicKey, msg, sig, id)).toBe(true);
        if (msg.length > 0) expect(sm2Verify(publicKey, flip(msg, bit), sig, id)).toBe(false);
        expect(sm2Verify(publicKey, msg, flip(sig, bit), id)).toBe(false);
        expect(sm2Verify(flip(publicKey, bit % 520), msg, sig, id)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary signature, key, digest or message bytes', () => {
    const { publicKey } = keys[0]!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ maxLength: 40 }), (sig, pub, e) => {
        expect(sm2Verify(publicKey, e, sig)).toBe(false);
        expect(sm2Verify(pub, e, sig)).toBe(false);
        expect(sm2VerifyDigest(pub, e, sig)).toBe(false);
        expect(sm2VerifyDigest(publicKey, e, sig)).toBe(false);
      }),
      { numRuns: 500 },
    );
    for (const junk of [null, undefined, 'x', 5, {}, [1, 2]] as unknown as Uint8Array[]) {
      expect(sm2Verify(junk, junk, junk)).toBe(false);
      expect(sm2VerifyDigest(publicKey, junk, junk)).toBe(false);
      expect(parseSm2Signature(junk)).toBeUndefined();
    }
  });

  it('never throws on mutated DER around a real signature', () => {
    const { privateKey, publicKey } = keys[1]!;
    const msg = Uint8Array.of(1, 2, 3);
    const sig = sm2Sign(privateKey, msg);
    fc.assert(
      fc.property(fc.nat({ max: sig.length }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 4 }), (at, byte, cut) => {
        const m = Uint8Array.from([...sig.subarray(0, at), byte, ...sig.subarray(at + cut)]);
        expect(typeof sm2Verify(publicKey, msg, m)).toBe('boolean');
        const parsed = parseSm2Signature(m);
        if (parsed !== undefined) expect(encodeSm2Signature(parsed.r, parsed.s)).toEqual(m); // strict DER: one encoding
      }),
      { numRuns: 1000 },
    );
  });

  it('DER encode and parse are inverse for every r, s in [1, n − 1]', () => {
    const scalar = fc.bigInt({ min: 1n, max: SM2_N - 1n });
    fc.assert(
      fc.property(fc.oneof(scalar, fc.bigInt({ min: 1n, max: 1n << 20n })), scalar, (r, s) => {
        expect(parseSm2Signature(encodeSm2Signature(r, s))).toEqual({ r, s });
      }),
      { numRuns: 500 },
    );
  });
});

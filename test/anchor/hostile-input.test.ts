/**
 * Hostile input: whatever bytes arrive as a token, a TimeStampResp or a PEM bundle, the result is a value or a
 * CunzhengError with a known code — never a TypeError, RangeError or an asn1js/pkijs Error. Mutations of a real
 * token never verify to another genTime.
 */
import { FULL_RELIABILITY, fuzzRuns } from '../support/fuzz.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePemCertificates, parseTimeStampResponse, verifyTimestampToken } from '../../src/anchor/pure.js';
import type { TsaErrorCode } from '../../src/anchor/errors.js';
import { CunzhengError } from '../../src/errors.js';
import { testPki, type TestPki } from '../tsa/test-tsa.js';
import { flipped, freshToken, type FreshToken, indexOfBytes } from './helpers.js';

const CODES: readonly TsaErrorCode[] = [
  'TSA_TOKEN_MALFORMED', 'TSA_UNSUPPORTED', 'TSA_IMPRINT_MISMATCH', 'TSA_NONCE_MISMATCH', 'TSA_SIGNER_NOT_FOUND',
  'TSA_BAD_SIGNATURE', 'TSA_NOT_TIMESTAMPING_CERT', 'TSA_BAD_SIGNING_CERTIFICATE', 'TSA_NAME_MISMATCH', 'TSA_CERT_EXPIRED',
  'TSA_UNTRUSTED_CHAIN', 'TSA_TIME_BEFORE_CHECKPOINT', 'TSA_TIME_IN_FUTURE',
];

let pki: TestPki;
let good: FreshToken;
let genTime: number;

beforeAll(async () => {
  pki = await testPki();
  good = await freshToken('tsa');
  genTime = (await verifyTimestampToken(good.token, { imprint: good.imprint, roots: [pki.caDer] })).genTime.getTime();
});

/** Runs verification; returns the genTime on success or the error code; anything else fails the test. */
async function outcome(token: Uint8Array): Promise<number | string> {
  try {
    return (await verifyTimestampToken(token, { imprint: good.imprint, roots: [pki.caDer], nonce: good.nonce })).genTime.getTime();
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    return err.code;
  }
}

function syncCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    return err.code;
  }
  return undefined;
}

describe('when the token is random bytes', () => {
  it('rejects with TSA_TOKEN_MALFORMED, DER-looking or not', async () => {
    const derish = fc.tuple(fc.constantFrom(0x30, 0xa0, 0x31, 0x04), fc.uint8Array({ maxLength: 600 })).map(([tag, rest]) => {
      // a plausible header with a two-byte length announcing exactly the random content that follows
      const out = new Uint8Array(rest.length + 4);
      out.set([tag, 0x82, Math.floor(rest.length / 256), rest.length % 256], 0);
      out.set(rest, 4);
      return out;
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), derish), async (bytes) => {
        expect(await outcome(bytes)).toBe('TSA_TOKEN_MALFORMED');
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});

describe('when a real token is cut or mutated', () => {
  it('rejects every truncation with TSA_TOKEN_MALFORMED', async () => {
    for (let length = 0; length < good.token.length; length += 7) {
      expect(await outcome(good.token.subarray(0, length))).toBe('TSA_TOKEN_MALFORMED');
    }
  });

  // Every byte in the full reliability run; in the regular suite one byte in four, the one of each four moving
  // along (0, 5, 10, 15, 16, 21…), so every field of the token is still hit (as sm2-tamper.test.ts does).
  it(`rejects every flipped byte${FULL_RELIABILITY ? '' : ' of one in four'}, except inside the embedded copy of the root (trust comes from the caller's root)`, async () => {
    const copyAt = indexOfBytes(good.token, pki.caDer);
    expect(copyAt).toBeGreaterThan(0);
    const accepted: number[] = [];
    const positions = [...good.token.keys()].filter((at) => FULL_RELIABILITY || at % 4 === Math.floor(at / 4) % 4);
    for (const at of positions) {
      if (typeof (await outcome(flipped(good.token, at))) === 'number') accepted.push(at);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.filter((at) => at < copyAt || at >= copyAt + pki.caDer.length)).toEqual([]);
  });

  it('never verifies to another genTime, and fails only with known codes', async () => {
    const seen = new Set<string | number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.token.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (flips) => {
          const bytes = good.token.slice();
          for (const [at, mask] of flips) bytes[at] = (bytes[at] ?? 0) ^ mask;
          const result = await outcome(bytes);
          seen.add(typeof result === 'number' ? 'verified' : result);
          if (typeof result === 'number') expect(result).toBe(genTime);
          else expect(CODES).toContain(result);
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
    // The mutations reach past the parser: signatures, imprints and certificates are exercised too.
    expect(seen.has('TSA_TOKEN_MALFORMED')).toBe(true);
    expect([...seen].filter((c) => c !== 'TSA_TOKEN_MALFORMED').length).toBeGreaterThan(1);
  });
});

describe('when a TimeStampResp is random bytes', () => {
  it('rejects with TSA_BAD_REPLY or TSA_REJECTED, or yields a token to be verified', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
        const code = syncCode(() => parseTimeStampResponse(bytes));
        expect([undefined, 'TSA_BAD_REPLY', 'TSA_REJECTED']).toContain(code);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});

describe('when a PEM bundle is arbitrary text', () => {
  it('rejects with TSA_PEM_MALFORMED', () => {
    const pemish = fc
      .tuple(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 200 }), fc.constantFrom('CERTIFICATE', 'X'))
      .map(([pre, body, label]) => `${pre}\n-----BEGIN CERTIFICATE-----\n${body}\n-----END ${label}-----\n`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), pemish), (text) => {
        expect(syncCode(() => parsePemCertificates(text))).toBe('TSA_PEM_MALFORMED');
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});

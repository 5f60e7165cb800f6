/**
 * Hostile revocation evidence (SECURITY.md): whatever bytes arrive as an OCSP response or a CRL, verification
 * ends in a result or a CunzhengError with a known code — never an asn1js/pkijs Error — and a mutation of real
 * evidence never changes what it says: a good status stays good or is refused, a revocation never turns good.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateHash, MAX_CRL_BYTES, MAX_OCSP_BYTES, verifyRevocation, verifyTimestampToken } from '../../src/anchor/pure.js';
import { CunzhengError } from '../../src/errors.js';
import { fuzzRuns, FULL_RELIABILITY } from '../support/fuzz.js';
import { crlFor, ocspFor } from '../tsa/revocation-pki.js';
import { testPki, type TestPki } from '../tsa/test-tsa.js';
import { flipped, freshToken, type FreshToken } from './helpers.js';

let pki: TestPki;
let good: FreshToken;
let chain: Uint8Array[];
let genTime: Date;
let evidence: { goodOcsp: Uint8Array; revokedOcsp: Uint8Array; goodCrl: Uint8Array; revokedCrl: Uint8Array };

beforeAll(async () => {
  pki = await testPki();
  good = await freshToken('tsa');
  ({ chain, genTime } = await verifyTimestampToken(good.token, { imprint: good.imprint, roots: [pki.caDer] }));
  const [goodOcsp, revokedOcsp, goodCrl, revokedCrl] = await Promise.all([
    ocspFor('good'),
    ocspFor('revoked-before', { signer: 'ca' }),
    crlFor('good'),
    crlFor('revoked-before'),
  ]);
  evidence = { goodOcsp, revokedOcsp, goodCrl, revokedCrl };
});

/** 'good', 'revoked@<time>' or the error code (with the case for TSA_REVOCATION_INVALID); anything else fails. */
async function outcome(kind: 'ocsp' | 'crl', bytes: Uint8Array): Promise<string> {
  try {
    const report = await verifyRevocation(chain, genTime, { revocation: [{ cert: certificateHash(pki.tsaDer), [kind]: bytes }] });
    return report.certificates[0]!.status;
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    if (err.code === 'TSA_CERT_REVOKED') return `revoked@${String(err.details?.revocationTime)}`;
    if (err.code === 'TSA_REVOCATION_INVALID') {
      expect(typeof err.details?.case).toBe('string');
      return 'invalid';
    }
    return err.code;
  }
}

describe('when evidence is random bytes', () => {
  it('is TSA_REVOCATION_INVALID, as an OCSP response and as a CRL, DER-looking or not', async () => {
    const derish = fc.tuple(fc.constantFrom(0x30, 0xa0, 0x0a), fc.uint8Array({ maxLength: 600 })).map(([tag, rest]) => {
      const out = new Uint8Array(rest.length + 4);
      out.set([tag, 0x82, Math.floor(rest.length / 256), rest.length % 256], 0);
      out.set(rest, 4);
      return out;
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('ocsp' as const, 'crl' as const), fc.oneof(fc.uint8Array({ maxLength: 1500 }), derish), async (kind, bytes) => {
        expect(await outcome(kind, bytes)).toBe('invalid');
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('refuses oversized evidence before parsing it', async () => {
    expect(await outcome('ocsp', new Uint8Array(MAX_OCSP_BYTES + 1))).toBe('invalid');
    expect(await outcome('crl', new Uint8Array(MAX_CRL_BYTES + 1))).toBe('invalid');
  });
});

describe('when real evidence is cut or mutated', () => {
  it('reads the real evidence as made (and verifyRevocation agrees with verifyTimestampToken)', async () => {
    const full = await verifyTimestampToken(good.token, {
      imprint: good.imprint,
      roots: [pki.caDer],
      revocation: [{ cert: certificateHash(pki.tsaDer), ocsp: evidence.goodOcsp }],
    });
    expect(await verifyRevocation(chain, genTime, { revocation: [{ cert: certificateHash(pki.tsaDer), ocsp: evidence.goodOcsp }] })).toEqual(full.revocation);
    expect(await outcome('ocsp', evidence.goodOcsp)).toBe('good');
    expect(await outcome('crl', evidence.goodCrl)).toBe('good');
    expect(await outcome('ocsp', evidence.revokedOcsp)).toBe('revoked@2025-01-01T00:00:00.000Z');
    expect(await outcome('crl', evidence.revokedCrl)).toBe('revoked@2025-01-01T00:00:00.000Z');
  });

  it('refuses every truncation', async () => {
    for (const [kind, bytes] of [['ocsp', evidence.goodOcsp], ['crl', evidence.goodCrl], ['ocsp', evidence.revokedOcsp]] as const) {
      for (let length = 0; length < bytes.length; length += 9) expect(await outcome(kind, bytes.subarray(0, length))).toBe('invalid');
    }
  });

  it('never turns a revocation good, nor a good status into another revocation, byte by byte', async () => {
    const cases = [
      ['ocsp', evidence.goodOcsp, 'good'],
      ['crl', evidence.goodCrl, 'good'],
      ['ocsp', evidence.revokedOcsp, 'revoked@2025-01-01T00:00:00.000Z'],
      ['crl', evidence.revokedCrl, 'revoked@2025-01-01T00:00:00.000Z'],
    ] as const;
    for (const [kind, bytes, want] of cases) {
      const seen = new Set<string>();
      for (let at = 0; at < bytes.length; at += FULL_RELIABILITY ? 1 : 3) {
        const got = await outcome(kind, flipped(bytes, at, 0x10));
        seen.add(got);
        expect([want, 'invalid'], `${kind} flip at ${at}`).toContain(got);
      }
      expect(seen.has('invalid')).toBe(true);
    }
  }, 180_000);

  it('multi-byte mutations fail only with known outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ocsp' as const, 'crl' as const),
        fc.array(fc.tuple(fc.nat({ max: 10_000 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (kind, flips) => {
          const bytes = (kind === 'ocsp' ? evidence.revokedOcsp : evidence.revokedCrl).slice();
          for (const [at, mask] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ mask;
          expect(['revoked@2025-01-01T00:00:00.000Z', 'invalid']).toContain(await outcome(kind, bytes));
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
  });
});

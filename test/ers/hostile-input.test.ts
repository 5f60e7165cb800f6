/**
 * Hostile input: whatever bytes arrive as an evidence record, parsing and verification give a value or a
 * CunzhengError with an ERS_* code — never a TypeError, RangeError or an asn1js/pkijs Error — and a mutated
 * real record never verifies, except for a change inside the token's embedded copy of the root (trust comes
 * from the caller's roots, as for the anchor).
 */
import fc from 'fast-check';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEvidenceRecord, MAX_RECORD_BYTES, parseEvidenceRecord } from '../../src/ers/index.js';
import type { ErsErrorCode } from '../../src/ers/index.js';
import { fuzzRuns } from '../support/fuzz.js';
import { testPki, type TestPki } from '../tsa/test-tsa.js';
import { indexOfBytes } from '../anchor/helpers.js';
import { encodeRecord, SHA256_OID } from './encode.js';
import { checkpointBodyBytes, outcome, syncCode, tokenOver } from './helpers.js';

const CODES: readonly ErsErrorCode[] = [
  'ERS_MALFORMED', 'ERS_UNSUPPORTED', 'ERS_ALGORITHM_NOT_LISTED', 'ERS_DATA_MISMATCH', 'ERS_HASH_TREE_MISMATCH', 'ERS_CHAIN_BROKEN', 'ERS_TIMESTAMP_INVALID',
];

let pki: TestPki;
let body: Uint8Array;
let token: Uint8Array;
let record: Uint8Array;
let genTime: number;

beforeAll(async () => {
  pki = await testPki();
  body = checkpointBodyBytes(9);
  token = await tokenOver(body);
  record = buildEvidenceRecord(body, [[token]]);
  genTime = (await outcome(record, body, [pki.caDer])) as number;
  expect(typeof genTime).toBe('number');
});

describe('when the record is random bytes', () => {
  it('refuses with ERS_MALFORMED, DER-looking or not', async () => {
    const derish = fc.tuple(fc.constantFrom(0x30, 0xa0, 0xa2, 0x04, 0x02), fc.uint8Array({ maxLength: 600 })).map(([tag, rest]) => {
      const out = new Uint8Array(rest.length + 4);
      out.set([tag, 0x82, Math.floor(rest.length / 256), rest.length % 256], 0);
      out.set(rest, 4);
      return out;
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), derish), async (bytes) => {
        expect(await outcome(bytes, body, [pki.caDer])).toBe('ERS_MALFORMED');
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('refuses records beyond the size bound and nesting bombs before decoding them', () => {
    expect(syncCode(() => parseEvidenceRecord(new Uint8Array(MAX_RECORD_BYTES + 1)))).toBe('ERS_MALFORMED');
    // 10,000 nested SEQUENCEs, each announcing the rest
    const depth = 10_000;
    const bomb = new Uint8Array(depth * 4);
    for (let i = 0; i < depth; i++) {
      const len = (depth - i - 1) * 4;
      bomb.set([0x30, 0x82, len >> 8 & 0xff, len & 0xff], i * 4);
    }
    expect(syncCode(() => parseEvidenceRecord(bomb))).toBe('ERS_MALFORMED');
  });
});

describe('when a real record is cut or mutated', () => {
  it('refuses every truncation and every extension with ERS_MALFORMED', async () => {
    for (let length = 0; length < record.length; length += 5) expect(await outcome(record.subarray(0, length), body, [pki.caDer])).toBe('ERS_MALFORMED');
    expect(await outcome(Uint8Array.of(...record, 0), body, [pki.caDer])).toBe('ERS_MALFORMED');
  });

  it('never verifies a flipped byte, except inside the embedded copy of the root; every refusal is coded', async () => {
    const copy = indexOfBytes(record, pki.caDer);
    expect(copy).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (let at = 0; at < record.length; at++) {
      const bad = record.slice();
      bad[at]! ^= 0x04;
      const result = await outcome(bad, body, [pki.caDer]);
      if (typeof result === 'number') {
        expect(at >= copy && at < copy + pki.caDer.length, `byte ${at} changed and the record still verified`).toBe(true);
        expect(result).toBe(genTime);
      } else {
        expect(CODES).toContain(result);
        seen.add(result);
      }
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(['ERS_DATA_MISMATCH', 'ERS_MALFORMED', 'ERS_TIMESTAMP_INVALID']));
  }, 300_000);
});

describe('when the structure is well formed but its contents are generated', () => {
  it('gives a coded error for generated digestAlgorithms, fields, tree lists and chains', async () => {
    const hash = fc.uint8Array({ minLength: 0, maxLength: 70 });
    const ats = fc.record({
      digestAlgorithm: fc.option(fc.constantFrom(SHA256_OID, '1.2.156.10197.1.401', '2.16.840.1.101.3.4.2.3', '1.2.3'), { nil: undefined }),
      reducedHashtree: fc.option(fc.array(fc.array(hash, { minLength: 0, maxLength: 4 }), { minLength: 0, maxLength: 4 }), { nil: undefined }),
      attribute: fc.option(fc.constant('1.2.3.4'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(SHA256_OID, '1.2.156.10197.1.401', '1.2.3.4'), { minLength: 0, maxLength: 3 }),
        fc.array(fc.array(ats, { minLength: 0, maxLength: 3 }), { minLength: 0, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        async (digestAlgorithms, chains, encryptionInfo, version) => {
          const der = encodeRecord({ version, digestAlgorithms, encryptionInfo, chains: chains.map((c) => c.map((a) => ({ ...a, token }))) });
          const result = await outcome(der, body, [pki.caDer]);
          if (typeof result === 'number') expect(result).toBe(genTime);
          else expect(CODES).toContain(result);
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('refuses a timeStamp that is not a token, and a record in BER (indefinite lengths)', async () => {
    const notToken = new Uint8Array(new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })] }).toBER(false));
    expect(await outcome(encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token: notToken }]] }), body, [pki.caDer])).toBe('ERS_MALFORMED');
    const ber = new Uint8Array(new asn1js.Sequence({ lenBlock: { isIndefiniteForm: true }, value: [new asn1js.Integer({ value: 1 })] }).toBER(false));
    expect(await outcome(ber, body, [pki.caDer])).toBe('ERS_MALFORMED');
  });
});

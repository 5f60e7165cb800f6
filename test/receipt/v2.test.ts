/**
 * Receipt v2 (docs/FORMATS.md): v1 whose anchors may carry `revocation` evidence. v1 receipts and the v1
 * fixtures are read, written and verified exactly as before; `revocation` is refused in a v1 receipt; v2 is written
 * only when an anchor carries evidence; the parser bounds and checks every evidence member.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import { fuzzRuns } from '../support/fuzz.js';
import {
  buildReceipt,
  formatReceipt,
  MAX_REVOCATION_ITEMS,
  parseReceipt,
  RECEIPT_FORMAT,
  RECEIPT_FORMAT_V2,
  receiptFormatFor,
  verifyReceipt,
  withAnchors,
} from '../../src/receipt/index.js';
import { clone, codeOf, FIXTURE_VKEY, FIXTURES, fixtureReceipt } from './helpers.js';

const CERT = 'ab'.repeat(32);
const OCSP = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x00]).toString('base64');

function v2(): Record<string, unknown> {
  const r = clone(fixtureReceipt('battery-formula-v1.txt')) as unknown as Record<string, unknown>;
  const anchor = { type: 'rfc3161', checkpoint: r.checkpoint, token: 'AAAA', consistency: [], revocation: [{ cert: CERT, ocsp: OCSP }] };
  return { ...r, format: RECEIPT_FORMAT_V2, anchors: [anchor] };
}

describe('the v1 fixtures', () => {
  it('are unchanged by parse and format, and keep verifying as v1', async () => {
    const names = readdirSync(`${FIXTURES}receipts`).filter((n) => n.endsWith('.receipt.json'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const text = readFileSync(`${FIXTURES}receipts/${name}`, 'utf8');
      const r = parseReceipt(text);
      expect(r.format).toBe(RECEIPT_FORMAT);
      expect(formatReceipt(r)).toBe(text);
      await verifyReceipt(text, [FIXTURE_VKEY]);
    }
  });
});

describe('parsing v2', () => {
  it('reads a v2 receipt with evidence and writes it back the same', () => {
    const r = parseReceipt(JSON.stringify(v2()));
    expect(r.format).toBe(RECEIPT_FORMAT_V2);
    expect(r.anchors[0]!.revocation).toEqual([{ cert: CERT, ocsp: OCSP }]);
    expect(parseReceipt(formatReceipt(r))).toEqual(r);
  });

  it('refuses revocation in a v1 receipt (its anchors are closed), and an unknown format', async () => {
    expect(await codeOf(() => parseReceipt(JSON.stringify({ ...v2(), format: RECEIPT_FORMAT })))).toBe('RECEIPT_UNKNOWN_FIELD');
    expect(await codeOf(() => parseReceipt(JSON.stringify({ ...v2(), format: 'cunzheng/receipt/v3' })))).toBe('RECEIPT_BAD_FORMAT');
  });

  it('checks every evidence member', async () => {
    const withEvidence = (revocation: unknown): string => {
      const r = v2();
      (r.anchors as Record<string, unknown>[])[0]!.revocation = revocation;
      return JSON.stringify(r);
    };
    const cases: [unknown, string][] = [
      [[], 'RECEIPT_BAD_FIELD'],
      ['x', 'RECEIPT_BAD_FIELD'],
      [Array.from({ length: MAX_REVOCATION_ITEMS + 1 }, () => ({ cert: CERT, ocsp: OCSP })), 'RECEIPT_BAD_FIELD'],
      [[{ cert: CERT }], 'RECEIPT_BAD_FIELD'],
      [[{ cert: CERT.toUpperCase(), ocsp: OCSP }], 'RECEIPT_BAD_FIELD'],
      [[{ cert: CERT, ocsp: 'not base64!' }], 'RECEIPT_BAD_FIELD'],
      [[{ cert: CERT, crl: 7 }], 'RECEIPT_BAD_FIELD'],
      [[{ cert: CERT, ocsp: OCSP, extra: 1 }], 'RECEIPT_UNKNOWN_FIELD'],
      [[{ cert: CERT, ocsp: 'A'.repeat(2_000_000) }], 'RECEIPT_BAD_FIELD'],
    ];
    for (const [revocation, code] of cases) expect(await codeOf(() => parseReceipt(withEvidence(revocation))), JSON.stringify(revocation).slice(0, 80)).toBe(code);
  });
});

describe('hostile revocation members', () => {
  it('any JSON value as revocation or its items parses or fails with a receipt code, never another exception', () => {
    const item = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ cert: fc.oneof(fc.constant(CERT), fc.string()), ocsp: fc.oneof(fc.constant(OCSP), fc.jsonValue({ maxDepth: 1 })), crl: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(item, { maxLength: 20 })), (revocation) => {
        const r = v2();
        (r.anchors as Record<string, unknown>[])[0]!.revocation = revocation;
        try {
          const parsed = parseReceipt(JSON.stringify(r));
          expect(parseReceipt(formatReceipt(parsed))).toEqual(parsed);
        } catch (err) {
          if (!(err instanceof CunzhengError)) throw err;
          expect(err.code).toMatch(/^RECEIPT_(BAD_FIELD|UNKNOWN_FIELD|MALFORMED)$/);
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});

describe('writing v2', () => {
  const base = { entryBytes: new Uint8Array([1, 2, 3]), leafIndex: 0, inclusionProof: [], checkpoint: 'log\n1\nroot\n\n— log sig\n', origin: 'log', logKey: 'log+00+key' };

  it('only when an anchor carries evidence; withAnchors adds evidence to a token the receipt already carries', () => {
    const plain = withAnchors(buildReceipt(base), { checkpoint: base.checkpoint, anchors: [{ token: 'AAAA' }] });
    expect(plain.format).toBe(RECEIPT_FORMAT);
    const evidence = [{ cert: CERT, ocsp: OCSP }];
    const later = withAnchors(plain, { checkpoint: base.checkpoint, anchors: [{ token: 'AAAA', revocation: evidence }] });
    expect(later.format).toBe(RECEIPT_FORMAT_V2);
    expect(later.anchors).toEqual([{ type: 'rfc3161', checkpoint: base.checkpoint, token: 'AAAA', consistency: [], revocation: evidence }]);
    expect(receiptFormatFor(later.anchors)).toBe(RECEIPT_FORMAT_V2);
    expect(receiptFormatFor([null, 3] as never)).toBe(RECEIPT_FORMAT);
    expect(parseReceipt(formatReceipt(later))).toEqual(JSON.parse(JSON.stringify(later)));
  });
});

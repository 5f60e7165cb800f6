import { fuzzRuns } from '../support/fuzz.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import { MAX_RECEIPT_BYTES, formatReceipt, parseReceipt } from '../../src/receipt/index.js';
import { clone, codeOf, fixtureReceipt } from './helpers.js';

const good = fixtureReceipt('battery-formula-v2.txt');
const asObject = (): Record<string, unknown> => clone(good) as unknown as Record<string, unknown>;

describe('parseReceipt', () => {
  it('round-trips through formatReceipt byte for byte', () => {
    const text = formatReceipt(good);
    expect(formatReceipt(parseReceipt(text))).toBe(text);
  });

  it.each([
    ['not JSON', '{"format": ', 'RECEIPT_MALFORMED'],
    ['JSON but not an object', '[1,2]', 'RECEIPT_MALFORMED'],
    ['null', 'null', 'RECEIPT_MALFORMED'],
    ['another format', '{"format":"cunzheng/receipt/v3"}', 'RECEIPT_BAD_FORMAT'],
    ['a v2 receipt missing its members', '{"format":"cunzheng/receipt/v2"}', 'RECEIPT_BAD_FIELD'],
    ['no format', '{}', 'RECEIPT_BAD_FORMAT'],
  ])('rejects %s', async (_, text, code) => {
    expect(await codeOf(() => parseReceipt(text))).toBe(code);
  });

  it('rejects invalid UTF-8 bytes', async () => {
    expect(await codeOf(() => parseReceipt(Uint8Array.from([0x7b, 0xff, 0x7d])))).toBe('RECEIPT_MALFORMED');
  });

  it('rejects a receipt larger than the cap before parsing it', async () => {
    expect(await codeOf(() => parseReceipt(' '.repeat(MAX_RECEIPT_BYTES + 1)))).toBe('RECEIPT_TOO_LARGE');
  });

  const fieldCases: [string, (o: Record<string, unknown>) => void, string][] = [
    ['an unknown top-level field', (o) => (o.extra = 1), 'RECEIPT_UNKNOWN_FIELD'],
    ['an unknown log field', (o) => ((o.log as Record<string, unknown>).url = 'x'), 'RECEIPT_UNKNOWN_FIELD'],
    ['a missing id', (o) => delete o.id, 'RECEIPT_BAD_FIELD'],
    ['an uppercase id', (o) => (o.id = (o.id as string).toUpperCase()), 'RECEIPT_BAD_FIELD'],
    ['a numeric id', (o) => (o.id = 42), 'RECEIPT_BAD_FIELD'],
    ['an index of 2^53', (o) => (o.index = 2 ** 53), 'RECEIPT_BAD_FIELD'],
    ['a negative index', (o) => (o.index = -1), 'RECEIPT_BAD_FIELD'],
    ['a fractional index', (o) => (o.index = 1.5), 'RECEIPT_BAD_FIELD'],
    ['an index as a string', (o) => (o.index = '2'), 'RECEIPT_BAD_FIELD'],
    ['a proof that is not an array', (o) => (o.proof = 'abc'), 'RECEIPT_BAD_FIELD'],
    ['a proof hash of 31 bytes', (o) => (o.proof = [Buffer.alloc(31).toString('base64')]), 'RECEIPT_BAD_FIELD'],
    ['a proof hash in URL-safe base64', (o) => (o.proof = ['-_' + 'A'.repeat(41) + '=']), 'RECEIPT_BAD_FIELD'],
    ['65 proof hashes', (o) => (o.proof = Array(65).fill(Buffer.alloc(32).toString('base64'))), 'RECEIPT_BAD_FIELD'],
    ['an entry that is not base64', (o) => (o.entry = 'not base64!'), 'RECEIPT_BAD_FIELD'],
    ['an empty checkpoint', (o) => (o.checkpoint = ''), 'RECEIPT_BAD_FIELD'],
    ['anchors that are not an array', (o) => (o.anchors = {}), 'RECEIPT_BAD_FIELD'],
    ['an anchor of an unknown type', (o) => (o.anchors = [{ type: 'ots', checkpoint: 'x', token: 'AA==', consistency: [] }]), 'RECEIPT_BAD_FIELD'],
    ['an anchor with a token that is not base64', (o) => (o.anchors = [{ type: 'rfc3161', checkpoint: 'x', token: '***', consistency: [] }]), 'RECEIPT_BAD_FIELD'],
    ['an anchor with an unknown field', (o) => (o.anchors = [{ type: 'rfc3161', checkpoint: 'x', token: 'AA==', consistency: [], x: 1 }]), 'RECEIPT_UNKNOWN_FIELD'],
    ['a log that is a string', (o) => (o.log = 'x'), 'RECEIPT_BAD_FIELD'],
  ];
  for (const [what, mutate, code] of fieldCases) {
    it(`rejects ${what} with ${code}`, async () => {
      const o = asObject();
      mutate(o);
      expect(await codeOf(() => parseReceipt(JSON.stringify(o)))).toBe(code);
    });
  }

  it('never throws anything but a coded error on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseReceipt(JSON.stringify(v));
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('never throws anything but a coded error when a valid receipt\'s fields are replaced by arbitrary values', () => {
    const keys = ['format', 'id', 'entry', 'index', 'proof', 'checkpoint', 'anchors', 'log'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (k, v) => {
        const o = asObject();
        o[k] = v;
        try {
          parseReceipt(o);
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('never throws anything but a coded error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseReceipt(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

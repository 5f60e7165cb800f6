import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchReplyJson } from '../../src/http/batch-reply.js';
import type { Anchor, Receipt } from '../../src/receipt/index.js';
import { fuzzRuns } from '../support/fuzz.js';

// Any strings (lone surrogates, quotes, control characters, CJK): the piecewise writer must escape exactly
// as JSON.stringify does, including characters that take 3 bytes in UTF-8.
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const anchorArb: fc.Arbitrary<Anchor> = fc.record({ type: fc.constant('rfc3161' as const), checkpoint: anyText, token: anyText, consistency: fc.array(anyText, { maxLength: 3 }) });
const logArb = fc.record({ origin: anyText, key: anyText });

const receiptArb = (shared: { checkpoint: string; log: { origin: string; key: string }; anchors: Anchor[] }): fc.Arbitrary<Receipt> =>
  fc.record({
    format: fc.constant('cunzheng/receipt/v1' as const),
    id: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), anyText),
    entry: fc.oneof(fc.base64String({ maxLength: 200 }), anyText),
    index: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
    proof: fc.array(fc.oneof(fc.base64String({ minLength: 44, maxLength: 44 }), anyText), { maxLength: 25 }),
    // Mostly the group's shared values (the tail cache), sometimes a receipt of its own.
    checkpoint: fc.oneof(fc.constant(shared.checkpoint), anyText),
    anchors: fc.oneof(fc.constant(shared.anchors), fc.constant([] as Anchor[]), fc.array(anchorArb, { maxLength: 2 })),
    log: fc.oneof(fc.constant(shared.log), logArb),
  }, { requiredKeys: ['format', 'id', 'entry', 'index', 'proof', 'checkpoint', 'anchors', 'log'] }) as fc.Arbitrary<Receipt>;

const batchArb = fc
  .record({ checkpoint: anyText, log: logArb, anchors: fc.array(anchorArb, { maxLength: 2 }) })
  .chain((shared) => fc.array(receiptArb(shared), { minLength: 1, maxLength: 30 }))
  .chain((receipts) => fc.tuple(fc.constant(receipts), fc.array(fc.boolean(), { minLength: receipts.length, maxLength: receipts.length })));

describe('batchReplyJson', () => {
  it('writes exactly the UTF-8 bytes of JSON.stringify({receipts, created})', () => {
    fc.assert(fc.property(batchArb, ([receipts, created]) => {
      const want = Buffer.from(JSON.stringify({ receipts, created }), 'utf8');
      expect(batchReplyJson(receipts, created).equals(want)).toBe(true);
    }), { numRuns: fuzzRuns(300) });
  });

  it('grows its buffer past the first guess (long entries) and stays exact', () => {
    const big = 'é'.repeat(100_000) + '\u2028"\\';
    const r: Receipt = { format: 'cunzheng/receipt/v1', id: 'a'.repeat(32), entry: big, index: 7, proof: ['x'], checkpoint: 'c\n— d', anchors: [], log: { origin: 'o', key: 'k' } };
    const out = batchReplyJson([r, { ...r, index: 8 }], [true, false]);
    expect(out.equals(Buffer.from(JSON.stringify({ receipts: [r, { ...r, index: 8 }], created: [true, false] }), 'utf8'))).toBe(true);
  });

  it('falls back to JSON.stringify for objects that are not in the receipt shape', () => {
    const odd = { id: 'b', format: 'cunzheng/receipt/v1', entry: 'e', index: 1, proof: [], checkpoint: 'c', anchors: [], log: { key: 'k', origin: 'o' }, extra: 1 } as unknown as Receipt;
    expect(batchReplyJson([odd], [true]).toString('utf8')).toBe(JSON.stringify({ receipts: [odd], created: [true] }));
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchReplyJson, buildReceipt, isBuiltReceipt, proofHashEncoder, receiptReplyJson, type Anchor, type Receipt } from '../../src/receipt/index.js';
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

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

describe('batchReplyJson, receiptReplyJson', () => {
  it('writes exactly the UTF-8 bytes of JSON.stringify({receipts, created})', () => {
    fc.assert(fc.property(batchArb, ([receipts, created]) => {
      const want = utf8(JSON.stringify({ receipts, created }));
      expect(bytesEqual(batchReplyJson(receipts, created), want)).toBe(true);
      for (const r of receipts.slice(0, 3)) expect(bytesEqual(receiptReplyJson(r), utf8(JSON.stringify(r)))).toBe(true);
    }), { numRuns: fuzzRuns(300) });
  });

  it('stays exact for receipts buildReceipt made (copied as they are), mixed with others, under hostile shared text', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const built = fc.record({
      entryBytes: fc.uint8Array({ maxLength: 1200 }),
      leafIndex: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      proof: fc.array(hash, { maxLength: 25 }),
      memo: fc.boolean(),
      copy: fc.boolean(),
    });
    const shared = fc.record({ checkpoint: anyText, log: logArb, anchors: fc.array(anchorArb, { maxLength: 2 }) });
    fc.assert(fc.property(shared, fc.array(built, { minLength: 1, maxLength: 20 }), (sh, items) => {
      const encode = proofHashEncoder();
      const receipts = items.map((it) => {
        const r = buildReceipt({
          entryBytes: it.entryBytes, leafIndex: it.leafIndex, inclusionProof: it.proof, checkpoint: sh.checkpoint,
          origin: sh.log.origin, logKey: sh.log.key, anchors: sh.anchors, ...(it.memo ? { encodeHash: encode } : {}),
        });
        expect(isBuiltReceipt(r)).toBe(true);
        // A copy is not the built receipt: it takes the general path.
        return it.copy ? { ...r } : r;
      });
      const created = receipts.map((_, i) => i % 2 === 0);
      expect(bytesEqual(batchReplyJson(receipts, created), utf8(JSON.stringify({ receipts, created })))).toBe(true);
      for (const r of receipts) expect(bytesEqual(receiptReplyJson(r), utf8(JSON.stringify(r)))).toBe(true);
    }), { numRuns: fuzzRuns(200) });
  });

  it('copies only what buildReceipt vouches for: built receipts are frozen, foreign encoders are not trusted', () => {
    const base = { entryBytes: new Uint8Array([1, 2, 3]), leafIndex: 4, inclusionProof: [new Uint8Array(32)], checkpoint: 'c', origin: 'o', logKey: 'k' };
    const r = buildReceipt(base);
    expect(Object.isFrozen(r) && Object.isFrozen(r.proof) && Object.isFrozen(r.log)).toBe(true);
    expect(() => {
      (r as { entry: string }).entry = '"';
    }).toThrow(TypeError);
    expect(() => {
      (r.proof as string[])[0] = '"';
    }).toThrow(TypeError);
    // An encoder of the caller's own may return anything: such receipts are not vouched for, and the
    // reply escapes their proof strings as JSON.stringify does.
    const odd = buildReceipt({ ...base, encodeHash: () => 'a"b\\c\u0001' });
    expect(isBuiltReceipt(odd)).toBe(false);
    expect(text(batchReplyJson([r, odd], [true, true]))).toBe(JSON.stringify({ receipts: [r, odd], created: [true, true] }));
    expect(isBuiltReceipt({ ...r })).toBe(false);
    expect(isBuiltReceipt(null)).toBe(false);
  });

  it('grows its buffer past the first guess (long entries) and stays exact', () => {
    const big = 'é'.repeat(100_000) + '\u2028"\\';
    const r: Receipt = { format: 'cunzheng/receipt/v1', id: 'a'.repeat(32), entry: big, index: 7, proof: ['x'], checkpoint: 'c\n— d', anchors: [], log: { origin: 'o', key: 'k' } };
    const out = batchReplyJson([r, { ...r, index: 8 }], [true, false]);
    expect(bytesEqual(out, utf8(JSON.stringify({ receipts: [r, { ...r, index: 8 }], created: [true, false] })))).toBe(true);
    expect(bytesEqual(receiptReplyJson(r), utf8(JSON.stringify(r)))).toBe(true);
  });

  it('falls back to JSON.stringify for objects that are not in the receipt shape', () => {
    const odd = { id: 'b', format: 'cunzheng/receipt/v1', entry: 'e', index: 1, proof: [], checkpoint: 'c', anchors: [], log: { key: 'k', origin: 'o' }, extra: 1 } as unknown as Receipt;
    expect(text(batchReplyJson([odd], [true]))).toBe(JSON.stringify({ receipts: [odd], created: [true] }));
  });
});

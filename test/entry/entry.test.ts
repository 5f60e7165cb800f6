import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromUtf8, utf8 } from '../../src/crypto/index.js';
import { buildEntry, ENTRY_KINDS, EntryBuilder, parseEntry, type Entry } from '../../src/entry/index.js';
import { entryInputArb, FIXED_NONCE, FIXED_TIME, sampleInput, SAMPLE_USCC } from './fixtures.js';

const FIELD_ORDER = ['v', 'kind', 'tenant', 'subject', 'digest', 'size', 'meta', 'prev', 'hashedBy', 'nonce', 'time'];

describe('buildEntry', () => {
  it('writes the documented example byte for byte', () => {
    const { bytes } = buildEntry(sampleInput({ prev: 'd-41' }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(fromUtf8(bytes)).toBe(
      '{"v":1,"kind":"deposit","tenant":"t-0001","subject":{"name":"示例科技有限公司","uscc":"' + SAMPLE_USCC + '"},' +
        '"digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
        '"sm3":"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},"size":3,' +
        '"meta":{"labels":["配方","R&D"],"level":"核心商密","title":"配方说明书"},"prev":"d-41","hashedBy":"client",' +
        '"nonce":"000102030405060708090a0b0c0d0e0f","time":"2026-11-21T08:30:00.123Z"}',
    );
  });

  it('omits absent optional fields and writes the rest in the fixed order', () => {
    const { bytes, entry } = buildEntry(
      { kind: 'destroy', tenant: 't', subject: { name: 'A', uscc: SAMPLE_USCC }, digest: { sha256: 'a'.repeat(64) }, hashedBy: 'server' },
      { nonce: FIXED_NONCE, time: FIXED_TIME },
    );
    expect(Object.keys(JSON.parse(fromUtf8(bytes)) as object)).toEqual(['v', 'kind', 'tenant', 'subject', 'digest', 'hashedBy', 'nonce', 'time']);
    expect(entry).not.toHaveProperty('size');
    expect(entry.digest).toEqual({ sha256: 'a'.repeat(64) });
  });

  it('treats optional fields set to undefined as absent, and an empty meta as no meta', () => {
    const a = buildEntry(sampleInput({ size: undefined, meta: {}, prev: undefined }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    const b = buildEntry(sampleInput({ size: undefined, meta: undefined }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(fromUtf8(a.bytes)).toBe(fromUtf8(b.bytes));
    expect(fromUtf8(a.bytes)).not.toContain('"meta"');
  });

  it('writes meta keys in ascending order whatever order they were given in', () => {
    const a = buildEntry(sampleInput({ meta: { title: 'x', category: 'y', a1: 1 } }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    const b = buildEntry(sampleInput({ meta: { a1: 1, title: 'x', category: 'y' } }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(fromUtf8(a.bytes)).toBe(fromUtf8(b.bytes));
    expect(fromUtf8(a.bytes)).toContain('"meta":{"a1":1,"category":"y","title":"x"}');
  });

  it('draws a fresh 16-byte nonce each time and stamps the current time', () => {
    const before = Date.now();
    const a = buildEntry(sampleInput()).entry;
    const b = buildEntry(sampleInput()).entry;
    expect(a.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(a.nonce).not.toBe(b.nonce);
    const t = Date.parse(a.time);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('never repeats a nonce across pool refills, from buildEntry and EntryBuilder alike', () => {
    // Nonces are drawn 256 at a time: 1,500 entries cross several refills of the pool.
    const input = sampleInput();
    const builder = new EntryBuilder('deposit', input.tenant, input.subject);
    const seen = new Set<string>();
    for (let i = 0; i < 750; i++) {
      for (const nonce of [buildEntry(input).entry.nonce, parseEntry(builder.build({ digest: input.digest, hashedBy: 'client' }).bytes).nonce]) {
        expect(nonce).toMatch(/^[0-9a-f]{32}$/);
        seen.add(nonce);
      }
    }
    expect(seen.size).toBe(1500);
  });

  it('returns a frozen entry that cannot be edited after it was written', () => {
    const { entry } = buildEntry(sampleInput(), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.subject)).toBe(true);
    expect(Object.isFrozen(entry.meta)).toBe(true);
    expect(Object.isFrozen(entry.meta?.labels)).toBe(true);
  });

  it('accepts every kind of the closed set', () => {
    for (const kind of ENTRY_KINDS) {
      expect(parseEntry(buildEntry(sampleInput({ kind }), { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes).kind).toBe(kind);
    }
  });
});

describe('parseEntry after buildEntry', () => {
  it('gives back the entry that was built, for any valid input (unicode, emoji, CJK, every optional field)', () => {
    fc.assert(
      fc.property(entryInputArb, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (input, nonce, time) => {
        const { entry, bytes } = buildEntry(input, { nonce, time });
        const parsed = parseEntry(bytes);
        expect(parsed).toEqual(entry);
        const { v: _v, nonce: _n, time: _t, ...again } = parsed;
        expect(fromUtf8(buildEntry(again, { nonce, time }).bytes)).toBe(fromUtf8(bytes));
        // The fields in the bytes appear in the fixed order.
        const keys = Object.keys(JSON.parse(fromUtf8(bytes)) as object);
        expect(keys).toEqual(FIELD_ORDER.filter((k) => keys.includes(k)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes meta keys in code-unit order whatever order they were given in, up to 32 keys', () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 32 }), fc.infiniteStream(fc.nat()), (keys, picks) => {
        // The same keys inserted in a random order.
        const order = [...keys];
        for (let i = order.length - 1; i > 0; i--) {
          const j = picks.next().value % (i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        const meta = Object.fromEntries(order.map((k, i) => [k, i]));
        const { entry } = buildEntry(sampleInput({ meta }), { nonce: FIXED_NONCE, time: FIXED_TIME });
        expect(Object.keys(entry.meta!)).toEqual([...keys].sort());
        for (const k of keys) expect(entry.meta![k]).toBe(meta[k]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the input values exactly (nothing trimmed, normalised or reordered but meta keys)', () => {
    fc.assert(
      fc.property(entryInputArb, (input) => {
        const { entry } = buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME });
        expect(entry.subject).toEqual(input.subject);
        expect(entry.digest).toEqual(input.digest);
        expect(entry.size).toBe(input.size);
        if (input.meta !== undefined && Object.keys(input.meta).length > 0) expect(entry.meta).toEqual(input.meta);
        expect(Object.keys(entry.meta ?? {})).toEqual(Object.keys(entry.meta ?? {}).sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseEntry on bytes that are not canonical', () => {
  const good = fromUtf8(buildEntry(sampleInput(), { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes);
  const variants: [string, string][] = [
    ['pretty-printed', JSON.stringify(JSON.parse(good), null, 2)],
    ['with a trailing newline', `${good}\n`],
    ['with a space after a colon', good.replace('"v":1', '"v": 1')],
    ['with an escaped ASCII letter', good.replace('"kind":"deposit"', '"kind":"\\u0064eposit"')],
    ['with an escaped CJK character', good.replace('示例', '\\u793a例')],
    ['with the solidus escaped', fromUtf8(buildEntry(sampleInput({ meta: { path: 'a/b' } }), { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes).replace('a/b', 'a\\/b')],
    ['with fields in another order', good.replace('"v":1,"kind":"deposit"', '"kind":"deposit","v":1')],
    ['with meta keys out of order', good.replace('"labels":["配方","R&D"],"level":"核心商密"', '"level":"核心商密","labels":["配方","R&D"]')],
    ['with size written as 3.0', good.replace('"size":3', '"size":3.0')],
    ['with size written as 3e0', good.replace('"size":3', '"size":3e0')],
    ['with an empty meta', good.replace(/"meta":\{.*?\},"hashedBy"/, '"meta":{},"hashedBy"')],
  ];
  for (const [what, text] of variants) {
    it(`rejects the entry ${what} with ENTRY_NOT_CANONICAL`, () => {
      expect(text).not.toBe(good);
      expect(() => parseEntry(utf8(text))).toThrowError(expect.objectContaining({ code: 'ENTRY_NOT_CANONICAL' }) as Error);
    });
  }

  it('accepts the canonical bytes themselves', () => {
    const entry: Entry = parseEntry(utf8(good));
    expect(entry.subject.name).toBe('示例科技有限公司');
  });
});

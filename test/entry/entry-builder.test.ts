/**
 * EntryBuilder against buildEntry: for the same kind, tenant, subject, item, nonce and time the builder
 * must write the very same bytes, and for bad input throw the very same error (code, field, message).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromUtf8 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import {
  buildEntry, EntryBuilder, ENTRY_KINDS, parseEntry, type EntryInput, type EntryItem, type EntryKind, type EntrySubject,
  type MetaValue,
} from '../../src/entry/index.js';
import { fuzzRuns } from '../support/fuzz.js';
import { codeOfSync } from '../support/codes.js';
import { FIXED_NONCE, FIXED_TIME, hex64Arb, SAMPLE_USCC, textArb, usccArb } from './fixtures.js';

const TENANT = 't-0001';
const SUBJECT: EntrySubject = { name: '示例科技有限公司', uscc: SAMPLE_USCC };
const SHA = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

type Outcome = { ok: true; bytes: string } | { ok: false; code: string; field: unknown; message: string };

function outcome(fn: () => Uint8Array): Outcome {
  try {
    return { ok: true, bytes: Buffer.from(fn()).toString('hex') };
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    return { ok: false, code: e.code, field: e.details?.field, message: e.message };
  }
}

function viaBuildEntry(kind: EntryKind, tenant: string, subject: EntrySubject, item: unknown, opts: { nonce?: Uint8Array; time?: Date }): Outcome {
  return outcome(() => {
    // A non-object item has no members to spread: buildEntry is then given the item itself.
    const proto: unknown = item !== null && typeof item === 'object' ? Object.getPrototypeOf(item) : undefined;
    const input = proto === Object.prototype || proto === null
      ? { kind, tenant, subject, ...(item as object) }
      : item;
    return buildEntry(input as EntryInput, opts).bytes;
  });
}

function viaBuilder(builder: EntryBuilder, item: unknown, opts: { nonce?: Uint8Array; time?: Date }): Outcome {
  return outcome(() => builder.build(item as EntryItem, opts).bytes);
}

// ---- generators -------------------------------------------------------------------------------------

const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
const nameArb = textArb(1, 256).filter((s) => !/^\s|\s$/u.test(s));
/** Text with the characters JSON escapes or encodes in several bytes: CJK, emoji, quotes, backslashes. */
const trickyText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    textArb(0, max),
    fc.string({ unit: fc.constantFrom('"', '\\', '/', '商', '密', '😀', '👨‍👩‍👧', 'é', '\u00a0', '\u200d', '\ufe0f', '<', '&', "'", 'a', ' '), maxLength: max }),
  );

const extraKeyArb = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/)
  .filter((k) => !['title', 'level', 'category', 'filename', 'path', 'note', 'labels', 'version'].includes(k));
// Sizes kept so that even the largest generated meta stays under 8 KiB as written (emoji sequences take
// up to 18 bytes per grapheme).
const extraValueArb: fc.Arbitrary<MetaValue> = fc.oneof(
  trickyText(16),
  fc.array(trickyText(6), { maxLength: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.integer(),
  fc.boolean(),
);

const metaArb: fc.Arbitrary<Record<string, MetaValue>> = fc
  .tuple(
    fc.record(
      {
        title: trickyText(40),
        level: fc.oneof(fc.constantFrom('核心商密', '普通商密', ''), trickyText(8)),
        category: trickyText(16),
        filename: trickyText(20),
        path: trickyText(30),
        note: trickyText(40),
        labels: fc.array(trickyText(8), { maxLength: 5 }),
        version: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)), trickyText(8)),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(extraKeyArb, extraValueArb, { maxKeys: 8 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

const itemArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    digest: fc.record({ sha256: hex64Arb, sm3: hex64Arb }, { requiredKeys: ['sha256'] }),
    size: fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER)),
    meta: metaArb,
    prev: idArb,
    hashedBy: fc.constantFrom('client', 'server'),
  },
  { requiredKeys: ['digest', 'hashedBy'] },
);

const headArb = fc.record({
  kind: fc.constantFrom(...ENTRY_KINDS),
  tenant: idArb,
  subject: fc.record({ name: nameArb, uscc: usccArb }),
});

const nonceArb = fc.uint8Array({ minLength: 16, maxLength: 16 });
const timeArb = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

/** A value that is certainly not a valid 64-digit lowercase hex digest. */
const badHexArb: fc.Arbitrary<unknown> = fc.oneof(
  hex64Arb.map((h) => h.toUpperCase()).filter((h) => /[A-F]/.test(h)),
  hex64Arb.map((h) => h.slice(1)),
  hex64Arb.map((h) => `${h}0`),
  hex64Arb.map((h) => `${h.slice(0, 10)}g${h.slice(11)}`),
  hex64Arb.map((h) => ` ${h.slice(1)}`),
  fc.constantFrom('', null, 0, 42, true, [], {}, 'a'.repeat(63), 'a'.repeat(65)),
);

const BAD_TEXT_CHARS = ['\u202e', '\n', '\r', '\t', '\u0000', '\u007f', '\u0085', '\u2028', '\u2029', '\u2066', '\u202a', '\ud800', '\udfff'];
const badTextArb = fc.tuple(trickyText(20), fc.constantFrom(...BAD_TEXT_CHARS), trickyText(20)).map(([a, c, b]) => a + c + b);

/** A meta that is certainly invalid. */
const badMetaArb: fc.Arbitrary<unknown> = fc.oneof(
  // keys
  fc.constantFrom('1abc', '_x', '-x', 'a b', 'a.b', 'ключ', '', 'a'.repeat(65), 'é').map((k) => ({ [k]: 'v' })),
  fc.constant(Object.fromEntries([['__proto__', 'x']])),
  // too many keys
  fc.integer({ min: 33, max: 40 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  // oversize values
  fc.constantFrom('title', 'note', 'other').map((k) => ({ [k]: '密'.repeat(1025) })),
  fc.constant({ labels: Array.from({ length: 33 }, () => 'x') }),
  fc.constant({ tags: ['a'.repeat(1025)] }),
  // the whole meta above 8 KiB as written (each value is allowed on its own)
  fc.integer({ min: 3, max: 8 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, '商'.repeat(1024)]))),
  // forbidden characters, in a known string key, an extra key, a label
  fc.tuple(fc.constantFrom('title', 'level', 'category', 'filename', 'path', 'note', 'custom', 'version'), badTextArb).map(([k, v]) => ({ [k]: v })),
  badTextArb.map((v) => ({ labels: ['ok', v] })),
  badTextArb.map((v) => ({ extra: [v] })),
  // wrong types
  fc.constantFrom<unknown>(
    { title: 1 }, { level: true }, { labels: 'a' }, { labels: [1] }, { version: true }, { version: ['1'] }, { other: null },
    { other: {} }, { other: Number.NaN }, { other: Number.POSITIVE_INFINITY }, { other: -0 }, { version: -0 }, { arr: [null] },
    [], null, 'meta', 5, new Map([['a', 'b']]),
  ),
);

/** Mutations each of which makes an item invalid. */
const mutationArb: fc.Arbitrary<(item: Record<string, unknown>) => void> = fc.oneof(
  badHexArb.map((v) => (item: Record<string, unknown>) => {
    item.digest = { ...(item.digest as object), sha256: v };
  }),
  badHexArb.map((v) => (item: Record<string, unknown>) => {
    item.digest = { ...(item.digest as object), sm3: v };
  }),
  fc.constantFrom<unknown>(null, 'x', [], SHA, { sm3: SHA }, { sha256: SHA, sha1: SHA }).map((v) => (item: Record<string, unknown>) => {
    item.digest = v;
  }),
  fc.constant((item: Record<string, unknown>) => {
    delete item.digest;
  }),
  fc
    .oneof(
      fc.integer({ max: -1 }),
      fc.double({ noNaN: true }).filter((x) => !Number.isSafeInteger(x) || x < 0 || Object.is(x, -0)),
      fc.constantFrom<unknown>(-0, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3', null, true, 10n),
    )
    .map((v) => (item: Record<string, unknown>) => {
      item.size = v;
    }),
  badMetaArb.map((v) => (item: Record<string, unknown>) => {
    item.meta = v;
  }),
  fc.constantFrom<unknown>('', '-abc', '.a', 'a b', 'a/b', 'a'.repeat(129), 'd\u00e9p', 5, null, ['a']).map((v) => (item: Record<string, unknown>) => {
    item.prev = v;
  }),
  fc.constantFrom<unknown>('Client', 'SERVER', 'both', '', null, 1, ['client']).map((v) => (item: Record<string, unknown>) => {
    item.hashedBy = v;
  }),
  fc.constant((item: Record<string, unknown>) => {
    delete item.hashedBy;
  }),
  fc.constantFrom('foo', 'v', 'nonce', 'time', 'sha256', 'Digest', 'x'.repeat(90)).map((k) => (item: Record<string, unknown>) => {
    item[k] = 'x';
  }),
);

// ---- properties -------------------------------------------------------------------------------------

describe('EntryBuilder writes what buildEntry writes', () => {
  it('byte for byte, for any valid kind, tenant, subject, items, nonce and time', () => {
    fc.assert(
      fc.property(headArb, fc.array(fc.tuple(itemArb, nonceArb, timeArb), { minLength: 1, maxLength: 4 }), ({ kind, tenant, subject }, items) => {
        // One builder for several items: nothing of one build may leak into the next.
        const builder = new EntryBuilder(kind, tenant, subject);
        for (const [item, nonce, time] of items) {
          const built = builder.build(item as unknown as EntryItem, { nonce, time });
          const reference = buildEntry({ kind, tenant, subject, ...item } as unknown as EntryInput, { nonce, time });
          expect(Buffer.from(built.bytes).equals(Buffer.from(reference.bytes))).toBe(true);
          expect(built.text).toBe(fromUtf8(reference.bytes));
          expect(fromUtf8(built.bytes)).toBe(built.text);
          expect(parseEntry(built.bytes)).toEqual(reference.entry);
        }
      }),
      { numRuns: fuzzRuns(400) },
    );
  });

  it('with optional members given as undefined, and meta keys in any order', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const item = { digest: { sha256: SHA, sm3: undefined }, size: undefined, meta: { title: 'a"\\b', a1: 1, labels: ['z', '密'] }, prev: undefined, hashedBy: 'server' };
    const built = builder.build(item as unknown as EntryItem, { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(built.text).toBe(fromUtf8(buildEntry({ kind: 'deposit', tenant: TENANT, subject: SUBJECT, ...item } as unknown as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes));
    expect(built.text).toBe(
      `{"v":1,"kind":"deposit","tenant":"t-0001","subject":{"name":"示例科技有限公司","uscc":"${SAMPLE_USCC}"},"digest":{"sha256":"${SHA}"},` +
        '"meta":{"a1":1,"labels":["z","密"],"title":"a\\"\\\\b"},"hashedBy":"server","nonce":"000102030405060708090a0b0c0d0e0f","time":"2026-11-21T08:30:00.123Z"}',
    );
    // An empty meta is no meta, as in buildEntry.
    expect(builder.build({ digest: { sha256: SHA }, meta: {}, hashedBy: 'client' }, { nonce: FIXED_NONCE, time: FIXED_TIME }).text).not.toContain('"meta"');
  });

  it('keeps earlier bytes intact while many more entries are built (no shared buffer is overwritten)', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const kept: { bytes: Uint8Array; text: string }[] = [];
    for (let i = 0; i < 50; i++) {
      kept.push(builder.build({ digest: { sha256: SHA }, meta: { note: `第${i}号 ${'x'.repeat(i * 10)}` }, hashedBy: 'client' }));
    }
    const snapshot = kept.map((k) => Buffer.from(k.bytes).toString('hex'));
    // Well past several 256 KiB slabs.
    for (let i = 0; i < 6000; i++) builder.build({ digest: { sha256: SHA }, meta: { note: '覆盖'.repeat(100) }, hashedBy: 'server' });
    kept.forEach((k, i) => {
      expect(Buffer.from(k.bytes).toString('hex')).toBe(snapshot[i]);
      expect(fromUtf8(k.bytes)).toBe(k.text);
      expect(parseEntry(k.bytes).meta?.note).toBe(`第${i}号 ${'x'.repeat(i * 10)}`);
    });
  });
});

describe('EntryBuilder throws what buildEntry throws', () => {
  it('for items made invalid by one to three mutations (same code, field and message)', () => {
    fc.assert(
      fc.property(headArb, itemArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), ({ kind, tenant, subject }, item, mutations) => {
        const bad: Record<string, unknown> = { ...item };
        for (const m of mutations) m(bad);
        const builder = new EntryBuilder(kind, tenant, subject);
        const got = viaBuilder(builder, bad, { nonce: FIXED_NONCE, time: FIXED_TIME });
        const want = viaBuildEntry(kind, tenant, subject, bad, { nonce: FIXED_NONCE, time: FIXED_TIME });
        expect(want.ok, JSON.stringify(want)).toBe(false);
        expect(got).toEqual(want);
        if (!got.ok) expect(got.code).toMatch(/^ENTRY_/);
        // A failed build leaves the builder usable.
        expect(viaBuilder(builder, item, { nonce: FIXED_NONCE, time: FIXED_TIME })).toEqual(viaBuildEntry(kind, tenant, subject, item, { nonce: FIXED_NONCE, time: FIXED_TIME }));
      }),
      { numRuns: fuzzRuns(600) },
    );
  });

  it('for each kind of bad item, with the expected code and field', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const base = { digest: { sha256: SHA }, hashedBy: 'client' };
    const cases: [string, unknown, string, string][] = [
      ['uppercase digest', { ...base, digest: { sha256: SHA.toUpperCase() } }, 'ENTRY_BAD_FIELD', 'digest.sha256'],
      ['short digest', { ...base, digest: { sha256: SHA.slice(2) } }, 'ENTRY_BAD_FIELD', 'digest.sha256'],
      ['bad sm3', { ...base, digest: { sha256: SHA, sm3: 'xyz' } }, 'ENTRY_BAD_FIELD', 'digest.sm3'],
      ['unknown digest member', { ...base, digest: { sha256: SHA, md5: SHA } }, 'ENTRY_UNKNOWN_FIELD', 'digest.md5'],
      ['missing digest', { hashedBy: 'client' }, 'ENTRY_BAD_FIELD', 'digest'],
      ['negative size', { ...base, size: -1 }, 'ENTRY_BAD_FIELD', 'size'],
      ['negative zero size', { ...base, size: -0 }, 'ENTRY_BAD_FIELD', 'size'],
      ['fractional size', { ...base, size: 1.5 }, 'ENTRY_BAD_FIELD', 'size'],
      ['unsafe size', { ...base, size: 2 ** 53 }, 'ENTRY_BAD_FIELD', 'size'],
      ['meta key with a digit first', { ...base, meta: { '1a': 'x' } }, 'ENTRY_BAD_FIELD', 'meta'],
      ['33 meta keys', { ...base, meta: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 1])) }, 'ENTRY_BAD_FIELD', 'meta'],
      ['1025-unit title', { ...base, meta: { title: 'a'.repeat(1025) } }, 'ENTRY_BAD_FIELD', 'meta.title'],
      ['meta over 8 KiB', { ...base, meta: { a: '商'.repeat(1024), b: '商'.repeat(1024), c: '商'.repeat(1024) } }, 'ENTRY_BAD_FIELD', 'meta'],
      ['RLO in a title', { ...base, meta: { title: 'abc\u202Etxt.exe' } }, 'ENTRY_BAD_FIELD', 'meta.title'],
      ['newline in a note', { ...base, meta: { note: 'line1\nline2' } }, 'ENTRY_BAD_FIELD', 'meta.note'],
      ['newline in a label', { ...base, meta: { labels: ['a', 'b\n'] } }, 'ENTRY_BAD_FIELD', 'meta.labels[1]'],
      ['negative zero in meta', { ...base, meta: { n: -0 } }, 'ENTRY_BAD_FIELD', 'meta.n'],
      ['bad prev', { ...base, prev: '-x' }, 'ENTRY_BAD_FIELD', 'prev'],
      ['bad hashedBy', { ...base, hashedBy: 'nobody' }, 'ENTRY_BAD_FIELD', 'hashedBy'],
      ['unknown item field', { ...base, colour: 'red' }, 'ENTRY_UNKNOWN_FIELD', 'colour'],
      ['nonce given as an item field', { ...base, nonce: '00' }, 'ENTRY_UNKNOWN_FIELD', 'nonce'],
      ['null item', null, 'ENTRY_BAD_FIELD', 'entry'],
      ['array item', [base], 'ENTRY_BAD_FIELD', 'entry'],
      ['string item', 'digest', 'ENTRY_BAD_FIELD', 'entry'],
      ['class instance item', new (class Item { digest = { sha256: SHA }; hashedBy = 'client'; })(), 'ENTRY_BAD_FIELD', 'entry'],
    ];
    for (const [what, item, code, field] of cases) {
      const got = viaBuilder(builder, item, { nonce: FIXED_NONCE, time: FIXED_TIME });
      expect(got, what).toMatchObject({ ok: false, code, field });
      expect(got, what).toEqual(viaBuildEntry('deposit', TENANT, SUBJECT, item, { nonce: FIXED_NONCE, time: FIXED_TIME }));
    }
  });

  it('refuses kind, tenant and subject as item fields (they are the builder\'s)', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    for (const k of ['kind', 'tenant', 'subject']) {
      const item = { digest: { sha256: SHA }, hashedBy: 'client', [k]: k === 'subject' ? SUBJECT : k === 'kind' ? 'deposit' : TENANT };
      expect(viaBuilder(builder, item, {}), k).toMatchObject({ ok: false, code: 'ENTRY_UNKNOWN_FIELD', field: k });
    }
  });

  it('near the meta bounds: both succeed with the same bytes or both fail with the same error', () => {
    const nearArb = fc.oneof(
      // 30..34 keys
      fc.integer({ min: 30, max: 34 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
      // strings of 1020..1030 units (a CJK or an emoji tail crosses the limit in UTF-16 units, not characters)
      fc.tuple(fc.constantFrom('title', 'note', 'x'), fc.integer({ min: 1020, max: 1030 }), fc.constantFrom('a', '商', '😀')).map(([k, n, c]) => ({ [k]: c.repeat(Math.ceil(n / c.length)).slice(0, n) })),
      // label arrays of 31..33
      fc.integer({ min: 31, max: 33 }).map((n) => ({ labels: Array.from({ length: n }, (_, i) => `l${i}`) })),
      // keys of 63..66 characters
      fc.integer({ min: 63, max: 66 }).map((n) => ({ [`k${'y'.repeat(n - 1)}`]: true })),
      // around 8 KiB as written: two 1024-unit strings of 3-byte characters plus a filler of n bytes
      fc.integer({ min: 1900, max: 2100 }).map((n) => ({ a: '商'.repeat(1024), b: 'é'.repeat(1024), c: 'z'.repeat(Math.min(n, 1024)), d: 'z'.repeat(Math.max(0, n - 1024)) })),
    );
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    let ok = 0;
    let failed = 0;
    fc.assert(
      fc.property(nearArb, (meta) => {
        const item = { digest: { sha256: SHA }, meta, hashedBy: 'client' };
        const got = viaBuilder(builder, item, { nonce: FIXED_NONCE, time: FIXED_TIME });
        expect(got).toEqual(viaBuildEntry('deposit', TENANT, SUBJECT, item, { nonce: FIXED_NONCE, time: FIXED_TIME }));
        if (got.ok) ok++;
        else failed++;
      }),
      { numRuns: fuzzRuns(300) },
    );
    // The generator straddles the bounds: both outcomes occurred.
    expect(ok).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });

  it('for a bad explicit nonce or time with a valid item', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const item = { digest: { sha256: SHA }, hashedBy: 'client' };
    for (const nonce of [new Uint8Array(15), new Uint8Array(17), new Uint8Array(0)]) {
      const got = viaBuilder(builder, item, { nonce, time: FIXED_TIME });
      expect(got).toMatchObject({ ok: false, code: 'ENTRY_BAD_FIELD', field: 'nonce' });
      expect(viaBuildEntry('deposit', TENANT, SUBJECT, item, { nonce, time: FIXED_TIME })).toMatchObject({ ok: false, code: 'ENTRY_BAD_FIELD', field: 'nonce' });
    }
    for (const time of [new Date(Number.NaN), new Date('+010000-01-01T00:00:00.000Z'), new Date('-000001-01-01T00:00:00.000Z')]) {
      const got = viaBuilder(builder, item, { nonce: FIXED_NONCE, time });
      expect(got).toMatchObject({ ok: false, code: 'ENTRY_BAD_FIELD', field: 'time' });
      expect(got).toEqual(viaBuildEntry('deposit', TENANT, SUBJECT, item, { nonce: FIXED_NONCE, time }));
    }
  });

  it('checks the nonce and the time before the item\'s fields, as buildEntry does (same error, same details)', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const badItem = { digest: { sha256: 'X' }, hashedBy: 'client' };
    const details = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return (e as CunzhengError).details;
      }
      return undefined;
    };
    for (const opts of [{ nonce: new Uint8Array(3), time: FIXED_TIME }, { nonce: FIXED_NONCE, time: new Date(Number.NaN) }]) {
      const got = viaBuilder(builder, badItem, opts);
      expect(got.ok).toBe(false);
      expect(got).toEqual(viaBuildEntry('deposit', TENANT, SUBJECT, badItem, opts));
      expect(details(() => builder.build(badItem as EntryItem, opts))).toEqual(
        details(() => buildEntry({ kind: 'deposit', tenant: TENANT, subject: SUBJECT, ...badItem } as EntryInput, opts)),
      );
    }
    expect(details(() => builder.build({ digest: { sha256: SHA }, hashedBy: 'client' }, { nonce: new Uint8Array(3) }))).toMatchObject({ field: 'nonce', want: 16, got: 3 });
  });
});

describe('constructing an EntryBuilder', () => {
  const cases: [string, unknown, unknown, unknown, string, string][] = [
    ['an unknown kind', 'Deposit', TENANT, SUBJECT, 'ENTRY_BAD_FIELD', 'kind'],
    ['a kind that is not a string', 1, TENANT, SUBJECT, 'ENTRY_BAD_FIELD', 'kind'],
    ['an empty tenant id', 'deposit', '', SUBJECT, 'ENTRY_BAD_FIELD', 'tenant'],
    ['a tenant id with a space', 'deposit', 't 1', SUBJECT, 'ENTRY_BAD_FIELD', 'tenant'],
    ['a tenant id starting with a dash', 'deposit', '-t', SUBJECT, 'ENTRY_BAD_FIELD', 'tenant'],
    ['a 129-character tenant id', 'deposit', 'a'.repeat(129), SUBJECT, 'ENTRY_BAD_FIELD', 'tenant'],
    ['a uscc with a wrong check character', 'deposit', TENANT, { name: 'A', uscc: `${SAMPLE_USCC.slice(0, 17)}${SAMPLE_USCC[17] === '0' ? '1' : '0'}` }, 'ENTRY_BAD_FIELD', 'subject.uscc'],
    ['a lowercase uscc', 'deposit', TENANT, { name: 'A', uscc: '91110108551385082q' }, 'ENTRY_BAD_FIELD', 'subject.uscc'],
    ['a short uscc', 'deposit', TENANT, { name: 'A', uscc: SAMPLE_USCC.slice(1) }, 'ENTRY_BAD_FIELD', 'subject.uscc'],
    ['a name with a leading space', 'deposit', TENANT, { name: ' 示例公司', uscc: SAMPLE_USCC }, 'ENTRY_BAD_FIELD', 'subject.name'],
    ['a name with a trailing ideographic space', 'deposit', TENANT, { name: '示例公司\u3000', uscc: SAMPLE_USCC }, 'ENTRY_BAD_FIELD', 'subject.name'],
    ['an empty name', 'deposit', TENANT, { name: '', uscc: SAMPLE_USCC }, 'ENTRY_BAD_FIELD', 'subject.name'],
    ['a name with an RLO', 'deposit', TENANT, { name: 'a\u202Eb', uscc: SAMPLE_USCC }, 'ENTRY_BAD_FIELD', 'subject.name'],
    ['a subject with an extra member', 'deposit', TENANT, { ...SUBJECT, id: 1 }, 'ENTRY_UNKNOWN_FIELD', 'subject.id'],
    ['a subject that is not an object', 'deposit', TENANT, 'subject', 'ENTRY_BAD_FIELD', 'subject'],
    ['a subject without a uscc', 'deposit', TENANT, { name: 'A' }, 'ENTRY_BAD_FIELD', 'subject.uscc'],
  ];
  for (const [what, kind, tenant, subject, code, field] of cases) {
    it(`with ${what} throws ${code} (as buildEntry does)`, () => {
      let err: unknown;
      try {
        new EntryBuilder(kind as EntryKind, tenant as string, subject as EntrySubject);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CunzhengError);
      const e = err as CunzhengError;
      expect({ code: e.code, field: e.details?.field }).toEqual({ code, field });
      const want = outcome(() => buildEntry({ kind, tenant, subject, digest: { sha256: SHA }, hashedBy: 'client' } as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes);
      expect(want).toEqual({ ok: false, code: e.code, field: e.details?.field, message: e.message });
    });
  }

  it('accepts every kind of the closed set', () => {
    for (const kind of ENTRY_KINDS) {
      expect(codeOfSync(() => new EntryBuilder(kind, TENANT, SUBJECT))).toBeUndefined();
      expect(parseEntry(new EntryBuilder(kind, TENANT, SUBJECT).build({ digest: { sha256: SHA }, hashedBy: 'client' }).bytes).kind).toBe(kind);
    }
  });
});

describe('EntryBuilder without an explicit nonce or time', () => {
  it('draws a fresh nonce for every entry', () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const item = { digest: { sha256: SHA }, hashedBy: 'client' } as const;
    const time = FIXED_TIME;
    const nonces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const e = parseEntry(builder.build(item, { time }).bytes);
      expect(e.nonce).toMatch(/^[0-9a-f]{32}$/);
      nonces.add(e.nonce);
    }
    expect(nonces.size).toBe(1000);
    const a = builder.build(item, { time });
    const b = builder.build(item, { time });
    expect(a.text).not.toBe(b.text);
  });

  it('stamps the current time in the entry format, and moves on with the clock', async () => {
    const builder = new EntryBuilder('deposit', TENANT, SUBJECT);
    const item = { digest: { sha256: SHA }, hashedBy: 'client' } as const;
    const before = Date.now();
    const first = parseEntry(builder.build(item).bytes);
    const after = Date.now();
    expect(first.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const t1 = Date.parse(first.time);
    expect(t1).toBeGreaterThanOrEqual(before);
    expect(t1).toBeLessThanOrEqual(after);
    expect(Math.abs(t1 - Date.now())).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 25));
    const t2 = Date.parse(parseEntry(builder.build(item).bytes).time);
    expect(t2).toBeGreaterThanOrEqual(t1 + 20);
    expect(Math.abs(t2 - Date.now())).toBeLessThan(1000);
    // An explicit time in between does not disturb the clock stamp of the next build.
    expect(parseEntry(builder.build(item, { time: FIXED_TIME }).bytes).time).toBe(FIXED_TIME.toISOString());
    await new Promise((r) => setTimeout(r, 5));
    expect(Date.parse(parseEntry(builder.build(item).bytes).time)).toBeGreaterThan(t2);
  });
});

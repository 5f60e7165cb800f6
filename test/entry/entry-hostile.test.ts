import { fuzzRuns } from '../support/fuzz.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromUtf8, utf8 } from '../../src/crypto/index.js';
import { buildEntry, ENTRY_MAX_BYTES, parseEntry, type EntryInput } from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { isDeepStrictEqual } from 'node:util';
import { FIXED_NONCE, FIXED_TIME, makeUscc, sampleInput } from './fixtures.js';

const ENTRY_CODES = [
  'ENTRY_TOO_LARGE', 'ENTRY_BAD_UTF8', 'ENTRY_MALFORMED', 'ENTRY_DUPLICATE_KEY', 'ENTRY_UNKNOWN_FIELD',
  'ENTRY_BAD_FIELD', 'ENTRY_BAD_VERSION', 'ENTRY_NOT_CANONICAL',
];

function caught(fn: () => unknown): CunzhengError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CunzhengError) return e;
    throw e;
  }
  return undefined;
}

const GOOD = fromUtf8(buildEntry(sampleInput(), { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes);
const goodObject = (): Record<string, unknown> => JSON.parse(GOOD) as Record<string, unknown>;

/** Parses the JSON text of `obj` (written compactly, members in the order given). */
const parseObject = (obj: unknown): CunzhengError | undefined => caught(() => parseEntry(utf8(JSON.stringify(obj))));

function survivesJson(value: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value);
  } catch {
    return false;
  }
}

/** Builds from sampleInput with the patch's fields replaced. */
const buildWith = (patch: Record<string, unknown>): CunzhengError | undefined =>
  caught(() => buildEntry({ ...sampleInput(), ...patch } as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }));

describe('parseEntry on hostile bytes', () => {
  it('rejects more than ENTRY_MAX_BYTES (128 KiB) before decoding it, with ENTRY_TOO_LARGE', () => {
    const huge = new Uint8Array(ENTRY_MAX_BYTES + 1).fill(0xff);
    expect(caught(() => parseEntry(huge))?.code).toBe('ENTRY_TOO_LARGE');
    const padded = utf8(GOOD.replace('配方说明书', 'x'.repeat(ENTRY_MAX_BYTES)));
    expect(caught(() => parseEntry(padded))?.code).toBe('ENTRY_TOO_LARGE');
  });

  it('rejects invalid UTF-8 (overlong, lone surrogate, truncated, stray continuation) with ENTRY_BAD_UTF8', () => {
    const good = utf8(GOOD);
    const at = GOOD.indexOf('示'); // a 3-byte sequence inside the name
    const byteAt = utf8(GOOD.slice(0, at)).length;
    const cases = [
      Uint8Array.of(0x7b, 0xc0, 0xaf, 0x7d), // overlong "/"
      Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), // UTF-8 encoded U+D800
      good.slice(0, byteAt + 1), // cut inside 示
      Uint8Array.from([...good.slice(0, byteAt), 0x80, ...good.slice(byteAt + 1)]),
      Uint8Array.of(0xf8, 0x88, 0x80, 0x80, 0x80),
    ];
    for (const bytes of cases) expect(caught(() => parseEntry(bytes))?.code).toBe('ENTRY_BAD_UTF8');
  });

  it('rejects what is not JSON, or not a JSON object, with ENTRY_MALFORMED', () => {
    for (const text of ['', ' ', '{', GOOD.slice(0, -1), `\uFEFF${GOOD}`, '[1]', 'null', '"entry"', '1', `${GOOD}{}`, "{'v':1}", '{"v":1,}']) {
      expect(caught(() => parseEntry(utf8(text)))?.code, text.slice(0, 20)).toBe('ENTRY_MALFORMED');
    }
    expect(caught(() => parseEntry('{"v":1}' as unknown as Uint8Array))?.code).toBe('ENTRY_MALFORMED');
  });

  it('survives deep nesting without exhausting the stack', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    expect(caught(() => parseEntry(utf8(deep)))?.code).toBe('ENTRY_MALFORMED');
    const deepMeta = GOOD.replace('"title":"配方说明书"', `"title":${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    expect(caught(() => parseEntry(utf8(deepMeta)))?.code).toBe('ENTRY_BAD_FIELD');
  });

  describe('when a key appears twice in one object', () => {
    const cases: [string, string][] = [
      ['at the top level', GOOD.replace('"kind":"deposit"', '"kind":"deposit","kind":"destroy"')],
      ['in subject', GOOD.replace('"subject":{', '"subject":{"name":"某公司",')],
      ['in digest', GOOD.replace('"digest":{', `"digest":{"sha256":"${'0'.repeat(64)}",`)],
      ['in meta', GOOD.replace('"meta":{', '"meta":{"title":"x",')],
      ['spelled with an escape', GOOD.replace('"time":', '"\\u0074ime":"2020-01-01T00:00:00.000Z","time":')],
    ];
    for (const [where, text] of cases) {
      it(`rejects it ${where} with ENTRY_DUPLICATE_KEY`, () => {
        const err = caught(() => parseEntry(utf8(text)));
        expect(err?.code).toBe('ENTRY_DUPLICATE_KEY');
      });
    }
  });

  it('rejects unknown fields at every level with ENTRY_UNKNOWN_FIELD, naming them', () => {
    const top = { ...goodObject(), extra: 1 };
    expect(parseObject(top)?.details).toMatchObject({ field: 'extra' });
    expect(parseObject(top)?.code).toBe('ENTRY_UNKNOWN_FIELD');
    const o = goodObject();
    expect(parseObject({ ...o, subject: { ...(o.subject as object), legalRep: '张三' } })?.details).toMatchObject({ field: 'subject.legalRep' });
    expect(parseObject({ ...o, digest: { ...(o.digest as object), md5: 'x' } })?.code).toBe('ENTRY_UNKNOWN_FIELD');
    expect(caught(() => parseEntry(utf8(GOOD.replace('{"v":1,', '{"v":1,"__proto__":{"x":1},'))))?.code).toBe('ENTRY_UNKNOWN_FIELD');
  });

  it('rejects any version but 1 and 2 with ENTRY_BAD_VERSION, before looking at other fields', () => {
    for (const v of [3, 0, '1', '2', 1.5, 2.0000001, -1, null, true, [1], [2], undefined]) {
      const o = goodObject();
      if (v === undefined) delete o.v;
      else o.v = v;
      o.newFieldOfV3 = 'x';
      expect(parseObject(o)?.code, String(v)).toBe('ENTRY_BAD_VERSION');
    }
  });

  it('rejects numbers beyond 2^53 in size, however they are spelled', () => {
    for (const n of ['9007199254740992', '9007199254740993', '18446744073709551616', '1e400', '-1', '1.5']) {
      const err = caught(() => parseEntry(utf8(GOOD.replace('"size":3', `"size":${n}`))));
      expect(err?.code, n).toBe('ENTRY_BAD_FIELD');
      expect(err?.details).toMatchObject({ field: 'size' });
    }
    expect(parseEntry(utf8(GOOD.replace('"size":3', '"size":9007199254740991'))).size).toBe(2 ** 53 - 1);
  });

  it('never throws anything but an ENTRY_* CunzhengError on random bytes or mutated entries', () => {
    const good = utf8(GOOD);
    const mutated = fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 3 })).map(([i, b, mode]) => {
      if (mode === 0) return Uint8Array.from([...good.slice(0, i), b, ...good.slice(i + 1)]);
      if (mode === 1) return Uint8Array.from([...good.slice(0, i), b, ...good.slice(i)]);
      if (mode === 2) return Uint8Array.from([...good.slice(0, i), ...good.slice(i + 1)]);
      return good.slice(0, i);
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated, fc.json().map(utf8), fc.string().map(utf8)), (bytes) => {
        const err = caught(() => parseEntry(bytes));
        if (err !== undefined) expect(ENTRY_CODES).toContain(err.code);
      }),
      { numRuns: fuzzRuns(5000) },
    );
  });
});

describe('text fields accept exactly what the forbidden-character rule allows', () => {
  // The rule as documented: C0/C1 controls, lone surrogates, U+2028/U+2029, bidi embeddings, overrides and
  // isolates. A fast pre-check runs before it; this holds the two together on strings near every boundary.
  const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
  const near = fc.constantFrom(
    'a', '长', ' ', '\u001f', '\u0020', '\u007e', '\u007f', '\u009f', '\u00a0', '\ud7ff', '\ud83d', '\ude00', '\udfff', '\ue000',
    '\u2027', '\u2028', '\u2029', '\u202a', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069', '\u206a', '😀', '"', '\\',
  );
  it('a title is accepted if and only if the rule finds nothing in it', () => {
    fc.assert(fc.property(fc.string({ unit: near, minLength: 1, maxLength: 12 }), (title) => {
      let accepted = true;
      try {
        buildEntry(sampleInput({ meta: { title } }), { nonce: FIXED_NONCE, time: FIXED_TIME });
      } catch (e) {
        expect((e as CunzhengError).code).toBe('ENTRY_BAD_FIELD');
        accepted = false;
      }
      expect(accepted).toBe(!FORBIDDEN.test(title));
    }), { numRuns: fuzzRuns(2000) });
  });
});

describe('field rules (the same for buildEntry and parseEntry)', () => {
  const uscc = makeUscc('91440300');
  const badFields: [string, Record<string, unknown>][] = [
    ['kind', { kind: 'transfer' }], ['kind', { kind: 'Deposit' }], ['kind', { kind: 1 }], ['kind', { kind: undefined }],
    ['tenant', { tenant: '' }], ['tenant', { tenant: 't 1' }], ['tenant', { tenant: '-t' }], ['tenant', { tenant: 'x'.repeat(129) }], ['tenant', { tenant: 7 }],
    ['subject', { subject: null }], ['subject', { subject: 'name' }], ['subject', { subject: [] }],
    ['subject.name', { subject: { name: '', uscc } }], ['subject.name', { subject: { name: ' 示例', uscc } }],
    ['subject.name', { subject: { name: '示例\n', uscc } }], ['subject.name', { subject: { name: '示例\nDepositor: 其他', uscc } }],
    ['subject.name', { subject: { name: 'a\u202Eb', uscc } }], ['subject.name', { subject: { name: 'a\u2028b', uscc } }],
    ['subject.name', { subject: { name: 'a\uD800b', uscc } }], ['subject.name', { subject: { name: 'x'.repeat(257), uscc } }],
    ['subject.name', { subject: { uscc } }],
    ['subject.uscc', { subject: { name: 'A', uscc: uscc.toLowerCase() } }], ['subject.uscc', { subject: { name: 'A', uscc: `${uscc.slice(0, 17)}${uscc[17] === '0' ? '1' : '0'}` } }],
    ['subject.uscc', { subject: { name: 'A' } }],
    ['digest.sha256', { digest: { sha256: 'A'.repeat(64) } }], ['digest.sha256', { digest: { sha256: 'a'.repeat(63) } }], ['digest.sha256', { digest: {} }],
    ['digest.sm3', { digest: { sha256: 'a'.repeat(64), sm3: 'g'.repeat(64) } }], ['digest.sm3', { digest: { sha256: 'a'.repeat(64), sm3: null } }],
    ['size', { size: -1 }], ['size', { size: 1.5 }], ['size', { size: 2 ** 53 }], ['size', { size: '3' }], ['size', { size: Number.NaN }], ['size', { size: 10n }], ['size', { size: -0 }],
    ['meta', { meta: [] }], ['meta', { meta: 'x' }], ['meta', { meta: null }],
    ['meta', { meta: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }],
    ['meta', { meta: { '1abc': 'x' } }], ['meta', { meta: { 'a b': 'x' } }], ['meta', { meta: { ['k'.repeat(65)]: 'x' } }], ['meta', { meta: { _x: 'x' } }],
    ['meta', { meta: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'x'.repeat(1000)])) }],
    ['meta.title', { meta: { title: 3 } }], ['meta.title', { meta: { title: 'x'.repeat(1025) } }], ['meta.note', { meta: { note: 'a\tb' } }],
    ['meta.labels', { meta: { labels: 'x' } }], ['meta.labels', { meta: { labels: Array.from({ length: 33 }, () => 'x') } }], ['meta.labels[1]', { meta: { labels: ['a', 1] } }],
    ['meta.version', { meta: { version: true } }], ['meta.x', { meta: { x: null } }], ['meta.x', { meta: { x: { y: 1 } } }], ['meta.x', { meta: { x: Infinity } }],
    ['meta.x', { meta: { x: -0 } }], ['meta.x[0]', { meta: { x: [1] } }],
    ['prev', { prev: '' }], ['prev', { prev: 'a/b' }], ['prev', { prev: 42 }],
    ['hashedBy', { hashedBy: 'both' }], ['hashedBy', { hashedBy: undefined }],
  ];

  for (const [field, patch] of badFields) {
    const shown = JSON.stringify(patch, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' && v.length > 20 ? `${v.slice(0, 12)}…` : v));
    it(`buildEntry rejects ${shown} with ENTRY_BAD_FIELD naming ${field}`, () => {
      const err = buildWith(patch);
      expect(err?.code).toBe('ENTRY_BAD_FIELD');
      expect(err?.details).toMatchObject({ field });
      expect(err?.message).toContain(field.replace(/\[\d+\]$/, ''));
    });
    // The same value written into otherwise valid entry bytes is refused by the parser too (values JSON
    // cannot carry — undefined, NaN, bigint, -0 — only exist on the build side).
    if (survivesJson(patch)) {
      it(`parseEntry rejects ${shown} with ENTRY_BAD_FIELD naming ${field}`, () => {
        const o = { ...goodObject(), ...patch };
        const err = parseObject(o);
        expect(err?.code).toBe('ENTRY_BAD_FIELD');
        expect(err?.details).toMatchObject({ field });
      });
    }
  }

  it('passes the USCC error code through in details', () => {
    const err = buildWith({ subject: { name: 'A', uscc: '91440300708461136X' } });
    expect(err?.details).toMatchObject({ field: 'subject.uscc', usccCode: 'USCC_BAD_CHECK', want: 'T', got: 'X' });
  });

  it('rejects unknown input fields and attempts to set v, nonce or time in the input', () => {
    for (const patch of [{ extra: 1 }, { v: 2 }, { nonce: '0'.repeat(32) }, { time: '2020-01-01T00:00:00.000Z' }]) {
      expect(buildWith(patch)?.code).toBe('ENTRY_UNKNOWN_FIELD');
    }
  });

  it('rejects a nonce that is not 16 bytes and a time that is not a valid date', () => {
    for (const nonce of [new Uint8Array(15), new Uint8Array(17), '00' as unknown as Uint8Array]) {
      expect(caught(() => buildEntry(sampleInput(), { nonce }))?.details).toMatchObject({ field: 'nonce' });
    }
    for (const time of [new Date(Number.NaN), new Date('+010000-01-01T00:00:00.000Z'), new Date(-1e14)]) {
      expect(caught(() => buildEntry(sampleInput(), { time }))?.details).toMatchObject({ field: 'time' });
    }
  });

  it('rejects a nonce that is not 32 lowercase hex digits in the bytes', () => {
    for (const nonce of ['0'.repeat(31), '0'.repeat(33), 'A'.repeat(32), 'g'.repeat(32), 12]) {
      expect(parseObject({ ...goodObject(), nonce })?.details).toMatchObject({ field: 'nonce' });
    }
  });

  describe('when time is not exactly RFC 3339 UTC with milliseconds', () => {
    const bad = [
      '2026-11-21T08:30:00Z', '2026-11-21T08:30:00.12Z', '2026-11-21T08:30:00.1234Z', '2026-11-21T08:30:00.123+00:00',
      '2026-11-21T16:30:00.123+08:00', '2026-11-21t08:30:00.123z', '2026-11-21 08:30:00.123Z', '2026-11-21T08:30:00.123',
      '2026-02-30T08:30:00.000Z', '2026-13-01T00:00:00.000Z', '2026-11-21T24:00:00.000Z', '2026-11-21T08:60:00.000Z',
      '2016-12-31T23:59:60.000Z', '+02026-11-21T08:30:00.123Z', '２０２６-11-21T08:30:00.123Z', ' 2026-11-21T08:30:00.123Z',
      '1637483400123', '',
    ];
    for (const time of bad) {
      it(`rejects ${JSON.stringify(time)}`, () => {
        expect(parseObject({ ...goodObject(), time })?.details).toMatchObject({ field: 'time' });
      });
    }
    it('accepts a leap day and the ends of the range', () => {
      for (const time of ['2028-02-29T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        expect(parseEntry(utf8(JSON.stringify({ ...goodObject(), time }))).time).toBe(time);
      }
    });
  });

  it('keeps the largest valid deposit far below the size cap (under 16 KiB)', () => {
    const meta: Record<string, string> = {};
    for (let i = 0; i < 32; i++) meta[`k${i}`] = '"'.repeat(100);
    const { bytes } = buildEntry(sampleInput({ meta, subject: { name: '𠀀'.repeat(128), uscc }, prev: 'p'.repeat(128), tenant: 't'.repeat(128) }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(bytes.length).toBeLessThan(16 * 1024);
  });
});

/**
 * checkEvent: every EVENT_* code with its field, each kind's bounds at and past the edge, periods (real
 * calendar dates or 长期), measures (closed list, unique, order kept), the normalised result (keys
 * ascending, frozen), and the tables (CONCEAL_MEASURES against SPC 2020 art. 6, DEFAULT_LEVELS).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import {
  checkEvent, CONCEAL_MEASURES, CONCEAL_MEASURE_CODES, DEFAULT_LEVELS, eventFields, EVENT_IDS_MAX, isPeriod, LIFECYCLE_KINDS,
  PERIOD_LONG_TERM, type EntryKind,
} from '../../src/entry/index.js';
import { EVENT_ARBS, kindEventArb } from './event-arbs.js';

const S = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const ID = (n: number): string => n.toString(16).padStart(32, '0');

function failure(kind: EntryKind, value: unknown): { code: string; field: unknown } | undefined {
  try {
    checkEvent(kind, value);
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    return { code: e.code, field: e.details?.field };
  }
  return undefined;
}

describe('checkEvent answers each EVENT_* code with the field', () => {
  const cases: [string, EntryKind, unknown, string, string][] = [
    ['a required field missing', 'classify', { level: '核心商密' }, 'EVENT_MISSING_FIELD', 'event.period'],
    ['reclassify changing nothing', 'reclassify', { basis: '复审' }, 'EVENT_MISSING_FIELD', 'event.level'],
    ['record without sha256', 'declassify', { reason: '已公开', record: { size: 1 } }, 'EVENT_MISSING_FIELD', 'event.record.sha256'],
    ['who missing', 'access-grant', { role: '研发' }, 'EVENT_MISSING_FIELD', 'event.who'],
    ['a field of another kind', 'classify', { level: '核心商密', period: PERIOD_LONG_TERM, who: 'E1' }, 'EVENT_UNKNOWN_FIELD', 'event.who'],
    ['kind inside the event', 'destroy', { kind: 'destroy', reason: 'r', method: 'm' }, 'EVENT_UNKNOWN_FIELD', 'event.kind'],
    ['a member of record unknown', 'declassify', { reason: 'r', record: { sha256: S, md5: 'x' } }, 'EVENT_UNKNOWN_FIELD', 'event.record.md5'],
    ['not an object', 'declassify', 'reason', 'EVENT_BAD_FIELD', 'event'],
    ['an array', 'declassify', [], 'EVENT_BAD_FIELD', 'event'],
    ['level empty', 'classify', { level: '', period: PERIOD_LONG_TERM }, 'EVENT_BAD_FIELD', 'event.level'],
    ['level of 33 units', 'classify', { level: '密'.repeat(33), period: PERIOD_LONG_TERM }, 'EVENT_BAD_FIELD', 'event.level'],
    ['level with a space at the end', 'classify', { level: '核心商密 ', period: PERIOD_LONG_TERM }, 'EVENT_BAD_FIELD', 'event.level'],
    ['level not a string', 'classify', { level: 1, period: PERIOD_LONG_TERM }, 'EVENT_BAD_FIELD', 'event.level'],
    ['reason with a line break', 'declassify', { reason: 'a\nb' }, 'EVENT_BAD_FIELD', 'event.reason'],
    ['reason with a bidi override', 'declassify', { reason: 'a\u202eb' }, 'EVENT_BAD_FIELD', 'event.reason'],
    ['reason of 1025 units', 'declassify', { reason: 'x'.repeat(1025) }, 'EVENT_BAD_FIELD', 'event.reason'],
    ['method of 257 units', 'destroy', { reason: 'r', method: 'x'.repeat(257) }, 'EVENT_BAD_FIELD', 'event.method'],
    ['role of 65 units', 'access-grant', { who: 'E1', role: 'x'.repeat(65) }, 'EVENT_BAD_FIELD', 'event.role'],
    ['basis of 1025 units', 'classify', { level: 'L', period: PERIOD_LONG_TERM, basis: 'x'.repeat(1025) }, 'EVENT_BAD_FIELD', 'event.basis'],
    ['record digest in capitals', 'declassify', { reason: 'r', record: { sha256: S.toUpperCase() } }, 'EVENT_BAD_FIELD', 'event.record.sha256'],
    ['record sm3 short', 'declassify', { reason: 'r', record: { sha256: S, sm3: S.slice(1) } }, 'EVENT_BAD_FIELD', 'event.record.sm3'],
    ['record size negative', 'declassify', { reason: 'r', record: { sha256: S, size: -1 } }, 'EVENT_BAD_FIELD', 'event.record.size'],
    ['record size beyond 2^53', 'declassify', { reason: 'r', record: { sha256: S, size: 2 ** 53 } }, 'EVENT_BAD_FIELD', 'event.record.size'],
    ['record not an object', 'declassify', { reason: 'r', record: S }, 'EVENT_BAD_FIELD', 'event.record'],
    ['returned not an array', 'departure-audit', { who: 'E1', returned: ID(1) }, 'EVENT_BAD_FIELD', 'event.returned'],
    ['returned id in capitals', 'departure-audit', { who: 'E1', returned: [ID(10).toUpperCase()] }, 'EVENT_BAD_FIELD', 'event.returned[0]'],
    ['returned id twice', 'departure-audit', { who: 'E1', returned: [ID(1), ID(2), ID(1)] }, 'EVENT_BAD_FIELD', 'event.returned[2]'],
    ['destroyed over 1000 ids', 'departure-audit', { who: 'E1', destroyed: Array.from({ length: EVENT_IDS_MAX + 1 }, (_, i) => ID(i)) }, 'EVENT_BAD_FIELD', 'event.destroyed'],
    ['who with a space', 'access-revoke', { who: 'E 1' }, 'EVENT_BAD_FIELD', 'event.who'],
    ['who of 65 characters', 'access-revoke', { who: 'e'.repeat(65) }, 'EVENT_BAD_FIELD', 'event.who'],
    ['who not a string', 'access-revoke', { who: 1024 }, 'EVENT_BAD_FIELD', 'event.who'],
    ['period Feb 30', 'classify', { level: 'L', period: '2030-02-30' }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['period month 13', 'reclassify', { period: '2030-13-01' }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['period with a time', 'classify', { level: 'L', period: '2030-12-31T00:00:00Z' }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['period in another form', 'classify', { level: 'L', period: '2030/12/31' }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['period "long term" in English', 'classify', { level: 'L', period: 'long-term' }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['period a number', 'classify', { level: 'L', period: 20301231 }, 'EVENT_BAD_PERIOD', 'event.period'],
    ['no measure', 'conceal', { measures: [] }, 'EVENT_BAD_MEASURE', 'event.measures'],
    ['a measure not on the list', 'conceal', { measures: ['encryption', 'shredding'] }, 'EVENT_BAD_MEASURE', 'event.measures[1]'],
    ['a measure twice', 'conceal', { measures: ['marking', 'sealing', 'marking'] }, 'EVENT_BAD_MEASURE', 'event.measures[2]'],
    ['a measure in Chinese', 'conceal', { measures: ['加密'] }, 'EVENT_BAD_MEASURE', 'event.measures[0]'],
    ['measures not an array', 'conceal', { measures: 'encryption' }, 'EVENT_BAD_FIELD', 'event.measures'],
    ['who a resident ID', 'access-grant', { who: '11010519491231002X' }, 'EVENT_PERSONAL_DATA', 'event.who'],
    ['who a mobile number', 'departure-audit', { who: '13912345678' }, 'EVENT_PERSONAL_DATA', 'event.who'],
    ['who a Chinese name', 'access-revoke', { who: '张三' }, 'EVENT_PERSONAL_DATA', 'event.who'],
  ];
  for (const [what, kind, value, code, field] of cases) {
    it(`${what}: ${code} (${field})`, () => {
      expect(failure(kind, value)).toEqual({ code, field });
    });
  }

  it('a kind that records no event (deposit, or not a kind) is ENTRY_BAD_FIELD kind', () => {
    expect(failure('deposit', { level: 'L' })).toEqual({ code: 'ENTRY_BAD_FIELD', field: 'kind' });
    expect(failure('sign' as EntryKind, {})).toEqual({ code: 'ENTRY_BAD_FIELD', field: 'kind' });
  });

  it('never throws anything but a CunzhengError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LIFECYCLE_KINDS), fc.anything(), (kind, value) => {
        try {
          checkEvent(kind, value);
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
          expect((e as CunzhengError).code).toMatch(/^EVENT_/);
        }
      }),
    );
  });
});

describe('checkEvent accepts', () => {
  it('every generated valid event, returning it frozen with keys ascending and nothing changed', () => {
    fc.assert(
      fc.property(kindEventArb, ({ kind, event }) => {
        const out = checkEvent(kind, event) as unknown as Record<string, unknown>;
        expect(Object.isFrozen(out)).toBe(true);
        const keys = Object.keys(out);
        expect(keys).toEqual([...keys].sort());
        expect(keys.every((k) => eventFields(kind).includes(k))).toBe(true);
        expect(out).toEqual(event);
        if (out.record !== undefined) expect(Object.keys(out.record as object)).toEqual(['sha256', 'sm3', 'size'].filter((k) => k in (out.record as object)));
      }),
    );
  });

  it('the bounds themselves: 32-unit level, 1024-unit reason, 256-unit method, 64-unit role and who, 1000 ids, all 10 measures', () => {
    expect(checkEvent('classify', { level: '密'.repeat(32), period: '2030-12-31', basis: 'b'.repeat(1024) }).level).toHaveLength(32);
    expect(checkEvent('destroy', { reason: 'r'.repeat(1024), method: 'm'.repeat(256) }).method).toHaveLength(256);
    expect(checkEvent('access-grant', { who: 'w'.repeat(64), role: 'r'.repeat(64) }).who).toHaveLength(64);
    const ids = Array.from({ length: EVENT_IDS_MAX }, (_, i) => ID(i));
    expect(checkEvent('departure-audit', { who: 'E1', returned: ids, destroyed: ids }).returned).toHaveLength(1000);
    expect(checkEvent('conceal', { measures: [...CONCEAL_MEASURE_CODES].reverse() }).measures).toEqual([...CONCEAL_MEASURE_CODES].reverse());
  });

  it('members set to undefined as absent, and empty id lists as no list', () => {
    expect(checkEvent('reclassify', { level: undefined, period: PERIOD_LONG_TERM, basis: undefined })).toEqual({ period: PERIOD_LONG_TERM });
    expect(checkEvent('departure-audit', { who: 'E1', returned: [], destroyed: [] })).toEqual({ who: 'E1' });
    expect(Object.keys(checkEvent('departure-audit', { who: 'E1', returned: [ID(1)], destroyed: [] }))).toEqual(['returned', 'who']);
  });

  it('every generator kind is one of the lifecycle kinds, and deposit is not one', () => {
    expect(Object.keys(EVENT_ARBS).sort()).toEqual([...LIFECYCLE_KINDS].sort());
    expect(LIFECYCLE_KINDS).not.toContain('deposit');
  });
});

describe('periods', () => {
  it('accept 长期 and exactly the real calendar dates (checked against a naive calendar)', () => {
    expect(isPeriod(PERIOD_LONG_TERM)).toBe(true);
    const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const days = (y: number, m: number): number => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(isPeriod(text), text).toBe(m >= 1 && m <= 12 && d >= 1 && d <= days(y, m));
      }),
      { numRuns: 3000 },
    );
    for (const p of ['2028-02-29', '2000-02-29', '9999-12-31']) expect(isPeriod(p), p).toBe(true);
    for (const p of ['1900-02-29', '2030-1-01', '+02030-01-01', ' 2030-01-01', '长期 ', '长 期', '']) expect(isPeriod(p), p).toBe(false);
  });
});

describe('the tables', () => {
  it('CONCEAL_MEASURES: the ten codes in order, each with a Chinese term and its SPC 2020 art. 6 item', () => {
    expect(CONCEAL_MEASURES.map((m) => m.code)).toEqual([...CONCEAL_MEASURE_CODES]);
    expect(CONCEAL_MEASURE_CODES).toEqual(['marking', 'classification', 'isolation', 'encryption', 'sealing', 'access-limit', 'device-limit', 'agreement', 'training', 'other']);
    const item = Object.fromEntries(CONCEAL_MEASURES.map((m) => [m.code, m.spcItem]));
    expect(item).toEqual({
      marking: 4, classification: 4, isolation: 4, encryption: 4, sealing: 4, 'access-limit': 4, 'device-limit': 5, agreement: 1, training: 2, other: 7,
    });
    for (const m of CONCEAL_MEASURES) {
      expect(m.term).toMatch(/^\p{Script=Han}+$/u);
      expect(m.spcText.length).toBeGreaterThan(4);
      expect(Object.isFrozen(m)).toBe(true);
    }
    // Item 4 names the first five measures in its own words.
    for (const m of CONCEAL_MEASURES.slice(0, 5)) expect(m.spcText).toContain(m.term);
  });

  it('DEFAULT_LEVELS: the three levels of the model programmes, frozen', () => {
    expect(DEFAULT_LEVELS).toEqual(['核心商密', '重要商密', '普通商密']);
    expect(Object.isFrozen(DEFAULT_LEVELS)).toBe(true);
  });
});

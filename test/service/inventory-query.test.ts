/**
 * The inventory's query: every filter parsed or refused with its code and field, the cursor bound to its
 * tenant and filters (any change of a character refused), and the filter match against a naive reference.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import {
  DEFAULT_PAGE, INVENTORY_STATUSES, MAX_PAGE, decodeCursor, encodeCursor, matchesFilter, parseInventoryQuery, parseTime,
  type InventoryFilter, type Matchable,
} from '../../src/service/inventory-query.js';

const T = 'tn_0123456789abcdef01234567';

function refusal(f: () => unknown): { code: string; field?: unknown } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CunzhengError);
    const c = e as CunzhengError;
    return { code: c.code, field: c.details?.field };
  }
  throw new Error('expected a refusal');
}

describe('parseInventoryQuery', () => {
  it('reads every filter, and defaults', () => {
    expect(parseInventoryQuery(T, {})).toEqual({ filter: {}, limit: DEFAULT_PAGE, lang: 'zh' });
    const q = parseInventoryQuery(T, {
      level: '核心商密', status: 'expired', label: '配方', since: '2026-12-01T00:00:00+08:00', until: '2026-12-02T00:00:00Z', limit: '500', lang: 'en',
    });
    expect(q).toEqual({
      filter: { level: '核心商密', status: 'expired', label: '配方', since: Date.UTC(2026, 10, 30, 16), until: Date.UTC(2026, 11, 2) },
      limit: 500, lang: 'en',
    });
  });

  it.each([
    [{ level: '' }, 'level'], [{ level: 'x'.repeat(33) }, 'level'], [{ level: ' 核心商密' }, 'level'], [{ level: 'a\u0007' }, 'level'],
    [{ status: 'secret' }, 'status'], [{ status: 'Classified' }, 'status'],
    [{ label: '' }, 'label'], [{ label: 'x'.repeat(1025) }, 'label'],
    [{ since: '2026-12-01' }, 'since'], [{ since: '2026-12-01T00:00:00' }, 'since'], [{ since: '2026-02-30T00:00:00Z' }, 'since'],
    [{ since: '2026-12-01T24:00:00Z' }, 'since'], [{ until: 'yesterday' }, 'until'], [{ until: '2026-12-01T00:00:00+24:00' }, 'until'],
    [{ since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' }, 'until'], [{ since: '2026-12-02T00:00:00Z', until: '2026-12-02T08:00:00+08:00' }, 'until'],
    [{ limit: '0' }, 'limit'], [{ limit: '501' }, 'limit'], [{ limit: '-1' }, 'limit'], [{ limit: '1e2' }, 'limit'], [{ limit: ' 5' }, 'limit'], [{ limit: '00010' }, 'limit'],
    [{ lang: 'fr' }, 'lang'], [{ level: ['a', 'b'] }, 'level'], [{ status: 5 }, 'status'], [{ sort: 'time' }, 'sort'], [{ __proto__x: '1' }, '__proto__x'],
  ])('refuses %j with INVENTORY_BAD_FILTER naming the field', (raw, field) => {
    expect(refusal(() => parseInventoryQuery(T, raw as Record<string, unknown>))).toEqual({ code: 'INVENTORY_BAD_FILTER', field });
  });

  it('takes every limit from 1 to 500 and only those', () => {
    for (let n = 1; n <= MAX_PAGE; n++) expect(parseInventoryQuery(T, { limit: String(n) }).limit).toBe(n);
  });

  it('reads RFC 3339 times as Date.parse does for every valid one (a property)', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -23 * 60, max: 23 * 60 }), (d, offsetMin) => {
      const sign = offsetMin < 0 ? '-' : '+';
      const abs = Math.abs(offsetMin);
      const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
      expect(parseTime('since', `${local}${zone}`)).toBe(d.getTime());
      expect(parseTime('since', `${d.toISOString()}`)).toBe(d.getTime());
    }));
  });
});

describe('the cursor', () => {
  const filters = fc.record({
    level: fc.option(fc.constantFrom('核心商密', '重要商密', 'A'), { nil: undefined }),
    status: fc.option(fc.constantFrom(...INVENTORY_STATUSES), { nil: undefined }),
    since: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
  }, { requiredKeys: [] }).map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as InventoryFilter);
  const leaves = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(0));

  it('round-trips the leaf for the same tenant and filters', () => {
    fc.assert(fc.property(filters, leaves, (f, leaf) => {
      const c = encodeCursor(T, f, leaf);
      expect(c).toMatch(/^[A-Za-z0-9_-]{23}$/);
      expect(decodeCursor(T, f, c)).toBe(leaf);
      expect(parseInventoryQuery(T, { ...queryOf(f), cursor: c }).after).toBe(leaf);
    }));
  });

  it('refuses every change of one character, other filters, another tenant', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(fc.property(filters, leaves, fc.nat(), fc.nat(), (f, leaf, at, by) => {
      const c = encodeCursor(T, f, leaf);
      const i = at % c.length;
      const swapped = alphabet[(alphabet.indexOf(c[i]!) + 1 + (by % 63)) % 64]!;
      const changed = c.slice(0, i) + swapped + c.slice(i + 1);
      expect(refusal(() => decodeCursor(T, f, changed)).code).toBe('INVENTORY_BAD_CURSOR');
      expect(refusal(() => decodeCursor('tn_ffffffffffffffffffffffff', f, c)).code).toBe('INVENTORY_BAD_CURSOR');
      expect(refusal(() => decodeCursor(T, { ...f, label: 'other' }, c)).code).toBe('INVENTORY_BAD_CURSOR');
    }), { numRuns: 300 });
  });

  it.each(['', 'x', 'A'.repeat(22), 'A'.repeat(24), 'AAAAAAAAAAAAAAAAAAAAAA=', 'AAAAAAAAAAAAAAAAAAAAAA+', '😀'.repeat(12)])('refuses %j', (c) => {
    expect(refusal(() => parseInventoryQuery(T, { cursor: c })).code).toBe('INVENTORY_BAD_CURSOR');
  });

  it('refuses a cursor given twice', () => {
    const c = encodeCursor(T, {}, 7);
    expect(refusal(() => parseInventoryQuery(T, { cursor: [c, c] }))).toEqual({ code: 'INVENTORY_BAD_FILTER', field: 'cursor' });
  });
});

function queryOf(f: InventoryFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.level !== undefined) q.level = f.level;
  if (f.status !== undefined) q.status = f.status;
  if (f.since !== undefined) q.since = new Date(f.since).toISOString();
  return q;
}

describe('matchesFilter', () => {
  it('agrees with a naive reading of each filter (a property)', () => {
    const docs = fc.record({
      status: fc.constantFrom(...INVENTORY_STATUSES),
      level: fc.option(fc.constantFrom('核心商密', '普通商密'), { nil: undefined }),
      labels: fc.option(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), { nil: undefined }),
      lastTime: fc.integer({ min: 0, max: 100 }).map((s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()),
    });
    const fs = fc.record({
      status: fc.option(fc.constantFrom(...INVENTORY_STATUSES), { nil: undefined }),
      level: fc.option(fc.constantFrom('核心商密', '普通商密'), { nil: undefined }),
      label: fc.option(fc.constantFrom('a', 'b', 'd'), { nil: undefined }),
      since: fc.option(fc.integer({ min: 0, max: 100 }).map((s) => Date.UTC(2026, 0, 1, 0, 0, s)), { nil: undefined }),
      until: fc.option(fc.integer({ min: 0, max: 100 }).map((s) => Date.UTC(2026, 0, 1, 0, 0, s)), { nil: undefined }),
    });
    fc.assert(fc.property(docs, fs, (d, f) => {
      const filter = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as InventoryFilter;
      const t = new Date(d.lastTime).getTime();
      const want = (f.status === undefined || f.status === d.status) && (f.level === undefined || f.level === d.level) &&
        (f.label === undefined || (d.labels ?? []).some((l) => l === f.label)) && (f.since === undefined || t >= f.since) && (f.until === undefined || t < f.until);
      expect(matchesFilter(d as Matchable, filter)).toBe(want);
    }), { numRuns: 2000 });
  });
});

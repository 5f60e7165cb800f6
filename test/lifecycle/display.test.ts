/**
 * Expiry at Beijing midnight: a period's date is its last day in force (Beijing calendar), so
 * period 2026-12-31 is in force until 2026-12-31T15:59:59.999Z and expired from 2026-12-31T16:00:00.000Z.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { beijingDate, beijingDateTime, displayStatus, expiry, isCalendarDate, type DocState } from '../../src/lifecycle/index.js';
import { isPeriod } from '../../src/entry/index.js';

const at = (iso: string) => new Date(iso);
const classified = (period: string): Pick<DocState, 'status' | 'period'> => ({ status: 'classified', period });

describe('displayStatus and expiry', () => {
  it('keeps the last day of the period in force, to the last millisecond of Beijing midnight', () => {
    const s = classified('2026-12-31');
    expect(expiry(s)).toBe('2026-12-31');
    expect(displayStatus(s, at('2026-12-30T16:00:00.000Z'))).toBe('classified'); // 2026-12-31 00:00 +08:00
    expect(displayStatus(s, at('2026-12-31T15:59:59.999Z'))).toBe('classified'); // 2026-12-31 23:59:59.999 +08:00
    expect(displayStatus(s, at('2026-12-31T16:00:00.000Z'))).toBe('expired'); //   2027-01-01 00:00 +08:00
    expect(displayStatus(s, at('2026-12-31T23:59:59.999Z'))).toBe('expired'); //   still 12-31 in UTC, 01-01 in Beijing
  });

  it('never expires 长期, and shows no expiry for it', () => {
    expect(expiry(classified('长期'))).toBeUndefined();
    expect(displayStatus(classified('长期'), at('9999-12-31T23:59:59.999Z'))).toBe('classified');
  });

  it('shows expired only for a classified document: declassified, destroyed and unclassified keep their status', () => {
    const past = at('2030-01-01T00:00:00Z');
    for (const status of ['unclassified', 'declassified', 'destroyed'] as const) {
      expect(displayStatus({ status, period: '2026-01-01' }, past)).toBe(status);
      expect(expiry({ status, period: '2026-01-01' })).toBeUndefined();
    }
    expect(displayStatus(classified('2026-01-01'), past)).toBe('expired');
  });

  it('agrees with a reference computed from the Beijing calendar, for any period and instant', () => {
    const dateArb = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(fc.property(dateArb, dateArb, (p, now) => {
      const period = p.toISOString().slice(0, 10);
      // The reference: the instant the period ends is the next day's midnight in Beijing, 16:00Z of the period's own date.
      const ends = Date.parse(`${period}T16:00:00.000Z`);
      expect(displayStatus(classified(period), now)).toBe(now.getTime() >= ends ? 'expired' : 'classified');
    }), { numRuns: 2000 });
  });
});

describe('Beijing dates and times', () => {
  it('turns the date at Beijing midnight', () => {
    expect(beijingDate(at('2026-12-31T15:59:59.999Z'))).toBe('2026-12-31');
    expect(beijingDate(at('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
    expect(beijingDate(at('2024-02-28T16:00:00.000Z'))).toBe('2024-02-29');
  });

  it('writes entry times to the second with the offset', () => {
    expect(beijingDateTime('2026-12-02T08:30:00.999Z')).toBe('2026-12-02 16:30:00 +08:00');
    expect(beijingDateTime('2026-12-31T16:00:00.000Z')).toBe('2027-01-01 00:00:00 +08:00');
  });

  it('knows real calendar dates as the entry does', () => {
    for (const d of ['2024-02-29', '2000-02-29', '2026-12-31', '0001-01-01']) expect(isCalendarDate(d), d).toBe(true);
    for (const d of ['2026-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '长期', 20261231]) expect(isCalendarDate(d), String(d)).toBe(false);
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$/), (d) => {
      expect(isCalendarDate(d)).toBe(isPeriod(d));
    }), { numRuns: 3000 });
  });
});

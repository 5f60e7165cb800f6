/**
 * What the 清单 shows of a state at an instant. A secrecy period (保密期限) is either a date — the last day,
 * in Beijing, on which the secret is in force — or 长期 (long-term: no end). A classified document whose
 * period date is before today's date in Beijing shows as expired; on the period's last day it is still in
 * force: period 2026-12-31 is classified until 2026-12-31 23:59:59.999 +08:00 (= 15:59:59.999Z) and
 * expired from 2027-01-01 00:00:00 +08:00 (= 2026-12-31T16:00:00Z). The state itself stays 'classified':
 * expiry is a reading of the calendar, not an event (a reclassify with a new period lifts it).
 */
import { PERIOD_LONG_TERM } from '../entry/index.js';
import { beijingDate, isCalendarDate } from './time.js';
import type { DisplayStatus, DocState } from './types.js';

/** 长期: a secrecy period without an end (the entry's PERIOD_LONG_TERM). */
export const LONG_TERM = PERIOD_LONG_TERM;

/** The last day in force (`YYYY-MM-DD`) of a classified document with a dated period; undefined otherwise (长期, not classified). */
export function expiry(state: Pick<DocState, 'status' | 'period'>): string | undefined {
  return state.status === 'classified' && isCalendarDate(state.period) ? state.period : undefined;
}

/** The status as of `now`: 'expired' for a classified document past its period's last day (Beijing date). */
export function displayStatus(state: Pick<DocState, 'status' | 'period'>, now: Date): DisplayStatus {
  const last = expiry(state);
  // Dates as YYYY-MM-DD with four-digit years compare as strings in calendar order.
  return last !== undefined && last < beijingDate(now) ? 'expired' : state.status;
}

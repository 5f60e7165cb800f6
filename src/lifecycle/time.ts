/**
 * Dates and times as the 清单 shows them: in Beijing time (China Standard Time, UTC+08:00, no daylight
 * saving since 1991), the way an enterprise and a court read them. Entry times are UTC instants
 * ("2026-12-02T08:30:00.000Z"); a secrecy period is a calendar date in Beijing ("2026-12-31", the last day
 * the secret is still in force).
 */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** True for `YYYY-MM-DD` naming a real day of the proleptic Gregorian calendar (no 2026-02-30), years 0000-9999. */
export function isCalendarDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = DATE_RE.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** The calendar date in Beijing at the instant `now`: 2026-12-31T16:00:00.000Z → "2027-01-01". */
export function beijingDate(now: Date): string {
  const d = new Date(now.getTime() + BEIJING_OFFSET_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** An entry time in Beijing time to the second, with the offset: "2026-12-02T08:30:00.123Z" → "2026-12-02 16:30:00 +08:00". */
export function beijingDateTime(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return time;
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +08:00`;
}

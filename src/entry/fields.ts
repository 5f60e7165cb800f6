/**
 * Field rules shared by buildEntry (trusted caller, untrusted request data) and parseEntry (hostile bytes).
 * One rule set for both, so whatever the server writes, every verifier reads back, and nothing else.
 */
import { isLowerHex } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { DIGEST_HEX_LENGTH, DIGEST_HEX_RULE, FORBIDDEN_TEXT_RE, isPlainText } from './rules.js';

export type EntryErrorCode =
  | 'ENTRY_TOO_LARGE'
  | 'ENTRY_BAD_UTF8'
  | 'ENTRY_MALFORMED'
  | 'ENTRY_DUPLICATE_KEY'
  | 'ENTRY_UNKNOWN_FIELD'
  | 'ENTRY_BAD_FIELD'
  | 'ENTRY_BAD_VERSION'
  | 'ENTRY_NOT_CANONICAL';

/** Throws ENTRY_BAD_FIELD naming the field (dotted path) in the message and in details. */
export function badField(field: string, reason: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new CunzhengError<EntryErrorCode>('ENTRY_BAD_FIELD', `entry field ${field}: ${reason}`, {
    details: { field, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string of length ${value.length}`;
  return typeof value;
}

/** Text (TEXT_RULE) of `min`..`max` UTF-16 code units; the error names the first forbidden character. */
export function checkText(field: string, value: unknown, opts: { min: number; max: number }): string {
  if (typeof value !== 'string') badField(field, `expected a string, got ${describeValue(value)}`);
  if (value.length < opts.min || value.length > opts.max) {
    badField(field, `expected ${opts.min}..${opts.max} UTF-16 code units, got ${value.length}`, {
      want: { min: opts.min, max: opts.max },
      got: value.length,
    });
  }
  if (isPlainText(value)) return value;
  const bad = FORBIDDEN_TEXT_RE.exec(value);
  if (bad !== null) {
    const cp = bad[0].codePointAt(0) ?? 0;
    badField(field, `forbidden character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad.index}`, {
      got: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`,
      offset: bad.index,
    });
  }
  return value;
}

/**
 * Identifiers the service assigns (tenant ids, deposit ids): 1-128 ASCII characters, letters, digits and
 * `.`, `_`, `:`, `-`, starting with a letter or digit. Their shape is the service's business; the entry
 * only keeps them unambiguous and printable.
 */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string') badField(field, `expected an id string, got ${describeValue(value)}`);
  if (!ID_RE.test(value)) {
    badField(field, 'expected 1-128 characters of [A-Za-z0-9._:-] starting with a letter or digit', {
      got: value.length > 140 ? `${value.slice(0, 140)}…` : value,
    });
  }
  return value;
}

/** A 32-byte digest as 64 lowercase hex digits (DIGEST_HEX_RULE). */
export function checkDigestHex(field: string, value: unknown): string {
  if (typeof value !== 'string') badField(field, `expected ${DIGEST_HEX_LENGTH} lowercase hex digits, got ${describeValue(value)}`);
  if (!DIGEST_HEX_RULE.test(value)) {
    badField(field, `expected ${DIGEST_HEX_LENGTH} lowercase hex digits, got ${value.length} characters${value.length === DIGEST_HEX_LENGTH ? ' (not lowercase hex)' : ''}`, {
      want: DIGEST_HEX_LENGTH,
      got: value.length,
    });
  }
  return value;
}

const TIME_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/**
 * `time`: RFC 3339 in UTC with exactly three fraction digits and `Z` ("2026-11-21T08:30:00.123Z"), and a
 * real instant: the text must be what Date#toISOString writes for it, which rules out Feb 30, hour 24,
 * second 60 and every other spelling of the same instant (offsets, lowercase t/z, more or fewer digits).
 */
export function checkTime(field: string, value: unknown): string {
  if (typeof value !== 'string') badField(field, `expected an RFC 3339 UTC time string, got ${describeValue(value)}`);
  if (!TIME_RE.test(value)) {
    badField(field, 'expected RFC 3339 UTC with milliseconds, exactly like 2026-11-21T08:30:00.123Z', {
      got: value.length > 40 ? `${value.slice(0, 40)}…` : value,
    });
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || new Date(ms).toISOString() !== value) {
    badField(field, 'not a real calendar instant', { got: value });
  }
  return value;
}

/** Formats a Date the way `time` is written; throws ENTRY_BAD_FIELD for invalid dates or years past 9999. */
export function formatTime(date: unknown): string {
  if (!(date instanceof Date) || !Number.isFinite(date.getTime())) badField('time', 'expected a valid Date');
  const text = date.toISOString();
  if (!TIME_RE.test(text)) badField('time', 'year must be within 0000..9999', { got: text });
  return text;
}

export function checkNonceHex(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isLowerHex(value, 32)) {
    badField(field, `expected 32 lowercase hex digits (16 bytes), got ${describeValue(value)}`);
  }
  return value;
}

/** Object-shape checks shared by buildEntry, EntryBuilder and parseEntry: members allowed, present, required. */
import { CunzhengError } from '../errors.js';
import { badField, describeValue, type EntryErrorCode } from './fields.js';

export function entryError(code: EntryErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError<EntryErrorCode> {
  return new CunzhengError(code, message, { ...(details === undefined ? {} : { details }), ...(cause === undefined ? {} : { cause }) });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A plain object whose every own member is in `allowed` (ENTRY_UNKNOWN_FIELD names the first that is not). */
export function checkObject(field: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) badField(field === '' ? 'entry' : field, `expected an object, got ${describeValue(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const shown = key.length > 70 ? `${key.slice(0, 70)}…` : key;
      const path = field === '' ? shown : `${field}.${shown}`;
      throw entryError('ENTRY_UNKNOWN_FIELD', `entry: unknown field ${JSON.stringify(path)}`, { field: path });
    }
  }
  return value;
}

/** An own member whose value is not undefined (JSON never yields undefined; TS callers may pass it). */
export function get(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function required(obj: Record<string, unknown>, field: string, key: string): unknown {
  const value = get(obj, key);
  if (value === undefined) badField(field, 'missing', { reason: 'missing' });
  return value;
}

/**
 * What the checked records of the service (tenant-record.ts, user-record.ts, tenant-settings.ts) share when
 * they are read back: the bytes as a JSON object, or why not — never a throw (a damaged record is a finding,
 * not a crash) — and the one form of a stored time.
 */
import { fromUtf8 } from '../crypto/index.js';

export type StoredObject = { ok: true; text: string; o: Record<string, unknown> } | { ok: false; reason: string };

/** The record's text and its members, when the bytes are strict UTF-8 JSON holding an object. */
export function readStoredObject(bytes: Uint8Array, what: string): StoredObject {
  let text: string;
  let value: unknown;
  try {
    text = fromUtf8(bytes, what);
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  return { ok: true, text, o: value as Record<string, unknown> };
}

/** True for a time as `Date.prototype.toISOString` writes it (the only form the records store). */
export function isIsoTime(s: string): boolean {
  const t = Date.parse(s);
  return Number.isFinite(t) && new Date(t).toISOString() === s;
}

/**
 * The inventory's query: filters, page size and the cursor, parsed from hostile input with stable codes,
 * and the match of one document against the filters. Shared by the HTTP route (the query string) and the
 * service (which re-checks whatever it is handed).
 *
 *   level   a level name, exact match (1..32 characters, no control characters, no surrounding space)
 *   status  unclassified | classified | expired | declassified | destroyed (the status displayed now)
 *   label   one of the latest version's labels, exact match (1..1024 characters)
 *   since   the last event at or after this time (RFC 3339, with Z or an offset)
 *   until   the last event before this time (exclusive)
 *   limit   1..500 rows (default 100)
 *   cursor  the `next` of the previous page, with the same filters
 *
 * The cursor is opaque to clients: base64url of 0x01 ‖ the last root leaf examined (8 bytes, big-endian)
 * ‖ the first 8 bytes of SHA-256("cunzheng/inventory-cursor/v1\n" ‖ tenant ‖ "\n" ‖ the filters, canonical
 * ‖ "\n" ‖ the leaf). The check is not a secret: it catches a cursor that was cut, mistyped, edited, or
 * handed back with other filters or to another tenant (INVENTORY_BAD_CURSOR), never a forged one — and a
 * forged one can only say where in the tenant's own documents a page starts.
 */
import { CunzhengError } from '../errors.js';
import { sha256, utf8 } from '../crypto/index.js';

export const INVENTORY_STATUSES = ['unclassified', 'classified', 'expired', 'declassified', 'destroyed'] as const;
export type InventoryStatus = (typeof INVENTORY_STATUSES)[number];

export interface InventoryFilter {
  level?: string;
  status?: InventoryStatus;
  label?: string;
  /** Milliseconds since the epoch: the last event at or after it. */
  since?: number;
  /** Milliseconds since the epoch: the last event before it. */
  until?: number;
}

export interface InventoryQuery {
  filter: InventoryFilter;
  limit: number;
  /** The root leaf after which the page starts (from the cursor), undefined for the first page. */
  after?: number;
  lang: 'zh' | 'en';
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;
export const LEVEL_MAX = 32;
export const LABEL_MAX = 1024;
const CURSOR_BYTES = 17;
const CHECK_BYTES = 8;
const CURSOR_DOMAIN = 'cunzheng/inventory-cursor/v1\n';
const KNOWN = new Set(['level', 'status', 'label', 'since', 'until', 'limit', 'cursor', 'lang']);
// RFC 3339 date-time: a time zone is required (Z or ±hh:mm), fractions of a second are optional.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function bad(field: string, message: string, got?: unknown): never {
  throw new CunzhengError('INVENTORY_BAD_FILTER', `${field}: ${message}`, { details: { field, ...(got === undefined ? {} : { got }) } });
}

function shown(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

function one(raw: Record<string, unknown>, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) bad(field, 'given more than once');
  if (typeof v !== 'string') bad(field, 'expected text');
  return v;
}

function text(field: string, v: string, max: number): string {
  if (v.length === 0 || v.length > max) bad(field, `expected 1..${max} characters, got ${v.length}`);
  if (CONTROL.test(v)) bad(field, 'control characters are not allowed');
  if (v.trim() !== v) bad(field, 'no space before or after', shown(v));
  return v;
}

/** Milliseconds of an RFC 3339 date-time with a zone, or INVENTORY_BAD_FILTER naming the field. */
export function parseTime(field: string, v: string): number {
  const m = RFC3339.exec(v);
  const why = 'expected an RFC 3339 time with a zone, like 2026-12-01T00:00:00+08:00 or 2026-11-30T16:00:00Z';
  if (m === null) bad(field, why, shown(v));
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const zone = m[8]!;
  const zoneOk = /^[Zz]$/.test(zone) || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59);
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59 || !zoneOk) bad(field, `${why}: not a real date or time`, shown(v));
  const ms = Date.parse(v.toUpperCase());
  if (!Number.isFinite(ms)) bad(field, why, shown(v));
  return ms;
}

/**
 * The query string of GET /v1/inventory (values as fastify parsed them: strings, or arrays when repeated).
 * The cursor is checked against the tenant and the filters of this very query.
 */
export function parseInventoryQuery(tenant: string, raw: Record<string, unknown>): InventoryQuery {
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) bad(k, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
  const filter: InventoryFilter = {};
  const level = one(raw, 'level');
  if (level !== undefined) filter.level = text('level', level, LEVEL_MAX);
  const status = one(raw, 'status');
  if (status !== undefined) {
    if (!(INVENTORY_STATUSES as readonly string[]).includes(status)) bad('status', `expected one of ${INVENTORY_STATUSES.join(', ')}`, shown(status));
    filter.status = status as InventoryStatus;
  }
  const label = one(raw, 'label');
  if (label !== undefined) filter.label = text('label', label, LABEL_MAX);
  const since = one(raw, 'since');
  if (since !== undefined) filter.since = parseTime('since', since);
  const until = one(raw, 'until');
  if (until !== undefined) filter.until = parseTime('until', until);
  if (filter.since !== undefined && filter.until !== undefined && filter.until <= filter.since) bad('until', 'must be later than since');
  const limitText = one(raw, 'limit');
  let limit = DEFAULT_PAGE;
  if (limitText !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE) bad('limit', `expected an integer from 1 to ${MAX_PAGE}`, shown(limitText));
    limit = Number(limitText);
  }
  const lang = one(raw, 'lang') ?? 'zh';
  if (lang !== 'zh' && lang !== 'en') bad('lang', 'expected zh or en', shown(lang));
  const cursor = one(raw, 'cursor');
  const q: InventoryQuery = { filter, limit, lang };
  if (cursor !== undefined) q.after = decodeCursor(tenant, filter, cursor);
  return q;
}

/** The filters in one spelling, for the cursor's check. */
function canonicalFilter(f: InventoryFilter): string {
  return JSON.stringify([f.level ?? null, f.status ?? null, f.label ?? null, f.since ?? null, f.until ?? null]);
}

function check(tenant: string, filter: InventoryFilter, leafBytes: Uint8Array): Uint8Array {
  return sha256(utf8(`${CURSOR_DOMAIN}${tenant}\n${canonicalFilter(filter)}\n`), leafBytes).subarray(0, CHECK_BYTES);
}

export function encodeCursor(tenant: string, filter: InventoryFilter, leaf: number): string {
  if (!Number.isSafeInteger(leaf) || leaf < 0) throw new CunzhengError('INTERNAL', `inventory cursor: leaf ${leaf} is not an index`);
  const b = Buffer.alloc(CURSOR_BYTES);
  b[0] = 1;
  b.writeBigUInt64BE(BigInt(leaf), 1);
  b.set(check(tenant, filter, b.subarray(1, 9)), 9);
  return b.toString('base64url');
}

/** The leaf a cursor names, or INVENTORY_BAD_CURSOR when it is not one this tenant got with these filters. */
export function decodeCursor(tenant: string, filter: InventoryFilter, text: string): number {
  const refuse = (why: string): never => {
    throw new CunzhengError('INVENTORY_BAD_CURSOR', `cursor: ${why}; use the "next" of the previous page, with the same filters`);
  };
  if (!/^[A-Za-z0-9_-]{23}$/.test(text)) refuse('not a cursor of this service');
  const b = Buffer.from(text, 'base64url');
  if (b.length !== CURSOR_BYTES || b.toString('base64url') !== text) refuse('not a cursor of this service');
  if (b[0] !== 1) refuse('an unknown cursor version');
  const expected = check(tenant, filter, b.subarray(1, 9));
  if (!b.subarray(9).equals(expected)) refuse('it was changed, or belongs to other filters');
  const leaf = b.readBigUInt64BE(1);
  if (leaf > BigInt(Number.MAX_SAFE_INTEGER)) refuse('not a cursor of this service');
  return Number(leaf);
}

/** What the filters look at in one document, as its state and the time now give it. */
export interface Matchable {
  status: InventoryStatus;
  level?: string | undefined;
  labels?: readonly string[] | undefined;
  /** The last event's time (an entry time: RFC 3339 UTC). */
  lastTime: string;
}

export function matchesFilter(doc: Matchable, f: InventoryFilter): boolean {
  if (f.status !== undefined && doc.status !== f.status) return false;
  if (f.level !== undefined && doc.level !== f.level) return false;
  if (f.label !== undefined && !(doc.labels ?? []).includes(f.label)) return false;
  if (f.since !== undefined || f.until !== undefined) {
    const t = Date.parse(doc.lastTime);
    if (f.since !== undefined && !(t >= f.since)) return false;
    if (f.until !== undefined && !(t < f.until)) return false;
  }
  return true;
}

/** True when no filter is set. */
export function isUnfiltered(f: InventoryFilter): boolean {
  return f.level === undefined && f.status === undefined && f.label === undefined && f.since === undefined && f.until === undefined;
}

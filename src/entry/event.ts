/**
 * The `event` member of a v2 lifecycle entry: the facts of one trade-secret protection measure, by kind.
 * checkEvent validates a value (a request body's fields, or what parseEntry read) and returns the
 * normalised, frozen event: keys in ascending order, `record` as {sha256, sm3?, size?}, empty id lists
 * dropped. buildEntry and parseEntry call it, and the HTTP layer validates request bodies with it, so the
 * service can only write what every verifier reads back. Errors are CunzhengErrors with EVENT_* codes and
 * `details.field` naming the field as in the entry ("event.level", "event.returned[3]").
 */
import { isLowerHex } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { describeValue } from './fields.js';
import type { EntryKind } from './kinds.js';
import { CONCEAL_MEASURE_CODES, isConcealMeasure, type ConcealMeasure } from './measures.js';
import { personRefProblem } from './person.js';
import { DIGEST_HEX_RULE, TEXT_RULE } from './rules.js';

export type EventErrorCode =
  | 'EVENT_MISSING_FIELD'
  | 'EVENT_UNKNOWN_FIELD'
  | 'EVENT_BAD_FIELD'
  | 'EVENT_BAD_PERIOD'
  | 'EVENT_BAD_MEASURE'
  | 'EVENT_PERSONAL_DATA';

/** The kinds that record an event (every kind but deposit). */
export const LIFECYCLE_KINDS = [
  'classify', 'reclassify', 'conceal', 'declassify', 'destroy', 'access-grant', 'access-revoke', 'departure-audit',
] as const satisfies readonly EntryKind[];
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

export function isLifecycleKind(kind: unknown): kind is LifecycleKind {
  return typeof kind === 'string' && kind !== 'deposit' && (LIFECYCLE_KINDS as readonly string[]).includes(kind);
}

/** The secrecy period of a secret kept without end. */
export const PERIOD_LONG_TERM = '长期';
/** The levels (密级) of the regulators' model programmes; a tenant may configure its own names. */
export const DEFAULT_LEVELS: readonly string[] = Object.freeze(['核心商密', '重要商密', '普通商密']);

export const EVENT_LEVEL_MAX = 32;
export const EVENT_TEXT_MAX = 1024; //  basis, reason
export const EVENT_METHOD_MAX = 256;
export const EVENT_ROLE_MAX = 64;
export const EVENT_MEASURES_MAX = CONCEAL_MEASURE_CODES.length;
export const EVENT_IDS_MAX = 1000; //   returned, destroyed: each
export const DEPOSIT_ID_HEX_LENGTH = 32;

/** The digest of the written record of the measure (an approval form, a destruction certificate). */
export interface EventRecord {
  readonly sha256: string;
  readonly sm3?: string;
  readonly size?: number;
}

export interface ClassifyEvent { readonly basis?: string; readonly level: string; readonly period: string; readonly record?: EventRecord }
export interface ReclassifyEvent { readonly basis?: string; readonly level?: string; readonly period?: string; readonly record?: EventRecord }
export interface ConcealEvent { readonly measures: readonly ConcealMeasure[]; readonly record?: EventRecord }
export interface DeclassifyEvent { readonly reason: string; readonly record?: EventRecord }
export interface DestroyEvent { readonly method: string; readonly reason: string; readonly record?: EventRecord }
export interface AccessGrantEvent { readonly record?: EventRecord; readonly role?: string; readonly who: string }
export interface AccessRevokeEvent { readonly record?: EventRecord; readonly role?: string; readonly who: string }
export interface DepartureAuditEvent {
  readonly destroyed?: readonly string[];
  readonly record?: EventRecord;
  readonly returned?: readonly string[];
  readonly who: string;
}

export interface EventByKind {
  classify: ClassifyEvent;
  reclassify: ReclassifyEvent;
  conceal: ConcealEvent;
  declassify: DeclassifyEvent;
  destroy: DestroyEvent;
  'access-grant': AccessGrantEvent;
  'access-revoke': AccessRevokeEvent;
  'departure-audit': DepartureAuditEvent;
}

/** The event of a lifecycle entry; the entry's kind says which. */
export type EntryEvent = EventByKind[LifecycleKind];

function eventError(code: EventErrorCode, field: string, reason: string, details?: Record<string, unknown>): never {
  throw new CunzhengError<EventErrorCode>(code, `event field ${field}: ${reason}`, { details: { field, ...details } });
}

type Check = (field: string, value: unknown) => unknown;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const SURROUNDING_SPACE = /^\s|\s$/u;

function text(max: number): Check {
  return (field, value) => {
    if (typeof value !== 'string') eventError('EVENT_BAD_FIELD', field, `expected a string, got ${describeValue(value)}`);
    if (value.length < 1 || value.length > max) {
      eventError('EVENT_BAD_FIELD', field, `expected 1..${max} UTF-16 code units, got ${value.length}`, { want: { min: 1, max }, got: value.length });
    }
    if (!TEXT_RULE.test(value)) eventError('EVENT_BAD_FIELD', field, 'holds a control, separator or bidi control character');
    if (SURROUNDING_SPACE.test(value)) eventError('EVENT_BAD_FIELD', field, 'must not begin or end with white space');
    return value;
  };
}

const PERIOD_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** `YYYY-MM-DD`, a real calendar date, or 长期. */
export function isPeriod(value: unknown): value is string {
  if (value === PERIOD_LONG_TERM) return true;
  if (typeof value !== 'string' || !PERIOD_RE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

const period: Check = (field, value) => {
  if (!isPeriod(value)) {
    eventError('EVENT_BAD_PERIOD', field, `expected a date YYYY-MM-DD or ${PERIOD_LONG_TERM}`, {
      got: typeof value === 'string' ? value.slice(0, 40) : describeValue(value),
    });
  }
  return value;
};

const who: Check = (field, value) => {
  if (typeof value !== 'string') eventError('EVENT_BAD_FIELD', field, `expected a person reference, got ${describeValue(value)}`);
  const problem = personRefProblem(value);
  if (problem === 'form') {
    eventError('EVENT_BAD_FIELD', field, 'expected an employee number or user id: 1-64 of [A-Za-z0-9._-], starting with a letter or digit');
  }
  if (problem !== undefined) {
    const what = problem === 'name' ? 'a name' : problem === 'mobile' ? 'a mobile number' : 'a resident ID number';
    eventError('EVENT_PERSONAL_DATA', field, `looks like ${what}: the ledger is permanent, name a person by employee number or user id only`, { looksLike: problem });
  }
  return value;
};

function depositIds(field: string, value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) eventError('EVENT_BAD_FIELD', field, `expected an array of deposit ids, got ${describeValue(value)}`);
  if (value.length > EVENT_IDS_MAX) eventError('EVENT_BAD_FIELD', field, `expected at most ${EVENT_IDS_MAX} ids, got ${value.length}`, { want: EVENT_IDS_MAX, got: value.length });
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const id: unknown = value[i];
    if (typeof id !== 'string' || !isLowerHex(id, DEPOSIT_ID_HEX_LENGTH)) {
      eventError('EVENT_BAD_FIELD', `${field}[${i}]`, `expected a deposit id (${DEPOSIT_ID_HEX_LENGTH} lowercase hex digits), got ${describeValue(id)}`);
    }
    if (seen.has(id)) eventError('EVENT_BAD_FIELD', `${field}[${i}]`, `${id} is listed twice`, { got: id });
    seen.add(id);
  }
  return value.length === 0 ? undefined : Object.freeze([...(value as string[])]);
}

function measures(field: string, value: unknown): readonly ConcealMeasure[] {
  if (!Array.isArray(value)) eventError('EVENT_BAD_FIELD', field, `expected an array of measures, got ${describeValue(value)}`);
  if (value.length === 0) eventError('EVENT_BAD_MEASURE', field, 'name at least one measure');
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    if (!isConcealMeasure(m)) {
      eventError('EVENT_BAD_MEASURE', `${field}[${i}]`, `expected one of ${CONCEAL_MEASURE_CODES.join(', ')}`, {
        got: typeof m === 'string' ? m.slice(0, 40) : describeValue(m),
      });
    }
    if (seen.has(m)) eventError('EVENT_BAD_MEASURE', `${field}[${i}]`, `${m} is listed twice`, { got: m });
    seen.add(m);
  }
  return Object.freeze([...(value as ConcealMeasure[])]);
}

function record(field: string, value: unknown): EventRecord {
  if (!isPlainObject(value)) eventError('EVENT_BAD_FIELD', field, `expected {sha256, sm3?, size?}, got ${describeValue(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'sha256' && key !== 'sm3' && key !== 'size' && value[key] !== undefined) eventError('EVENT_UNKNOWN_FIELD', `${field}.${shorten(key)}`, 'not a member of a record digest');
  }
  const hex = (name: string, v: unknown): string => {
    if (typeof v !== 'string' || !DIGEST_HEX_RULE.test(v)) eventError('EVENT_BAD_FIELD', `${field}.${name}`, `expected 64 lowercase hex digits, got ${describeValue(v)}`);
    return v;
  };
  const sha = own(value, 'sha256');
  if (sha === undefined) eventError('EVENT_MISSING_FIELD', `${field}.sha256`, 'missing');
  const out: { sha256: string; sm3?: string; size?: number } = { sha256: hex('sha256', sha) };
  const sm = own(value, 'sm3');
  if (sm !== undefined) out.sm3 = hex('sm3', sm);
  const size = own(value, 'size');
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || Object.is(size, -0)) {
      eventError('EVENT_BAD_FIELD', `${field}.size`, 'expected a non-negative safe integer (bytes)');
    }
    out.size = size;
  }
  return Object.freeze(out);
}

function shorten(key: string): string {
  return key.length > 70 ? `${key.slice(0, 70)}…` : key;
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

interface FieldSpec {
  readonly check: (field: string, value: unknown) => unknown;
  readonly required: boolean;
}
const req = (check: FieldSpec['check']): FieldSpec => ({ check, required: true });
const opt = (check: FieldSpec['check']): FieldSpec => ({ check, required: false });

const LEVEL = text(EVENT_LEVEL_MAX);
const LONG_TEXT = text(EVENT_TEXT_MAX);
const PERSON = { record: opt(record), role: opt(text(EVENT_ROLE_MAX)), who: req(who) };

/** Each kind's fields, keys in ascending order (the order they are written and checked in). */
const SPECS: Readonly<Record<LifecycleKind, Readonly<Record<string, FieldSpec>>>> = {
  classify: { basis: opt(LONG_TEXT), level: req(LEVEL), period: req(period), record: opt(record) },
  reclassify: { basis: opt(LONG_TEXT), level: opt(LEVEL), period: opt(period), record: opt(record) },
  conceal: { measures: req(measures), record: opt(record) },
  declassify: { reason: req(LONG_TEXT), record: opt(record) },
  destroy: { method: req(text(EVENT_METHOD_MAX)), reason: req(LONG_TEXT), record: opt(record) },
  'access-grant': PERSON,
  'access-revoke': PERSON,
  'departure-audit': { destroyed: opt(depositIds), record: opt(record), returned: opt(depositIds), who: req(who) },
};

/** The fields a kind's event may carry, in the order written. */
export function eventFields(kind: LifecycleKind): readonly string[] {
  return Object.keys(SPECS[kind]);
}

/**
 * Validates the event of a lifecycle kind and returns it normalised and frozen. `value`'s members set to
 * undefined count as absent. Throws EVENT_* (ENTRY_BAD_FIELD for a kind that records no event).
 */
export function checkEvent<K extends LifecycleKind>(kind: K, value: unknown): EventByKind[K];
export function checkEvent(kind: EntryKind, value: unknown): EntryEvent;
export function checkEvent(kind: EntryKind, value: unknown): EntryEvent {
  if (!isLifecycleKind(kind)) {
    throw new CunzhengError('ENTRY_BAD_FIELD', `entry field kind: ${typeof kind === 'string' ? JSON.stringify(shorten(kind)) : describeValue(kind)} records no event`, {
      details: { field: 'kind' },
    });
  }
  if (!isPlainObject(value)) eventError('EVENT_BAD_FIELD', 'event', `expected an object, got ${describeValue(value)}`);
  const spec = SPECS[kind];
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(spec, key) && value[key] !== undefined) eventError('EVENT_UNKNOWN_FIELD', `event.${shorten(key)}`, `not a field of a ${kind} event`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const raw = own(value, key);
    if (raw === undefined) {
      if (field.required) eventError('EVENT_MISSING_FIELD', `event.${key}`, 'missing');
      continue;
    }
    const checked = field.check(`event.${key}`, raw);
    if (checked !== undefined) out[key] = checked;
  }
  if (kind === 'reclassify' && out.level === undefined && out.period === undefined) {
    eventError('EVENT_MISSING_FIELD', 'event.level', 'a reclassify event changes the level, the period, or both', { oneOf: ['event.level', 'event.period'] });
  }
  return Object.freeze(out) as unknown as EntryEvent;
}

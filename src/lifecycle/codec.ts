/**
 * The stored form of a DocState (the ledger's `x C` record): compact UTF-8 JSON with the members in this
 * fixed order (`?` omitted when absent), then a check:
 *
 *   {"v":1,"doc","tenant","created","createdBy"?,
 *    "latest":{"id","time","sha256","title"?,"filename"?,"size"?,"labels"?},
 *    "versions","status","level"?,"period"?,"basis"?,"measures":[…],"people":[{"who","role"?,"since"}…],
 *    "last":{"kind","id","time","operator"?},"events","check"}
 *
 * check = hex SHA-256("cunzheng/doc-state/v1\n" ‖ the text before `,"check"` followed by "}"), i.e. over the
 * same object without its check. LevelDB as we open it does not check blocks on reads (see
 * service/tenant-record.ts), so the record carries its own: decodeDocState accepts only bytes that are
 * exactly the canonical encoding of valid fields with a matching check, so any changed byte (one flipped
 * bit or many) is refused, short of a SHA-256 collision. It finds damage; it is not a MAC.
 *
 * decodeDocState never throws: it answers {ok:false, reason} (the ledger turns that into STORE_CORRUPT).
 */
import { fromUtf8, isLowerHex, sha256, toHex, utf8 } from '../crypto/index.js';
import {
  CONCEAL_MEASURE_CODES, ENTRY_KINDS, EVENT_LEVEL_MAX, EVENT_ROLE_MAX, EVENT_TEXT_MAX, isConcealMeasure, isEntryKind, isPeriod, isPersonRef,
  META_MAX_ARRAY, META_MAX_STRING, PERIOD_LONG_TERM,
} from '../entry/index.js';
import { checkId, checkText, checkTime } from '../entry/fields.js';
import {
  DOC_STATE_MAX_BYTES, DOC_STATUSES, MAX_MEASURES, MAX_PEOPLE, type DocLast, type DocLatest, type DocState, type DocStatus, type ScopePerson,
} from './types.js';

export const DOC_STATE_VERSION = 1;
const DOMAIN = 'cunzheng/doc-state/v1\n';

export type DecodedDocState = { ok: true; state: DocState } | { ok: false; reason: string };

/** The state as an object whose members are in the written order (optional ones only when present). */
function ordered(s: DocState): Record<string, unknown> {
  const l = s.latest;
  const latest: Record<string, unknown> = { id: l.id, time: l.time, sha256: l.sha256 };
  if (l.title !== undefined) latest.title = l.title;
  if (l.filename !== undefined) latest.filename = l.filename;
  if (l.size !== undefined) latest.size = l.size;
  if (l.labels !== undefined) latest.labels = [...l.labels];
  const o: Record<string, unknown> = { v: DOC_STATE_VERSION, doc: s.doc, tenant: s.tenant, created: s.created };
  if (s.createdBy !== undefined) o.createdBy = s.createdBy;
  o.latest = latest;
  o.versions = s.versions;
  o.status = s.status;
  if (s.level !== undefined) o.level = s.level;
  if (s.period !== undefined) o.period = s.period;
  if (s.basis !== undefined) o.basis = s.basis;
  o.measures = [...s.measures];
  o.people = s.people.map((p) => (p.role === undefined ? { who: p.who, since: p.since } : { who: p.who, role: p.role, since: p.since }));
  o.last = s.last.operator === undefined ? { kind: s.last.kind, id: s.last.id, time: s.last.time } : { kind: s.last.kind, id: s.last.id, time: s.last.time, operator: s.last.operator };
  o.events = s.events;
  return o;
}

function canonicalText(s: DocState): string {
  const body = JSON.stringify(ordered(s));
  const check = toHex(sha256(utf8(DOMAIN + body)));
  return `${body.slice(0, -1)},"check":"${check}"}`;
}

/** The record's bytes. Writes what it is given: a state from startDocument/applyEntry over valid entries decodes back equal. */
export function encodeDocState(s: DocState): Uint8Array {
  return utf8(canonicalText(s));
}

/** Thrown inside decode only, caught there: decodeDocState itself never throws. */
class Refusal {
  constructor(readonly reason: string) {}
}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    return refuse(`${what} is not valid (${err instanceof Error ? err.message : 'refused'})`);
  }
}

const optional = <T>(v: unknown, read: (v: unknown) => T): T | undefined => (v === undefined ? undefined : read(v));
const hex = (what: string, v: unknown, n: number): string => (isLowerHex(v, n) ? (v as string) : refuse(`${what} is not ${n} lowercase hex digits`));
const count = (what: string, v: unknown, min: number): number =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && !Object.is(v, -0) ? v : refuse(`${what} is not an integer ≥ ${min}`));
const text = (what: string, v: unknown, min: number, max: number): string => field(what, () => checkText(what, v, { min, max }));
const time = (what: string, v: unknown): string => field(what, () => checkTime(what, v));
const id = (what: string, v: unknown): string => field(what, () => checkId(what, v));

function list(what: string, v: unknown, max: number): unknown[] {
  if (!Array.isArray(v)) refuse(`${what} is not a list`);
  if (v.length > max) refuse(`${what} holds ${v.length} items, at most ${max}`);
  return v;
}

function readLatest(v: unknown): DocLatest {
  if (!isObject(v)) refuse('latest is not an object');
  const latest: DocLatest = { id: hex('latest.id', v.id, 32), time: time('latest.time', v.time), sha256: hex('latest.sha256', v.sha256, 64) };
  const title = optional(v.title, (t) => text('latest.title', t, 0, META_MAX_STRING));
  const filename = optional(v.filename, (t) => text('latest.filename', t, 0, META_MAX_STRING));
  const size = optional(v.size, (n) => count('latest.size', n, 0));
  const labels = optional(v.labels, (a) => list('latest.labels', a, META_MAX_ARRAY).map((t, i) => text(`latest.labels[${i}]`, t, 0, META_MAX_STRING)));
  if (title !== undefined) latest.title = title;
  if (filename !== undefined) latest.filename = filename;
  if (size !== undefined) latest.size = size;
  if (labels !== undefined) latest.labels = labels;
  return latest;
}

function readPeople(v: unknown): ScopePerson[] {
  const seen = new Set<string>();
  return list('people', v, MAX_PEOPLE).map((p, i) => {
    if (!isObject(p)) refuse(`people[${i}] is not an object`);
    if (!isPersonRef(p.who)) refuse(`people[${i}].who is not a person reference`);
    if (seen.has(p.who)) refuse(`people[${i}].who ${p.who} appears twice`);
    seen.add(p.who);
    const role = optional(p.role, (r) => text(`people[${i}].role`, r, 1, EVENT_ROLE_MAX));
    const since = time(`people[${i}].since`, p.since);
    return role === undefined ? { who: p.who, since } : { who: p.who, role, since };
  });
}

function readMeasures(v: unknown): string[] {
  const measures = list('measures', v, MAX_MEASURES);
  measures.forEach((m, i) => {
    if (!isConcealMeasure(m)) refuse(`measures[${i}] is not one of ${CONCEAL_MEASURE_CODES.join(', ')}`);
    if (measures.indexOf(m) !== i) refuse(`measures[${i}] ${m} appears twice`);
  });
  return measures as string[];
}

function readLast(v: unknown): DocLast {
  if (!isObject(v)) refuse('last is not an object');
  if (!isEntryKind(v.kind)) refuse(`last.kind is not one of ${ENTRY_KINDS.join(', ')}`);
  const last: DocLast = { kind: v.kind, id: hex('last.id', v.id, 32), time: time('last.time', v.time) };
  const operator = optional(v.operator, (o) => id('last.operator', o));
  if (operator !== undefined) last.operator = operator;
  return last;
}

function readState(o: Record<string, unknown>): DocState {
  if (o.v !== DOC_STATE_VERSION) refuse(`unknown record version ${JSON.stringify(o.v)?.slice(0, 20)}`);
  const doc = hex('doc', o.doc, 32);
  const tenant = id('tenant', o.tenant);
  const created = time('created', o.created);
  const createdBy = optional(o.createdBy, (c) => id('createdBy', c));
  const latest = readLatest(o.latest);
  const versions = count('versions', o.versions, 1);
  if (!DOC_STATUSES.includes(o.status as DocStatus)) refuse(`status is not one of ${DOC_STATUSES.join(', ')}`);
  const status = o.status as DocStatus;
  const level = optional(o.level, (t) => text('level', t, 1, EVENT_LEVEL_MAX));
  const period = optional(o.period, (p) => (isPeriod(p) ? p : refuse(`period is neither a calendar date nor ${PERIOD_LONG_TERM}`)));
  const basis = optional(o.basis, (t) => text('basis', t, 1, EVENT_TEXT_MAX));
  const measures = readMeasures(o.measures);
  const people = readPeople(o.people);
  const last = readLast(o.last);
  const events = count('events', o.events, 0);
  if (status === 'unclassified' && (level !== undefined || period !== undefined || basis !== undefined)) refuse('an unclassified document holds a classification');
  if (status === 'classified' && (level === undefined || period === undefined)) refuse('a classified document lacks its level or period');
  if (events === 0 && (last.kind !== 'deposit' || status !== 'unclassified')) refuse('a document without events shows an event');
  if ((versions === 1) !== (latest.id === doc)) refuse(versions === 1 ? 'a document of one version names another latest version' : 'a document of several versions names its root as the latest');
  if (versions === 1 && events === 0 && last.id !== doc) refuse('a root deposit alone names another entry');
  const state: DocState = { doc, tenant, created, latest, versions, status, measures, people, last, events };
  if (createdBy !== undefined) state.createdBy = createdBy;
  if (level !== undefined) state.level = level;
  if (period !== undefined) state.period = period as string;
  if (basis !== undefined) state.basis = basis;
  return state;
}

/** Decodes an `x C` record; never throws. */
export function decodeDocState(bytes: Uint8Array): DecodedDocState {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'not bytes' };
  if (bytes.length > DOC_STATE_MAX_BYTES) return { ok: false, reason: `${bytes.length} bytes, at most ${DOC_STATE_MAX_BYTES}` };
  let value: unknown;
  let textIn: string;
  try {
    textIn = fromUtf8(bytes, 'document state');
    value = JSON.parse(textIn);
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON' };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  try {
    const state = readState(value);
    if (textIn !== canonicalText(state)) return { ok: false, reason: 'its check does not match its fields (or it is not canonical)' };
    return { ok: true, state };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason };
    return { ok: false, reason: 'refused' };
  }
}

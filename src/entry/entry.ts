/**
 * The entry: the leaf data of the ledger. The server writes it once; verifiers hash the exact bytes
 * (RFC 6962 leaf hash, see merkle/) and never re-serialize. Compact UTF-8 JSON with the members in this
 * fixed order (`?` = optional, omitted when absent):
 *
 *   v1 {"v":1,"kind","tenant","subject":{"name","uscc"},"digest":{"sha256","sm3"?},
 *       "size"?,"meta"?:{…keys ascending…},"prev"?,"hashedBy","nonce","time"}
 *   v2 {"v":2,"kind","tenant","subject","operator","digest","size"?,"meta"?,"event"?:{…keys ascending…},
 *       "prev"?,"hashedBy","nonce","time"}
 *
 * v2 adds the operator (the tenant-local user id of who made the request) and, for every kind but
 * deposit, the event (event.ts). buildEntry writes v2 when given an operator, v1 otherwise; parseEntry
 * reads both, forever.
 *
 * The bytes are exactly what JSON.stringify writes for that object (ECMA-262 §25.5.2: the string escaping
 * and number forms RFC 8785 also uses). parseEntry accepts those bytes and no others, so one entry has one
 * spelling: no whitespace, escapes, number forms, key orders or duplicate keys that would let the bytes a
 * court hashes say something other than what a verifier prints.
 *
 * Threat model for parseEntry: the bytes come out of a receipt file anyone can edit. Every failure is a
 * CunzhengError with an ENTRY_* code (size, UTF-8, JSON, duplicate keys, unknown fields, version, each
 * field's form, canonical form), or EVENT_* for the event's fields; nothing else is thrown.
 */
import { fromUtf8, utf8 } from '../crypto/index.js';
import { badField, checkId, checkNonceHex, checkTime, describeValue, formatTime } from './fields.js';
import { findDuplicateKey } from './duplicate-keys.js';
import { checkEvent, type EntryEvent } from './event.js';
import { ENTRY_KINDS, isEntryKind, type EntryKind } from './kinds.js';
import {
  checkDigest, checkEventNeedsOperator, checkEventPresence, checkEventPrev, checkHashedBy, checkNoEventMeta, checkSize,
  checkSubject, freezeMeta, type EntryDigest, type EntrySubject, type HashedBy,
} from './members.js';
import { normalizeMeta, type EntryMeta, type MetaValue } from './meta.js';
import { nonceOf } from './nonce.js';
import { checkObject, entryError, get, isPlainObject, required } from './shape.js';

/** The format versions this code reads; it writes the last when given an operator, the first otherwise. */
export const ENTRY_VERSIONS = [1, 2] as const;
export type EntryVersion = (typeof ENTRY_VERSIONS)[number];
/**
 * Far above any valid entry (the largest, a departure audit listing 2 × 1000 deposit ids, is under 80 KiB;
 * a deposit is under 16 KiB); bounds the work a hostile file causes.
 */
export const ENTRY_MAX_BYTES = 128 * 1024;
export { NONCE_BYTES } from './nonce.js';
export type { EntryDigest, EntrySubject, HashedBy } from './members.js';

/** What the caller decides; buildEntry adds v, nonce and time. */
export interface EntryInput {
  readonly kind: EntryKind;
  readonly tenant: string;
  readonly subject: EntrySubject;
  /** v2: the tenant-local user id of who made the request (same form as tenant). Given → v2; absent → v1. */
  readonly operator?: string;
  readonly digest: EntryDigest;
  /** Document size in bytes. */
  readonly size?: number;
  readonly meta?: Readonly<Record<string, MetaValue>>;
  /** v2, every kind but deposit (and only those): the facts of the measure, checked by checkEvent. */
  readonly event?: EntryEvent;
  /** The deposit this one versions, or (for lifecycle kinds) the deposit the event concerns (required in v2). */
  readonly prev?: string;
  /** Who computed the digest: the depositor ("client") or the service from the uploaded bytes ("server"). */
  readonly hashedBy: HashedBy;
}

export interface Entry extends EntryInput {
  readonly v: EntryVersion;
  readonly meta?: EntryMeta;
  /** 16 random bytes, lowercase hex: the leaf hash reveals nothing about a guessable document. */
  readonly nonce: string;
  /** When the service received it: RFC 3339 UTC with milliseconds. */
  readonly time: string;
}

const V1_FIELDS = ['v', 'kind', 'tenant', 'subject', 'digest', 'size', 'meta', 'prev', 'hashedBy', 'nonce', 'time'] as const;
const V2_FIELDS = ['v', 'kind', 'tenant', 'subject', 'operator', 'digest', 'size', 'meta', 'event', 'prev', 'hashedBy', 'nonce', 'time'] as const;
const INPUT_FIELDS = ['kind', 'tenant', 'subject', 'operator', 'digest', 'size', 'meta', 'event', 'prev', 'hashedBy'] as const;

export function checkKind(kind: unknown): EntryKind {
  if (!isEntryKind(kind)) badField('kind', `expected one of ${ENTRY_KINDS.join(', ')}`, { got: typeof kind === 'string' ? kind.slice(0, 70) : describeValue(kind) });
  return kind;
}

/** Validates a whole entry object (v1 or v2) and returns a fresh, frozen, normalised copy. */
function toEntry(value: unknown): Entry {
  if (!isPlainObject(value)) throw entryError('ENTRY_MALFORMED', `entry: expected a JSON object, got ${describeValue(value)}`);
  const v = get(value, 'v');
  if (v !== 1 && v !== 2) {
    const got = typeof v === 'number' ? v : typeof v === 'string' ? v.slice(0, 40) : describeValue(v);
    throw entryError('ENTRY_BAD_VERSION', `entry: format version ${v === undefined ? 'missing' : JSON.stringify(got)}; this verifier reads v1 and v2`, {
      want: ENTRY_VERSIONS,
      got,
    });
  }
  checkObject('', value, v === 1 ? V1_FIELDS : V2_FIELDS);
  const kind = checkKind(required(value, 'kind', 'kind'));
  const tenant = checkId('tenant', required(value, 'tenant', 'tenant'));
  const subject = checkSubject(required(value, 'subject', 'subject'));
  const operator = v === 2 ? checkId('operator', required(value, 'operator', 'operator')) : undefined;
  const digest = checkDigest(required(value, 'digest', 'digest'));
  const sizeRaw = get(value, 'size');
  const size = sizeRaw === undefined ? undefined : checkSize(sizeRaw);
  const meta = freezeMeta(normalizeMeta(get(value, 'meta')));
  let event: EntryEvent | undefined;
  if (v === 2) {
    checkNoEventMeta(kind, meta);
    const eventRaw = get(value, 'event');
    checkEventPresence(kind, eventRaw);
    event = eventRaw === undefined ? undefined : checkEvent(kind, eventRaw);
  }
  const prevRaw = get(value, 'prev');
  if (v === 2) checkEventPrev(kind, prevRaw);
  const prev = prevRaw === undefined ? undefined : checkId('prev', prevRaw);
  const hashedBy = checkHashedBy(required(value, 'hashedBy', 'hashedBy'));
  const nonce = checkNonceHex('nonce', required(value, 'nonce', 'nonce'));
  const time = checkTime('time', required(value, 'time', 'time'));

  // Built in the written order; optional members only when present.
  const entry: Record<string, unknown> = { v, kind, tenant, subject };
  if (operator !== undefined) entry.operator = operator;
  entry.digest = digest;
  if (size !== undefined) entry.size = size;
  if (meta !== undefined) entry.meta = meta;
  if (event !== undefined) entry.event = event;
  if (prev !== undefined) entry.prev = prev;
  entry.hashedBy = hashedBy;
  entry.nonce = nonce;
  entry.time = time;
  return Object.freeze(entry) as unknown as Entry;
}

/** The canonical text of a validated entry: its members (and the event's) are already in the written order. */
function serialize(entry: Entry): string {
  return JSON.stringify(entry);
}

/** The receive time as written: `given`, or now. */
export function entryTime(given: Date | undefined): string {
  return formatTime(given ?? new Date());
}

/**
 * Validates `input` by the same rules parseEntry applies, adds `v` (2 when `input.operator` is given, else
 * 1), a fresh random nonce (or `opts.nonce`) and the receive time (`opts.time`, default now), and writes the
 * entry's bytes.
 */
export function buildEntry(input: EntryInput, opts: { nonce?: Uint8Array; time?: Date } = {}): { entry: Entry; bytes: Uint8Array } {
  const obj = checkObject('', input, INPUT_FIELDS);
  const nonce = nonceOf(opts.nonce);
  const time = entryTime(opts.time);
  const operator = get(obj, 'operator');
  const event = get(obj, 'event');
  const value: Record<string, unknown> = { v: operator === undefined ? 1 : 2 };
  for (const key of INPUT_FIELDS) if (Object.hasOwn(obj, key) && obj[key] !== undefined) value[key] = obj[key];
  if (operator === undefined) checkEventNeedsOperator(event);
  value.nonce = nonce;
  value.time = time;
  const entry = toEntry(value);
  // No size check needed: the field bounds keep any valid entry under 80 KiB, well under the cap.
  return { entry, bytes: utf8(serialize(entry)) };
}

/** Parses and validates entry bytes (hostile input); see the module comment for what is accepted. */
export function parseEntry(bytes: Uint8Array): Entry {
  if (!(bytes instanceof Uint8Array)) throw entryError('ENTRY_MALFORMED', `entry: expected Uint8Array, got ${describeValue(bytes)}`);
  if (bytes.length > ENTRY_MAX_BYTES) {
    throw entryError('ENTRY_TOO_LARGE', `entry: ${bytes.length} bytes, at most ${ENTRY_MAX_BYTES}`, { want: ENTRY_MAX_BYTES, got: bytes.length });
  }
  let text: string;
  try {
    text = fromUtf8(bytes, 'entry');
  } catch (cause) {
    throw entryError('ENTRY_BAD_UTF8', 'entry: invalid UTF-8', undefined, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw entryError('ENTRY_MALFORMED', `entry: not JSON (${cause instanceof Error ? cause.message : 'parse error'})`, undefined, cause);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    const shown = duplicate.key.length > 70 ? `${duplicate.key.slice(0, 70)}…` : duplicate.key;
    throw entryError('ENTRY_DUPLICATE_KEY', `entry: key ${JSON.stringify(shown)} appears twice in one object`, { key: shown, depth: duplicate.depth });
  }
  const entry = toEntry(value);
  const canonical = serialize(entry);
  if (canonical !== text) {
    let at = 0;
    while (at < canonical.length && at < text.length && canonical.charCodeAt(at) === text.charCodeAt(at)) at++;
    throw entryError('ENTRY_NOT_CANONICAL', `entry: not in canonical form (first difference at character ${at})`, {
      offset: at,
      want: canonical.slice(Math.max(0, at - 10), at + 20),
      got: text.slice(Math.max(0, at - 10), at + 20),
    });
  }
  return entry;
}

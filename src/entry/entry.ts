/**
 * The entry: the leaf data of the ledger. The server writes it once; verifiers hash the exact bytes
 * (RFC 6962 leaf hash, see merkle/) and never re-serialize. Format v1 is compact UTF-8 JSON with the
 * members in this fixed order (`?` = optional, omitted when absent):
 *
 *   {"v":1,"kind":…,"tenant":…,"subject":{"name":…,"uscc":…},"digest":{"sha256":…,"sm3"?:…},
 *    "size"?:…,"meta"?:{…keys ascending…},"prev"?:…,"hashedBy":…,"nonce":…,"time":…}
 *
 * The bytes are exactly what JSON.stringify writes for that object (ECMA-262 §25.5.2: the string escaping
 * and number forms RFC 8785 also uses). parseEntry accepts those bytes and no others, so one entry has one
 * spelling: no whitespace, escapes, number forms, key orders or duplicate keys that would let the bytes a
 * court hashes say something other than what a verifier prints.
 *
 * Threat model for parseEntry: the bytes come out of a receipt file anyone can edit. Every failure is a
 * CunzhengError with an ENTRY_* code (size, UTF-8, JSON, duplicate keys, unknown fields, version, each
 * field's form, canonical form); nothing else is thrown.
 */
import { fromUtf8, utf8, utf8View } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import {
  badField, checkDigestHex, checkId, checkNonceHex, checkText, checkTime, describeValue, formatTime,
  type EntryErrorCode,
} from './fields.js';
import { findDuplicateKey } from './duplicate-keys.js';
import { ENTRY_KINDS, isEntryKind, type EntryKind } from './kinds.js';
import { normalizeMeta, normalizeMetaJson, type EntryMeta, type MetaValue } from './meta.js';
import { validateUscc } from './uscc.js';
import { SUBJECT_NAME_MAX, SUBJECT_NAME_RULE } from './rules.js';
import { nonceOf } from './nonce.js';

export const ENTRY_VERSION = 1;
/** Far above any valid entry (meta ≤ 8 KiB, everything else < 2 KiB); bounds the work a hostile file causes. */
export const ENTRY_MAX_BYTES = 64 * 1024;
export { NONCE_BYTES } from './nonce.js';

export type HashedBy = 'client' | 'server';

export interface EntrySubject {
  /** The enterprise's registered name (1-256 UTF-16 units, no leading or trailing white space). */
  readonly name: string;
  /** Its unified social credit code (GB 32100-2015). */
  readonly uscc: string;
}

export interface EntryDigest {
  readonly sha256: string;
  readonly sm3?: string;
}

/** What the caller decides; buildEntry adds v, nonce and time. */
export interface EntryInput {
  readonly kind: EntryKind;
  readonly tenant: string;
  readonly subject: EntrySubject;
  readonly digest: EntryDigest;
  /** Document size in bytes. */
  readonly size?: number;
  readonly meta?: Readonly<Record<string, MetaValue>>;
  /** The deposit this one versions, or (for lifecycle kinds) the deposit the event concerns. */
  readonly prev?: string;
  /** Who computed the digest: the depositor ("client") or the service from the uploaded bytes ("server"). */
  readonly hashedBy: HashedBy;
}

export interface Entry extends EntryInput {
  readonly v: 1;
  readonly meta?: EntryMeta;
  /** 16 random bytes, lowercase hex: the leaf hash reveals nothing about a guessable document. */
  readonly nonce: string;
  /** When the service received it: RFC 3339 UTC with milliseconds. */
  readonly time: string;
}

const ENTRY_FIELDS = ['v', 'kind', 'tenant', 'subject', 'digest', 'size', 'meta', 'prev', 'hashedBy', 'nonce', 'time'] as const;
const INPUT_FIELDS = ['kind', 'tenant', 'subject', 'digest', 'size', 'meta', 'prev', 'hashedBy'] as const;
const SUBJECT_FIELDS = ['name', 'uscc'] as const;
const DIGEST_FIELDS = ['sha256', 'sm3'] as const;
const ITEM_FIELDS = ['digest', 'size', 'meta', 'prev', 'hashedBy'] as const;

function entryError(code: EntryErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError<EntryErrorCode> {
  return new CunzhengError(code, message, { ...(details === undefined ? {} : { details }), ...(cause === undefined ? {} : { cause }) });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkObject(field: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
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
function get(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function required(obj: Record<string, unknown>, field: string, key: string): unknown {
  const value = get(obj, key);
  if (value === undefined) badField(field, 'missing', { reason: 'missing' });
  return value;
}

function checkSubject(value: unknown): EntrySubject {
  const obj = checkObject('subject', value, SUBJECT_FIELDS);
  const name = checkText('subject.name', required(obj, 'subject.name', 'name'), { min: 1, max: SUBJECT_NAME_MAX });
  if (!SUBJECT_NAME_RULE.test(name)) badField('subject.name', 'must not begin or end with white space');
  const usccRaw = required(obj, 'subject.uscc', 'uscc');
  let uscc: string;
  try {
    uscc = validateUscc(usccRaw);
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw err;
    return badField('subject.uscc', err.message, { usccCode: err.code, ...err.details }, err);
  }
  return Object.freeze({ name, uscc });
}

function checkDigest(value: unknown): EntryDigest {
  const obj = checkObject('digest', value, DIGEST_FIELDS);
  const sha256 = checkDigestHex('digest.sha256', required(obj, 'digest.sha256', 'sha256'));
  const sm3Raw = get(obj, 'sm3');
  return Object.freeze(sm3Raw === undefined ? { sha256 } : { sha256, sm3: checkDigestHex('digest.sm3', sm3Raw) });
}

function checkSize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) {
    badField('size', `expected a non-negative safe integer (bytes), got ${typeof value === 'number' ? String(value) : describeValue(value)}`);
  }
  return value;
}

function freezeMeta(meta: EntryMeta | undefined): EntryMeta | undefined {
  if (meta === undefined) return undefined;
  for (const value of Object.values(meta)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(meta);
}

/** Validates a whole entry object (v1) and returns a fresh, frozen, normalised copy. */
function toEntry(value: unknown): Entry {
  if (!isPlainObject(value)) throw entryError('ENTRY_MALFORMED', `entry: expected a JSON object, got ${describeValue(value)}`);
  const v = get(value, 'v');
  if (v !== ENTRY_VERSION) {
    const got = typeof v === 'number' ? v : typeof v === 'string' ? v.slice(0, 40) : describeValue(v);
    throw entryError('ENTRY_BAD_VERSION', `entry: format version ${v === undefined ? 'missing' : JSON.stringify(got)}; this verifier reads v${ENTRY_VERSION}`, {
      want: ENTRY_VERSION,
      got,
    });
  }
  checkObject('', value, ENTRY_FIELDS);
  const kind = required(value, 'kind', 'kind');
  if (!isEntryKind(kind)) badField('kind', `expected one of ${ENTRY_KINDS.join(', ')}`, { got: typeof kind === 'string' ? kind.slice(0, 70) : describeValue(kind) });
  const tenant = checkId('tenant', required(value, 'tenant', 'tenant'));
  const subject = checkSubject(required(value, 'subject', 'subject'));
  const digest = checkDigest(required(value, 'digest', 'digest'));
  const sizeRaw = get(value, 'size');
  const size = sizeRaw === undefined ? undefined : checkSize(sizeRaw);
  const meta = freezeMeta(normalizeMeta(get(value, 'meta')));
  const prevRaw = get(value, 'prev');
  const prev = prevRaw === undefined ? undefined : checkId('prev', prevRaw);
  const hashedBy = required(value, 'hashedBy', 'hashedBy');
  if (hashedBy !== 'client' && hashedBy !== 'server') badField('hashedBy', 'expected "client" or "server"', { got: typeof hashedBy === 'string' ? hashedBy.slice(0, 70) : describeValue(hashedBy) });
  const nonce = checkNonceHex('nonce', required(value, 'nonce', 'nonce'));
  const time = checkTime('time', required(value, 'time', 'time'));

  // Built in the written order; optional members only when present.
  const entry: Record<string, unknown> = { v: ENTRY_VERSION, kind, tenant, subject, digest };
  if (size !== undefined) entry.size = size;
  if (meta !== undefined) entry.meta = meta;
  if (prev !== undefined) entry.prev = prev;
  entry.hashedBy = hashedBy;
  entry.nonce = nonce;
  entry.time = time;
  return Object.freeze(entry) as unknown as Entry;
}

/** The canonical text of a validated entry: its members are already in the written order. */
function serialize(entry: Entry): string {
  return JSON.stringify(entry);
}

/**
 * Validates `input` by the same rules parseEntry applies, adds `v`, a fresh random nonce (or
 * `opts.nonce`) and the receive time (`opts.time`, default now), and writes the entry's bytes.
 */
export function buildEntry(input: EntryInput, opts: { nonce?: Uint8Array; time?: Date } = {}): { entry: Entry; bytes: Uint8Array } {
  const obj = checkObject('', input, INPUT_FIELDS);
  const nonce = nonceOf(opts.nonce);
  const time = formatTime(opts.time ?? new Date());
  const entry = toEntry({ v: ENTRY_VERSION, ...obj, nonce, time });
  // No size check needed: the field bounds keep any valid entry under 16 KiB, a quarter of the cap.
  return { entry, bytes: utf8(serialize(entry)) };
}

/** The per-entry part of an EntryInput, for EntryBuilder (kind, tenant and subject are the builder's). */
export interface EntryItem {
  readonly digest: EntryDigest;
  readonly size?: number;
  readonly meta?: Readonly<Record<string, MetaValue>>;
  readonly prev?: string;
  readonly hashedBy: HashedBy;
}

/**
 * Builds many entries of one kind, tenant and subject (a batch of deposits): what they share is validated
 * and written once, and each entry's text is assembled from validated pieces in the written order. The
 * bytes and the errors are exactly buildEntry's for the same input, nonce and time (a property test holds
 * the two together); this only skips re-validating what cannot have changed.
 */
export class EntryBuilder {
  private readonly head: string;
  private lastMs = Number.NaN;
  private lastTime = '';

  constructor(kind: EntryKind, tenant: string, subject: EntrySubject) {
    if (!isEntryKind(kind)) badField('kind', `expected one of ${ENTRY_KINDS.join(', ')}`, { got: typeof kind === 'string' ? (kind as string).slice(0, 70) : describeValue(kind) });
    checkId('tenant', tenant);
    const sub = checkSubject(subject);
    this.head = `{"v":${ENTRY_VERSION},"kind":${JSON.stringify(kind)},"tenant":${JSON.stringify(tenant)},"subject":${JSON.stringify({ name: sub.name, uscc: sub.uscc })},"digest":{"sha256":"`;
  }

  build(item: EntryItem, opts: { nonce?: Uint8Array; time?: Date } = {}): { bytes: Uint8Array; text: string } {
    // The same checks in the same order as buildEntry: the object, the nonce, the time, then the fields.
    const obj = checkObject('', item, ITEM_FIELDS);
    const nonce = nonceOf(opts.nonce);
    let time: string;
    if (opts.time === undefined) {
      const ms = Date.now();
      if (ms !== this.lastMs) {
        this.lastTime = formatTime(new Date(ms));
        this.lastMs = ms;
      }
      time = this.lastTime;
    } else {
      time = formatTime(opts.time);
    }
    const digest = checkDigest(required(obj, 'digest', 'digest'));
    const sizeRaw = get(obj, 'size');
    const size = sizeRaw === undefined ? undefined : checkSize(sizeRaw);
    const meta = normalizeMetaJson(get(obj, 'meta'));
    const prevRaw = get(obj, 'prev');
    const prev = prevRaw === undefined ? undefined : checkId('prev', prevRaw);
    const hashedBy = required(obj, 'hashedBy', 'hashedBy');
    if (hashedBy !== 'client' && hashedBy !== 'server') badField('hashedBy', 'expected "client" or "server"', { got: typeof hashedBy === 'string' ? hashedBy.slice(0, 70) : describeValue(hashedBy) });
    // Digests, ids, the nonce and the time are validated ASCII without characters JSON escapes: written
    // as they are. Text (meta) goes through JSON.stringify, as in serialize().
    let text = this.head + digest.sha256 + (digest.sm3 === undefined ? '"}' : `","sm3":"${digest.sm3}"}`);
    if (size !== undefined) text += `,"size":${size}`;
    if (meta !== undefined) text += `,"meta":${meta.json}`;
    if (prev !== undefined) text += `,"prev":"${prev}"`;
    text += `,"hashedBy":"${hashedBy}","nonce":"${nonce}","time":"${time}"}`;
    return { bytes: utf8View(text), text };
  }
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

/** The checks of the entry's own members (subject, digest, size, hashedBy, and v2's rules for events). */
import { CunzhengError } from '../errors.js';
import { badField, checkDigestHex, checkText, describeValue } from './fields.js';
import type { EntryKind } from './kinds.js';
import type { EntryMeta } from './meta.js';
import { SUBJECT_NAME_MAX, SUBJECT_NAME_RULE } from './rules.js';
import { get, checkObject, required } from './shape.js';
import { validateUscc } from './uscc.js';

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

const SUBJECT_FIELDS = ['name', 'uscc'] as const;
const DIGEST_FIELDS = ['sha256', 'sm3'] as const;

export function checkSubject(value: unknown): EntrySubject {
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

export function checkDigest(value: unknown): EntryDigest {
  const obj = checkObject('digest', value, DIGEST_FIELDS);
  const sha256 = checkDigestHex('digest.sha256', required(obj, 'digest.sha256', 'sha256'));
  const sm3Raw = get(obj, 'sm3');
  return Object.freeze(sm3Raw === undefined ? { sha256 } : { sha256, sm3: checkDigestHex('digest.sm3', sm3Raw) });
}

export function checkSize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) {
    badField('size', `expected a non-negative safe integer (bytes), got ${typeof value === 'number' ? String(value) : describeValue(value)}`);
  }
  return value;
}

export function checkHashedBy(value: unknown): HashedBy {
  if (value !== 'client' && value !== 'server') {
    badField('hashedBy', 'expected "client" or "server"', { got: typeof value === 'string' ? value.slice(0, 70) : describeValue(value) });
  }
  return value;
}

export function freezeMeta(meta: EntryMeta | undefined): EntryMeta | undefined {
  if (meta === undefined) return undefined;
  for (const value of Object.values(meta)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(meta);
}

// v2's rules that tie members to the kind, each checked where its member is (so build and parse fail alike).

/** v2: an event entry carries its facts in `event`, never in meta (an empty meta is no meta). */
export function checkNoEventMeta(kind: EntryKind, meta: unknown): void {
  if (kind !== 'deposit' && meta !== undefined) badField('meta', `a ${kind} entry carries no meta: its facts are in event`);
}

/** v2: a deposit records no event; every other kind must. */
export function checkEventPresence(kind: EntryKind, event: unknown): void {
  if (kind === 'deposit') {
    if (event !== undefined) badField('event', 'a deposit records no event');
  } else if (event === undefined) {
    badField('event', `missing: a ${kind} entry records its event`, { reason: 'missing' });
  }
}

/** v2: an event names the deposit (the document version) it concerns. */
export function checkEventPrev(kind: EntryKind, prev: unknown): void {
  if (kind !== 'deposit' && prev === undefined) badField('prev', `missing: a ${kind} entry names the deposit it concerns`, { reason: 'missing' });
}

/** Building: a v1 entry (no operator) cannot carry an event. */
export function checkEventNeedsOperator(event: unknown): void {
  if (event !== undefined) badField('operator', 'missing: an event is written in format v2, which records the operator', { reason: 'missing' });
}

/**
 * EntryBuilder: many entries of one kind, tenant, subject (and operator) — a batch of deposits, or of one
 * officer's events. What they share is validated and written once, and each entry's text is assembled
 * from validated pieces in the written order. The bytes and the errors are exactly buildEntry's for the
 * same input, nonce and time (a property test holds the two together, v1 and v2); this only skips
 * re-validating what cannot have changed.
 */
import { utf8View } from '../crypto/index.js';
import { checkId, formatTime } from './fields.js';
import { checkEvent, type EntryEvent } from './event.js';
import { checkKind, type EntryVersion } from './entry.js';
import type { EntryKind } from './kinds.js';
import {
  checkDigest, checkEventNeedsOperator, checkEventPresence, checkEventPrev, checkHashedBy, checkNoEventMeta, checkSize,
  checkSubject, type EntryDigest, type EntrySubject, type HashedBy,
} from './members.js';
import { normalizeMetaJson, type MetaValue } from './meta.js';
import { nonceOf } from './nonce.js';
import { checkObject, get, required } from './shape.js';

/** The per-entry part of an EntryInput, for EntryBuilder (kind, tenant, subject and operator are the builder's). */
export interface EntryItem {
  readonly digest: EntryDigest;
  readonly size?: number;
  readonly meta?: Readonly<Record<string, MetaValue>>;
  /** v2 (the builder has an operator), every kind but deposit. */
  readonly event?: EntryEvent;
  readonly prev?: string;
  readonly hashedBy: HashedBy;
}

const ITEM_FIELDS = ['digest', 'size', 'meta', 'event', 'prev', 'hashedBy'] as const;

export class EntryBuilder {
  readonly v: EntryVersion;
  private readonly kind: EntryKind;
  private readonly head: string;
  private lastMs = Number.NaN;
  private lastTime = '';

  /** `operator` given: entries of format v2; absent: v1. */
  constructor(kind: EntryKind, tenant: string, subject: EntrySubject, operator?: string) {
    this.kind = checkKind(kind);
    checkId('tenant', tenant);
    const sub = checkSubject(subject);
    if (operator !== undefined) checkId('operator', operator);
    this.v = operator === undefined ? 1 : 2;
    this.head = `{"v":${this.v},"kind":${JSON.stringify(kind)},"tenant":${JSON.stringify(tenant)},"subject":${JSON.stringify({ name: sub.name, uscc: sub.uscc })}` +
      `${operator === undefined ? '' : `,"operator":"${operator}"`},"digest":{"sha256":"`;
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
    const v2 = this.v === 2;
    if (!v2) checkEventNeedsOperator(get(obj, 'event'));
    const digest = checkDigest(required(obj, 'digest', 'digest'));
    const sizeRaw = get(obj, 'size');
    const size = sizeRaw === undefined ? undefined : checkSize(sizeRaw);
    const meta = normalizeMetaJson(get(obj, 'meta'));
    let event: EntryEvent | undefined;
    if (v2) {
      checkNoEventMeta(this.kind, meta);
      const eventRaw = get(obj, 'event');
      checkEventPresence(this.kind, eventRaw);
      event = eventRaw === undefined ? undefined : checkEvent(this.kind, eventRaw);
    }
    const prevRaw = get(obj, 'prev');
    if (v2) checkEventPrev(this.kind, prevRaw);
    const prev = prevRaw === undefined ? undefined : checkId('prev', prevRaw);
    const hashedBy = checkHashedBy(required(obj, 'hashedBy', 'hashedBy'));
    // Digests, ids, the nonce and the time are validated ASCII without characters JSON escapes: written
    // as they are. Text (meta, event) goes through JSON.stringify, as in buildEntry.
    let text = this.head + digest.sha256 + (digest.sm3 === undefined ? '"}' : `","sm3":"${digest.sm3}"}`);
    if (size !== undefined) text += `,"size":${size}`;
    if (meta !== undefined) text += `,"meta":${meta.json}`;
    if (event !== undefined) text += `,"event":${JSON.stringify(event)}`;
    if (prev !== undefined) text += `,"prev":"${prev}"`;
    text += `,"hashedBy":"${hashedBy}","nonce":"${nonce}","time":"${time}"}`;
    return { bytes: utf8View(text), text };
  }
}

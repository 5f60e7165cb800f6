/**
 * The state of one document (a version chain: its root deposit and every entry whose `prev` leads to it),
 * derived from its entries in ledger order. Plain data, so it can be stored (codec.ts) and compared.
 */
import type { EntryKind } from '../entry/index.js';

export type DocStatus = 'unclassified' | 'classified' | 'declassified' | 'destroyed';
/** What the 清单 shows: a classified document whose secrecy period has passed shows as expired. */
export type DisplayStatus = DocStatus | 'expired';

export const DOC_STATUSES: readonly DocStatus[] = ['unclassified', 'classified', 'declassified', 'destroyed'];
export const DISPLAY_STATUSES: readonly DisplayStatus[] = ['unclassified', 'classified', 'expired', 'declassified', 'destroyed'];

/** A person in the need-to-know scope (知悉范围): a tenant-local reference, never a name. */
export interface ScopePerson {
  who: string;
  role?: string;
  /** The time of the access-grant entry that admitted them. */
  since: string;
}

export interface DocLatest {
  /** The newest version's deposit id. */
  id: string;
  time: string;
  sha256: string;
  title?: string;
  filename?: string;
  size?: number;
  labels?: string[];
}

export interface DocLast {
  kind: EntryKind;
  id: string;
  time: string;
  operator?: string;
}

export interface DocState {
  /** The root deposit's id (32 lowercase hex). */
  doc: string;
  tenant: string;
  /** The root deposit's time and operator. */
  created: string;
  createdBy?: string;
  latest: DocLatest;
  /** Deposits in the chain (the root counts). */
  versions: number;
  status: DocStatus;
  /** The last classification recorded (kept after declassify and destroy: what it was). */
  level?: string;
  /** `YYYY-MM-DD` (the last day in force, Beijing date) or 长期. */
  period?: string;
  basis?: string;
  /** Conceal measures applied, in first-applied order, each once. */
  measures: string[];
  /** The need-to-know scope now, in the order people were admitted. */
  people: ScopePerson[];
  last: DocLast;
  /** Lifecycle events applied (every entry of the chain but its deposits). */
  events: number;
}

/**
 * The fields of an event that the lifecycle reads, whatever its kind (the entry's EntryEvent is a union by
 * kind; the entry's kind says which). applyEntry reads through this view and checks what it needs is there.
 */
export interface LifecycleEvent {
  readonly level?: string;
  readonly period?: string;
  readonly basis?: string;
  readonly measures?: readonly string[];
  readonly who?: string;
  readonly role?: string;
}

/**
 * At most this many people in one document's scope. A secret known to more is hardly a secret, and the
 * state is rewritten on every event: at the bound an access-grant is refused (LIFECYCLE_SCOPE_FULL, 409,
 * nothing written) until someone is revoked; decodeDocState refuses a state holding more.
 */
export const MAX_PEOPLE = 1000;
/** The conceal measures are a closed list of 10 (design §1): a state holds each at most once. */
export const MAX_MEASURES = 10;
/** Far above the largest valid state (1000 people of ≤ 64 + 64 characters, 32 labels of ≤ 1024, ≈ 450 KiB as JSON): bounds the work of decoding. */
export const DOC_STATE_MAX_BYTES = 1024 * 1024;

/**
 * Entries for the lifecycle tests: a document's root deposit, its new versions and its events, each with
 * the id the ledger would give it (the first 16 bytes of its leaf hash, lowercase hex).
 */
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import type { EntryKind } from '../../src/entry/index.js';
import type { LifecycleEntry, LifecycleEvent } from '../../src/lifecycle/index.js';

export const TENANT = 'tn_0123456789abcdef01234567';
export const OFFICER = 'u_00112233445566aa';
export const T0 = Date.parse('2026-12-02T08:30:00.000Z');

export interface Made {
  entry: LifecycleEntry;
  id: string;
}

let counter = 0;

function idOf(entry: LifecycleEntry): string {
  counter++;
  return toHex(sha256(utf8(`${JSON.stringify(entry)}\n${counter}`))).slice(0, 32);
}

function timeAt(step: number): string {
  return new Date(T0 + step * 60_000).toISOString();
}

export function rootDeposit(opts: { step?: number; title?: string; filename?: string; labels?: string[]; size?: number; operator?: string } = {}): Made {
  const meta: Record<string, string | string[]> = {};
  if (opts.title !== undefined) meta.title = opts.title;
  if (opts.filename !== undefined) meta.filename = opts.filename;
  if (opts.labels !== undefined) meta.labels = opts.labels;
  const entry: LifecycleEntry = {
    v: 2, kind: 'deposit', tenant: TENANT, operator: opts.operator ?? OFFICER,
    digest: { sha256: toHex(sha256(utf8(`document ${counter}`))) },
    ...(opts.size === undefined ? {} : { size: opts.size }),
    ...(Object.keys(meta).length === 0 ? {} : { meta }),
    time: timeAt(opts.step ?? 0),
  };
  return { entry, id: idOf(entry) };
}

export function newVersion(prev: string, step: number, meta?: Record<string, string | string[]>): Made {
  const entry: LifecycleEntry = {
    v: 2, kind: 'deposit', tenant: TENANT, operator: OFFICER, digest: { sha256: toHex(sha256(utf8(`version ${step}`))) },
    size: 100 + step, ...(meta === undefined ? {} : { meta }), prev, time: timeAt(step),
  };
  return { entry, id: idOf(entry) };
}

export function lifecycleEvent(kind: Exclude<EntryKind, 'deposit'>, event: LifecycleEvent, prev: string, step: number, operator = OFFICER): Made {
  const entry: LifecycleEntry = {
    v: 2, kind, tenant: TENANT, operator, digest: { sha256: 'ab'.repeat(32) }, event, prev, time: timeAt(step),
  };
  return { entry, id: idOf(entry) };
}

/**
 * Builds one tenant's store fast for the inventory benchmark (and its tests), through the ledger API with the
 * derived writes the service makes: each root deposit's digest key, listing key and document root key
 * (`x N`, from service/document-writes.ts), and each event's `x R`, `x H` and new state (`x C`, the lifecycle
 * applied by the same DocumentWrites.prepare the service calls). No HTTP, no receipts: runs of 1,000 entries,
 * a few in flight.
 *
 * The events: `events / 2` documents, spread evenly over the deposits, get two each — classify (levels in
 * turn; periods past, future or 长期), then conceal or access-grant; every tenth is destroyed instead, every
 * tenth but one declassified. `expect` is what the inventory must then hold (counts by status and level).
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../src/crypto/index.js';
import { DEFAULT_LEVELS, EntryBuilder, checkEvent, type EntryEvent, type EntryKind, type LifecycleKind } from '../src/entry/index.js';
import { hashLeaf } from '../src/merkle/index.js';
import type { Ledger } from '../src/ledger/index.js';
import { DocumentWrites } from '../src/service/document-writes.js';

export interface StoreTenant {
  id: string;
  name: string;
  uscc: string;
}

export interface StorePlan {
  deposits: number;
  events: number;
  /** Entries per run (default 1,000), runs in flight (default 4). */
  run?: number;
  inFlight?: number;
  progress?: (done: number, total: number) => void;
}

export interface BuiltStore {
  /** Doc ids in root order. */
  docs: string[];
  /** Per display status and per level: how many documents the inventory must show (at `now` of the build). */
  expect: { status: Record<string, number>; level: Record<string, number>; label: Record<string, number> };
  depositMs: number;
  eventMs: number;
}

export const PAST_PERIOD = '2020-12-31';
export const FUTURE_PERIOD = '2099-12-31';
export const LABELS = 10;

/** The two events document j (of those that get events) receives, in order. */
export function eventsOf(j: number): { kind: LifecycleKind; fields: Record<string, unknown> }[] {
  const level = DEFAULT_LEVELS[j % DEFAULT_LEVELS.length]!;
  const period = j % 3 === 0 ? PAST_PERIOD : j % 3 === 1 ? FUTURE_PERIOD : '长期';
  const classify = { kind: 'classify' as const, fields: { level, period } };
  if (j % 10 === 0) return [classify, { kind: 'destroy', fields: { reason: '到期销毁', method: '粉碎' } }];
  if (j % 10 === 1) return [classify, { kind: 'declassify', fields: { reason: '已公开' } }];
  if (j % 2 === 0) return [classify, { kind: 'conceal', fields: { measures: ['marking', 'encryption'] } }];
  return [classify, { kind: 'access-grant', fields: { who: `E${String(j).padStart(6, '0')}` } }];
}

/** The status document j shows once both its events are in. */
export function statusOf(j: number): string {
  if (j % 10 === 0) return 'destroyed';
  if (j % 10 === 1) return 'declassified';
  return j % 3 === 0 ? 'expired' : 'classified';
}

export async function buildInventoryStore(ledger: Ledger, tenant: StoreTenant, operator: string, plan: StorePlan): Promise<BuiltStore> {
  const run = plan.run ?? 1000;
  const inFlight = plan.inFlight ?? 4;
  const subject = { name: tenant.name, uscc: tenant.uscc };
  const deposit = new EntryBuilder('deposit', tenant.id, subject, operator);
  const writes = new DocumentWrites(ledger);
  const digestPrefix = ledger.index.prefix(tenant.id);
  const listing = ledger.index.listingPrefix(tenant.id);
  const docs: string[] = [];
  const sha: string[] = [];
  const pending = new Set<Promise<unknown>>();
  const total = plan.deposits + plan.events;
  const throttle = async (p: Promise<unknown>): Promise<void> => {
    const q = p.finally(() => pending.delete(q));
    pending.add(q);
    if (pending.size >= inFlight) await Promise.race(pending);
  };

  const t0 = performance.now();
  for (let at = 0; at < plan.deposits; at += run) {
    const n = Math.min(run, plan.deposits - at);
    const entries: Uint8Array[] = [];
    const dKeys: Uint8Array[] = [];
    for (let k = 0; k < n; k++) {
      const i = at + k;
      const sha256 = toHex(randomBytes(32));
      const { bytes } = deposit.build({ digest: { sha256 }, size: 1000 + i, meta: { title: `文档 ${i}`, labels: [`L${i % LABELS}`] }, hashedBy: 'client' });
      entries.push(bytes);
      dKeys.push(ledger.index.digestKey(digestPrefix, sha256));
      docs.push(toHex(hashLeaf(bytes).subarray(0, 16)));
      sha.push(sha256);
    }
    await throttle(ledger.appendRun(entries, { digestKeys: dKeys, listing, roots: writes.rootsPrefix(tenant.id) }));
    plan.progress?.(at + n, total);
  }
  await Promise.all(pending);
  const depositMs = performance.now() - t0;

  const eventDocs = Math.floor(plan.events / 2);
  const stride = eventDocs === 0 ? 1 : Math.max(1, Math.floor(plan.deposits / eventDocs));
  const builders = new Map<EntryKind, EntryBuilder>();
  const builderOf = (kind: EntryKind): EntryBuilder => {
    let b = builders.get(kind);
    if (b === undefined) builders.set(kind, (b = new EntryBuilder(kind, tenant.id, subject, operator)));
    return b;
  };
  const t1 = performance.now();
  const perRun = Math.max(1, Math.floor(run / 2));
  for (let j0 = 0; j0 < eventDocs; j0 += perRun) {
    const items: { bytes: Uint8Array }[] = [];
    const docOf: string[] = [];
    for (let j = j0; j < Math.min(eventDocs, j0 + perRun); j++) {
      const i = j * stride;
      for (const e of eventsOf(j)) {
        const event = checkEvent(e.kind, e.fields) as EntryEvent;
        // An event copies the digest, size and hashedBy of the deposit it concerns, and names it as prev.
        items.push({ bytes: builderOf(e.kind).build({ digest: { sha256: sha[i]! }, size: 1000 + i, event, prev: docs[i]!, hashedBy: 'client' }).bytes });
        docOf.push(docs[i]!);
      }
    }
    const prepared = await writes.prepare(tenant.id, items, docOf);
    // The locks are held until the run has settled, as the service does; runs touch disjoint documents.
    await throttle(ledger.appendRun(items.map((x) => x.bytes), { leafKeys: prepared.leafKeys, records: prepared.records }).finally(prepared.release));
    plan.progress?.(plan.deposits + Math.min(plan.events, (j0 + perRun) * 2), total);
  }
  await Promise.all(pending);
  await ledger.flush();
  const eventMs = performance.now() - t1;

  const expect = { status: { unclassified: plan.deposits - eventDocs } as Record<string, number>, level: {} as Record<string, number>, label: {} as Record<string, number> };
  for (let j = 0; j < eventDocs; j++) {
    const s = statusOf(j);
    expect.status[s] = (expect.status[s] ?? 0) + 1;
    const level = DEFAULT_LEVELS[j % DEFAULT_LEVELS.length]!;
    expect.level[level] = (expect.level[level] ?? 0) + 1;
  }
  for (let i = 0; i < plan.deposits; i++) expect.label[`L${i % LABELS}`] = (expect.label[`L${i % LABELS}`] ?? 0) + 1;
  return { docs, expect, depositMs, eventMs };
}

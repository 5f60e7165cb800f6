/**
 * The inventory service against a naive reference: every document of the tenant (found by scanning every
 * entry of the ledger, not through the document index), its state as the document index reads it, filtered
 * by reading each filter literally. Pages are walked with several page sizes and examination bounds: their
 * rows together must be the reference, in root order, each page within its bounds. Also the CSV and its cap,
 * the clock of expiry, another tenant's documents, and a damaged state record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { toHex } from '../../src/crypto/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { inventoryCsv, inventoryRow, type InventoryRow } from '../../src/lifecycle/index.js';
import { closeService, openService } from '../../src/service/open.js';
import type { ServiceContext } from '../../src/service/context.js';
import { Inventory } from '../../src/service/inventory.js';
import { Events } from '../../src/service/events.js';
import { matchesFilter, parseInventoryQuery, type InventoryFilter } from '../../src/service/inventory-query.js';
import { buildInventoryStore, FUTURE_PERIOD, PAST_PERIOD, type BuiltStore } from '../../bench/inventory-store.js';

let dir: string;
let ctx: ServiceContext;
let tenant: string;
let built: BuiltStore;
const NOW = new Date();

async function referenceRows(ledger: ServiceContext['ledger'], tenantId: string, now: Date): Promise<InventoryRow[]> {
  const roots: string[] = [];
  await ledger.records.scanEntries(0, ledger.treeSize, (chunk) => {
    for (const [, bytes] of chunk) {
      const e = parseEntry(bytes);
      if (e.tenant === tenantId && e.kind === 'deposit' && e.prev === undefined) roots.push(toHex(hashLeaf(bytes).subarray(0, 16)));
    }
  });
  const rows: InventoryRow[] = [];
  for (const doc of roots) rows.push(inventoryRow((await ledger.documents.state(tenantId, doc))!, now));
  return rows;
}

function naive(rows: InventoryRow[], f: InventoryFilter): InventoryRow[] {
  return rows.filter((r) => matchesFilter({ status: r.status, level: r.level, labels: r.labels, lastTime: r.lastEventTime }, f));
}

async function walk(inv: Inventory, raw: Record<string, string>, limit: number, maxExamined: number): Promise<{ rows: InventoryRow[]; pages: number }> {
  const rows: InventoryRow[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const q = parseInventoryQuery(tenant, { ...raw, limit: String(limit), ...(cursor === undefined ? {} : { cursor }) });
    const p = await inv.page(tenant, q);
    pages++;
    expect(p.rows.length).toBeLessThanOrEqual(limit);
    expect(p.examined).toBeLessThanOrEqual(maxExamined);
    // A short page with more to come only when the examination bound was reached.
    if (p.next !== null && p.rows.length < limit) expect(p.examined).toBe(maxExamined);
    rows.push(...p.rows);
    if (p.next === null) return { rows, pages };
    expect(pages).toBeLessThan(10_000);
    cursor = p.next;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-inventory-'));
  ctx = await openService({ dataDir: dir, origin: 'test.example/inventory', adminToken: 'inventory-test-admin-token-0123456789' });
  const a = await ctx.tenants.create({ name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') });
  const b = await ctx.tenants.create({ name: 'Other Co.', uscc: completeUscc('9111000060003734') });
  tenant = a.tenant.id;
  built = await buildInventoryStore(ctx.ledger, a.tenant, a.officer, { deposits: 400, events: 160, run: 60 });
  // Another tenant's documents, and the tenant's own deposits and a new version through the service.
  await buildInventoryStore(ctx.ledger, b.tenant, b.officer, { deposits: 50, events: 20 });
  const more = await ctx.deposits.depositBatch(a.tenant, [{ sha256: 'a'.repeat(64), meta: { title: '配方', labels: ['新'] } }, { sha256: 'b'.repeat(64) }]);
  await ctx.deposits.deposit(a.tenant, { sha256: 'c'.repeat(64), prev: more[0]!.receipt.id, meta: { title: '配方 v2' } });
}, 120_000);

afterAll(async () => {
  await closeService(ctx);
  rmSync(dir, { recursive: true, force: true });
});

describe('the inventory against a naive reference', () => {
  const filters: Record<string, string>[] = [
    {}, { status: 'unclassified' }, { status: 'classified' }, { status: 'expired' }, { status: 'declassified' }, { status: 'destroyed' },
    { level: '核心商密' }, { level: '普通商密', status: 'expired' }, { level: 'unknown' }, { label: 'L3' }, { label: '新' }, { label: 'L3', status: 'classified' },
  ];

  it('holds the counts the store was built for', async () => {
    const all = await referenceRows(ctx.ledger, tenant, NOW);
    expect(all.length).toBe(400 + 2);
    const count = (f: (r: InventoryRow) => boolean): number => all.filter(f).length;
    for (const [s, n] of Object.entries(built.expect.status)) expect(count((r) => r.status === s), s).toBe(n + (s === 'unclassified' ? 2 : 0));
    for (const [l, n] of Object.entries(built.expect.level)) expect(count((r) => r.level === l), l).toBe(n);
    const v2 = all.find((r) => r.title === '配方 v2');
    expect(v2?.versions).toBe(2);
    expect(v2?.labels).toEqual([]);
  });

  it.each(filters)('%j: every page size and bound gives the reference, in root order', async (raw) => {
    const want = naive(await referenceRows(ctx.ledger, tenant, NOW), parseInventoryQuery(tenant, raw).filter);
    for (const [limit, maxExamined] of [[1, 37], [7, 37], [100, 37], [500, 5000], [3, 1]] as const) {
      const got = await walk(new Inventory(ctx.ledger, { now: () => NOW, maxExamined }), raw, limit, maxExamined);
      expect(got.rows, `limit ${limit}, bound ${maxExamined}`).toEqual(want);
    }
  });

  it('filters on the last event time: since inclusive, until exclusive', async () => {
    const all = await referenceRows(ctx.ledger, tenant, NOW);
    const times = [...new Set(all.map((r) => r.lastEventTime))].sort();
    const since = times[Math.floor(times.length / 3)]!;
    const until = times[Math.floor((2 * times.length) / 3)]!;
    const want = all.filter((r) => r.lastEventTime >= since && r.lastEventTime < until);
    expect(want.length).toBeGreaterThan(0);
    const got = await walk(new Inventory(ctx.ledger, { now: () => NOW, maxExamined: 50 }), { since, until }, 20, 50);
    expect(got.rows).toEqual(want);
  });

  it('reads expiry against its clock: a past period is in force before its day, expired after', async () => {
    const before = new Inventory(ctx.ledger, { now: () => new Date('2020-12-31T15:59:59.999Z') });
    const after = new Inventory(ctx.ledger, { now: () => new Date('2020-12-31T16:00:00.000Z') });
    const q = parseInventoryQuery(tenant, { status: 'expired', limit: '500' });
    expect((await before.page(tenant, q)).rows).toEqual([]);
    const expired = (await after.page(tenant, q)).rows;
    expect(expired.length).toBe(built.expect.status.expired);
    expect(expired.every((r) => r.period === PAST_PERIOD && r.expiry === PAST_PERIOD)).toBe(true);
    const future = (await after.page(tenant, parseInventoryQuery(tenant, { status: 'classified', limit: '500' }))).rows;
    expect(future.some((r) => r.period === FUTURE_PERIOD)).toBe(true);
    expect(future.some((r) => r.period === '长期' && r.expiry === undefined)).toBe(true);
  });

  it("never shows another tenant's documents", async () => {
    const all = await walk(new Inventory(ctx.ledger, { now: () => NOW }), {}, 500, 5000);
    const mine = new Set((await referenceRows(ctx.ledger, tenant, NOW)).map((r) => r.doc));
    expect(all.rows.every((r) => mine.has(r.doc))).toBe(true);
  });
});

describe('the CSV', () => {
  it('is inventoryCsv of every row, and stops at its cap with the cursor of the rest', async () => {
    const all = await referenceRows(ctx.ledger, tenant, NOW);
    const whole = await new Inventory(ctx.ledger, { now: () => NOW }).csv(tenant, parseInventoryQuery(tenant, { lang: 'en' }));
    expect(whole).toEqual({ text: inventoryCsv(all, { header: true, lang: 'en' }), rows: all.length, examined: all.length, next: null });
    const capped = new Inventory(ctx.ledger, { now: () => NOW, csvMaxRows: 150, maxExamined: 40 });
    const parts: InventoryRow[][] = [];
    let cursor: string | undefined;
    let guard = 0;
    for (;;) {
      const q = parseInventoryQuery(tenant, { status: 'unclassified', ...(cursor === undefined ? {} : { cursor }) });
      const part = await capped.csv(tenant, q);
      expect(part.rows).toBeLessThanOrEqual(150);
      expect(part.text.startsWith('\ufeff')).toBe(true);
      const lines = part.text.split('\r\n').filter((l) => l !== '');
      expect(lines.length).toBe(part.rows + 1);
      parts.push(all.filter((r) => lines.slice(1).some((l) => l.startsWith(`${r.doc},`))));
      if (part.next === null) break;
      cursor = part.next;
      expect(++guard).toBeLessThan(100);
    }
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat()).toEqual(all.filter((r) => r.status === 'unclassified'));
  });
});

describe('a damaged state record', () => {
  it('is STORE_CORRUPT, never a row', async () => {
    const all = await referenceRows(ctx.ledger, tenant, NOW);
    const victim = all.find((r) => r.events > 0)!;
    const key = ctx.ledger.documents.stateKey(tenant, victim.doc);
    const good = Uint8Array.from((await ctx.ledger.records.get(key))!);
    const bad = Uint8Array.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 0x01;
    await ctx.ledger.records.put([[key, bad]]);
    try {
      await expect(walk(new Inventory(ctx.ledger, { now: () => NOW }), {}, 500, 5000)).rejects.toMatchObject({ code: 'STORE_CORRUPT', details: { problem: 'DOC_STATE_CORRUPT' } });
    } finally {
      await ctx.ledger.records.put([[key, good]]);
    }
    expect((await walk(new Inventory(ctx.ledger, { now: () => NOW }), {}, 500, 5000)).rows).toEqual(all);
  });
});

describe('documents that get a state after the first filtered query', () => {
  it('show up in the next one (the index of documents with a state follows the ledger)', async () => {
    const inv = new Inventory(ctx.ledger, { now: () => NOW });
    const q = parseInventoryQuery(tenant, { level: '重要商密', limit: '500' });
    const before = (await walk(inv, { level: '重要商密' }, 500, 5000)).rows.map((r) => r.doc);
    const fresh = (await referenceRows(ctx.ledger, tenant, NOW)).filter((r) => r.events === 0 && r.versions === 1).slice(0, 3);
    const t = ctx.tenants.get(tenant)!;
    const events = new Events(ctx.deposits, (id) => ctx.tenants.levels(id));
    for (const r of fresh) await events.record(t, undefined, r.doc, { kind: 'classify', level: '重要商密', period: '长期' });
    // A new version of one of them, then an event on the new version: still one document.
    const v2 = await ctx.deposits.deposit(t, { sha256: 'd'.repeat(64), prev: fresh[0]!.doc });
    await events.record(t, undefined, v2.receipt.id, { kind: 'reclassify', period: FUTURE_PERIOD });
    const after = (await inv.page(tenant, q)).rows;
    const want = naive(await referenceRows(ctx.ledger, tenant, NOW), q.filter);
    expect(after).toEqual(want);
    expect(after.map((r) => r.doc).filter((d) => !before.includes(d)).sort()).toEqual(fresh.map((r) => r.doc).sort());
    expect(after.find((r) => r.doc === fresh[0]!.doc)).toMatchObject({ versions: 2, period: FUTURE_PERIOD, lastEvent: 'reclassify' });
  });
});

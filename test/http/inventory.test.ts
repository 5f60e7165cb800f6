/**
 * GET /v1/inventory over HTTP: who may read it (officer and viewer; a depositor 403), the JSON page as the
 * service wrote it (every member of every row survives the reply's serializer), cursors walked to the end,
 * the CSV (headers, BOM, the same bytes as inventoryCsv, English on ?lang=en, Cunzheng-Next at its cap), the
 * Accept header read with its qualities, and every hostile query answered 400 with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryCsv, type InventoryRow } from '../../src/lifecycle/index.js';
import { Inventory } from '../../src/service/inventory.js';
import { parseInventoryQuery } from '../../src/service/inventory-query.js';
import { USCC_A, USCC_B, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;
const keys: Record<string, { authorization: string }> = {};
const ids: string[] = [];

async function post(url: string, auth: { authorization: string }, payload: unknown): Promise<Record<string, unknown>> {
  const res = await s.app.inject({ method: 'POST', url, headers: auth, payload: payload as Record<string, unknown> });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as Record<string, unknown>;
}

async function get(url: string, headers: Record<string, string>) {
  return s.app.inject({ method: 'GET', url, headers });
}

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '示例新能源科技有限公司', USCC_A);
  b = await createTenant(s.app, 'Other Co.', USCC_B);
  keys.officer = a.auth;
  for (const role of ['viewer', 'depositor'] as const) {
    const u = await post('/v1/users', a.auth, { role });
    keys[role] = { authorization: `Bearer ${String(u.apiKey)}` };
  }
  for (let i = 0; i < 7; i++) {
    const r = await post('/v1/deposits', a.auth, { sha256: digestOf(`inv ${i}`), meta: { title: i === 3 ? '=cmd|配方,"甲"' : `配方 ${i}`, labels: [i % 2 ? '研发' : '生产'] } });
    ids.push(String(r.id));
  }
  await post(`/v1/deposits/${ids[1]}/events`, a.auth, { kind: 'classify', level: '核心商密', period: '长期' });
  await post(`/v1/deposits/${ids[1]}/events`, a.auth, { kind: 'access-grant', who: 'E0042', role: '工程师' });
  await post(`/v1/deposits/${ids[2]}/events`, a.auth, { kind: 'classify', level: '普通商密', period: '2020-01-31' });
  await post(`/v1/deposits/${ids[4]}/events`, a.auth, { kind: 'destroy', reason: '到期', method: '粉碎' });
  await post('/v1/deposits', b.auth, { sha256: digestOf('other tenant') });
}, 60_000);

afterAll(async () => s?.close());

describe('who may read the inventory', () => {
  it('answers the officer and a viewer, refuses a depositor (403 ROLE_FORBIDDEN) and no key (401)', async () => {
    for (const role of ['officer', 'viewer']) expect((await get('/v1/inventory', keys[role]!)).statusCode, role).toBe(200);
    expectErrorBody(await get('/v1/inventory', keys.depositor!), 403, 'ROLE_FORBIDDEN');
    expectErrorBody(await get('/v1/inventory?accept=csv', keys.depositor!), 403, 'ROLE_FORBIDDEN');
    expectErrorBody(await get('/v1/inventory', { accept: 'text/csv' }), 401, 'UNAUTHORIZED');
  });
});

describe('the JSON page', () => {
  it('is the service page, member for member, never cached, and only the tenant\'s documents', async () => {
    const res = await get('/v1/inventory', a.auth);
    expect(res.headers['cache-control']).toBe('no-store');
    const page = res.json() as { rows: InventoryRow[]; examined: number; next: string | null };
    const want = await s.ctx.inventory.page(a.id, parseInventoryQuery(a.id, {}));
    expect(page).toEqual(JSON.parse(JSON.stringify(want)));
    expect(page.rows.map((r) => r.doc)).toEqual(ids);
    expect(page).toMatchObject({ examined: 7, next: null });
    const one = page.rows[1]!;
    expect(one).toMatchObject({ status: 'classified', level: '核心商密', period: '长期', peopleCount: 1, people: ['E0042'], lastEvent: 'access-grant', events: 2, labels: ['研发'] });
    expect(page.rows[2]).toMatchObject({ status: 'expired', expiry: '2020-01-31' });
    expect(page.rows[4]).toMatchObject({ status: 'destroyed' });
    const bPage = (await get('/v1/inventory', b.auth)).json() as { rows: InventoryRow[] };
    expect(bPage.rows.length).toBe(1);
  });

  it('walks pages of any size to the same rows', async () => {
    const all = ((await get('/v1/inventory', a.auth)).json() as { rows: InventoryRow[] }).rows;
    for (const limit of [1, 2, 3, 6]) {
      const rows: InventoryRow[] = [];
      let url = `/v1/inventory?limit=${limit}`;
      for (let n = 0; n < 20; n++) {
        const p = (await get(url, a.auth)).json() as { rows: InventoryRow[]; next: string | null };
        rows.push(...p.rows);
        if (p.next === null) break;
        url = `/v1/inventory?limit=${limit}&cursor=${encodeURIComponent(p.next)}`;
      }
      expect(rows, `limit ${limit}`).toEqual(all);
    }
  });

  it('filters', async () => {
    const docsOf = async (q: string): Promise<string[]> => ((await get(`/v1/inventory?${q}`, a.auth)).json() as { rows: InventoryRow[] }).rows.map((r) => r.doc);
    expect(await docsOf('status=classified')).toEqual([ids[1]]);
    expect(await docsOf('status=expired')).toEqual([ids[2]]);
    expect(await docsOf(`level=${encodeURIComponent('普通商密')}`)).toEqual([ids[2]]);
    expect(await docsOf(`label=${encodeURIComponent('研发')}`)).toEqual([ids[1], ids[3], ids[5]]);
    expect(await docsOf('status=unclassified&limit=2')).toEqual([ids[0], ids[3]]);
    expect(await docsOf('since=2999-01-01T00:00:00Z')).toEqual([]);
  });
});

describe('the CSV', () => {
  it('is inventoryCsv of every row, UTF-8 with BOM, as an attachment', async () => {
    const rows = ((await get('/v1/inventory', a.auth)).json() as { rows: InventoryRow[] }).rows;
    for (const [q, lang] of [['', 'zh'], ['?lang=en', 'en']] as const) {
      const res = await get(`/v1/inventory${q}`, { ...a.auth, accept: 'text/csv' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="inventory.csv"');
      expect(res.headers['cunzheng-next']).toBeUndefined();
      expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      // Rows of a page a moment ago and the CSV now differ only in nothing (no event in between).
      expect(res.body).toBe(inventoryCsv(rows, { header: true, lang }));
    }
    const csv = (await get('/v1/inventory', { ...a.auth, accept: 'text/csv' })).body;
    expect(csv).toContain(`"'=cmd|配方,""甲"""`);
  });

  it('reads Accept with its qualities', async () => {
    const type = async (accept: string): Promise<string> => String((await get('/v1/inventory', { ...a.auth, accept })).headers['content-type']);
    expect(await type('text/csv')).toMatch(/^text\/csv/);
    expect(await type('application/json;q=0.5, text/csv')).toMatch(/^text\/csv/);
    expect(await type('text/csv;q=0, application/json')).toMatch(/^application\/json/);
    expect(await type('application/json, text/csv;q=0.9')).toMatch(/^application\/json/);
    expect(await type('*/*')).toMatch(/^application\/json/);
    expect(await type('TEXT/CSV; charset=utf-8')).toMatch(/^text\/csv/);
  });

  it('stops at its cap and says where the rest starts (Cunzheng-Next)', async () => {
    const real = s.ctx.inventory;
    s.ctx.inventory = new Inventory(s.ctx.ledger, { csvMaxRows: 3 });
    try {
      const lines: string[] = [];
      let url = '/v1/inventory';
      for (let n = 0; n < 10; n++) {
        const res = await get(url, { ...a.auth, accept: 'text/csv' });
        expect(Number(res.headers['cunzheng-rows'])).toBeLessThanOrEqual(3);
        lines.push(...res.body.split('\r\n').slice(1).filter((l) => l !== ''));
        const next = res.headers['cunzheng-next'];
        if (next === undefined) break;
        url = `/v1/inventory?cursor=${encodeURIComponent(String(next))}`;
      }
      expect(lines.map((l) => l.slice(0, 32))).toEqual(ids);
    } finally {
      s.ctx.inventory = real;
    }
  });
});

describe('hostile queries', () => {
  it.each([
    ['status=secret', 'INVENTORY_BAD_FILTER'], ['limit=0', 'INVENTORY_BAD_FILTER'], ['limit=501', 'INVENTORY_BAD_FILTER'], ['level=a&level=b', 'INVENTORY_BAD_FILTER'],
    ['since=yesterday', 'INVENTORY_BAD_FILTER'], ['lang=fr', 'INVENTORY_BAD_FILTER'], ['x=1', 'INVENTORY_BAD_FILTER'], [`label=${'x'.repeat(1100)}`, 'INVENTORY_BAD_FILTER'],
    ['cursor=abc', 'INVENTORY_BAD_CURSOR'], [`cursor=${'A'.repeat(23)}`, 'INVENTORY_BAD_CURSOR'],
  ])('?%s → 400 %s (JSON and CSV alike)', async (q, code) => {
    expectErrorBody(await get(`/v1/inventory?${q}`, a.auth), 400, code);
    expectErrorBody(await get(`/v1/inventory?${q}`, { ...a.auth, accept: 'text/csv' }), 400, code);
  });

  it("refuses a cursor handed to another tenant, or with other filters", async () => {
    const p = (await get('/v1/inventory?limit=1', a.auth)).json() as { next: string };
    expectErrorBody(await get(`/v1/inventory?limit=1&cursor=${encodeURIComponent(p.next)}`, b.auth), 400, 'INVENTORY_BAD_CURSOR');
    expectErrorBody(await get(`/v1/inventory?limit=1&status=classified&cursor=${encodeURIComponent(p.next)}`, a.auth), 400, 'INVENTORY_BAD_CURSOR');
    expect((await get(`/v1/inventory?limit=5&cursor=${encodeURIComponent(p.next)}`, a.auth)).statusCode).toBe(200);
  });
});

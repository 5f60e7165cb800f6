/**
 * GET /v1/deposits/:id/history: every version and event of the document, in ledger order, each with a
 * receipt that verifies, the state on top; pages by cursor; from any entry of the document; a depositor's
 * only for a document one of their own entries belongs to; another tenant's: 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { createTenant, expectErrorBody, openTestService, USCC_A, USCC_B, type TestService, type TestTenant } from './helpers.js';
import { deposit, recorded, userOf, type Auth } from './events-helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;
let root: Receipt;
const chain: Receipt[] = [];

interface Page { doc: string; state: Record<string, unknown>; items: { id: string; leafIndex: number; kind: string; operator: string; receipt: Receipt }[]; cursor?: string }

async function page(auth: Auth, id: string, query = ''): Promise<Page> {
  const res = await s.app.inject({ method: 'GET', url: `/v1/deposits/${id}/history${query}`, headers: auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
}

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '长沙示例科技有限公司', USCC_A);
  b = await createTenant(s.app, '北京示例有限公司', USCC_B);
  root = await deposit(s.app, a.auth, 'hist-root', { meta: { title: '配方' } });
  chain.push(root);
  chain.push(await recorded(s.app, a.auth, root.id, { kind: 'classify', level: '核心商密', period: '2020-01-01' }));
  chain.push(await recorded(s.app, a.auth, root.id, { kind: 'access-grant', who: 'E1001', role: 'chemist' }));
  await deposit(s.app, a.auth, 'hist-unrelated');
  const v2 = await deposit(s.app, a.auth, 'hist-v2', { prev: root.id });
  chain.push(v2);
  chain.push(await recorded(s.app, a.auth, v2.id, { kind: 'conceal', measures: ['encryption'] }));
});
afterAll(() => s.close());

describe('a document\'s history', () => {
  it('lists its versions and events in ledger order, each receipt verifying, with the state', async () => {
    const p = await page(a.auth, root.id);
    expect(p.doc).toBe(root.id);
    expect(p.items.map((i) => i.id)).toEqual(chain.map((r) => r.id));
    expect(p.items.map((i) => i.kind)).toEqual(['deposit', 'classify', 'access-grant', 'deposit', 'conceal']);
    const leaves = p.items.map((i) => i.leafIndex);
    expect([...leaves].sort((x, y) => x - y)).toEqual(leaves);
    for (const item of p.items) expect((await verifyReceipt(item.receipt, [s.ctx.ledger.verifierKey])).id).toBe(item.id);
    expect(p.state).toMatchObject({ status: 'classified', display: 'expired', expiry: '2020-01-01', versions: 2, events: 3, measures: ['encryption'] });
    expect(p.cursor).toBeUndefined();
  });

  it('is the same from any entry of the document (a version, an event)', async () => {
    for (const r of chain.slice(1)) expect((await page(a.auth, r.id)).items.map((i) => i.id)).toEqual(chain.map((c) => c.id));
  });

  it('pages with cursor and limit, never repeating or skipping', async () => {
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const p: Page = await page(a.auth, root.id, `?limit=${limit}${cursor === undefined ? '' : `&cursor=${cursor}`}`);
        expect(p.items.length).toBeLessThanOrEqual(limit);
        seen.push(...p.items.map((x) => x.id));
        if (p.cursor === undefined) break;
        cursor = p.cursor;
      }
      expect(seen).toEqual(chain.map((c) => c.id));
    }
    for (const q of ['?limit=0', '?limit=101', '?cursor=-1', '?cursor=x', '?other=1']) {
      expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits/${root.id}/history${q}`, headers: a.auth }), 400);
    }
  });

  it("answers another tenant's document, an unknown id, and a depositor's view of others' as 404", async () => {
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits/${root.id}/history`, headers: b.auth }), 404, 'NOT_FOUND');
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits/${'0'.repeat(32)}/history`, headers: a.auth }), 404, 'NOT_FOUND');
    const dep = await userOf(s.app, a, 'depositor');
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits/${root.id}/history`, headers: dep.auth }), 404, 'NOT_FOUND');
    // The depositor's own new version: the document's life is theirs to read.
    const mine = await deposit(s.app, dep.auth, 'hist-dep-v3', { prev: chain[3]!.id });
    const p = await page(dep.auth, mine.id);
    expect(p.doc).toBe(root.id);
    expect(p.items.at(-1)).toMatchObject({ id: mine.id, operator: dep.id });
    const viewer = await userOf(s.app, a, 'viewer');
    expect((await page(viewer.auth, root.id)).items.length).toBe(chain.length + 1);
  });
});

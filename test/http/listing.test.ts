/**
 * GET /v1/deposits?since=&until=&cursor=&limit=: the tenant's deposits newest first (never its events, never
 * another tenant's), paged without repeats or gaps, cut by time; a depositor sees only their own; ?sha256=
 * keeps its meaning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../src/receipt/index.js';
import { foundingOfficerId } from '../../src/service/users.js';
import { createTenant, digestOf, expectErrorBody, openTestService, USCC_A, USCC_B, type TestService, type TestTenant } from './helpers.js';
import { deposit, entryOf, recorded, userOf, type Auth } from './events-helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;
const mine: Receipt[] = [];
let dep: { id: string; auth: Auth };
const depOwn: Receipt[] = [];

interface Row { id: string; leafIndex: number; kind: string; time: string; operator: string; sha256: string; title?: string }
interface Page { deposits: Row[]; cursor?: string }

async function list(auth: Auth, query = ''): Promise<Page> {
  const res = await s.app.inject({ method: 'GET', url: `/v1/deposits${query}`, headers: auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
}

async function all(auth: Auth, query: string, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const p = await list(auth, `?limit=${limit}${query}${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    rows.push(...p.deposits);
    if (p.cursor === undefined) return rows;
    cursor = p.cursor;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '长沙示例科技有限公司', USCC_A);
  b = await createTenant(s.app, '北京示例有限公司', USCC_B);
  dep = await userOf(s.app, a, 'depositor');
  for (let i = 0; i < 7; i++) {
    mine.push(await deposit(s.app, a.auth, `list-${i}`, i === 2 ? { meta: { title: '工艺' } } : {}));
    await deposit(s.app, b.auth, `list-b-${i}`);
    if (i % 3 === 0) depOwn.push(await deposit(s.app, dep.auth, `list-dep-${i}`));
  }
  await recorded(s.app, a.auth, mine[0]!.id, { kind: 'conceal', measures: ['marking'] });
});
afterAll(() => s.close());

describe('the newest-first listing', () => {
  it("lists the tenant's deposits newest first with their rows, never events or another tenant's", async () => {
    const p = await list(a.auth);
    const expected = [...mine, ...depOwn].sort((x, y) => y.index - x.index);
    expect(p.deposits.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(p.cursor).toBeUndefined();
    const r2 = p.deposits.find((r) => r.id === mine[2]!.id)!;
    expect(r2).toEqual({ id: mine[2]!.id, leafIndex: mine[2]!.index, kind: 'deposit', time: entryOf(mine[2]!).time, operator: foundingOfficerId(a.id), sha256: digestOf('list-2'), title: '工艺' });
  });

  it('pages without repeats or gaps, whatever the page size', async () => {
    const whole = (await list(a.auth)).deposits.map((r) => r.id);
    for (const limit of [1, 2, 4]) expect((await all(a.auth, '', limit)).map((r) => r.id)).toEqual(whole);
  });

  it('cuts by since and until (inclusive)', async () => {
    const rows = (await list(a.auth)).deposits;
    const times = rows.map((r) => r.time);
    const mid = times[Math.floor(times.length / 2)]!;
    const since = (await list(a.auth, `?since=${mid}`)).deposits;
    expect(since.map((r) => r.id)).toEqual(rows.filter((r) => r.time >= mid).map((r) => r.id));
    const until = (await list(a.auth, `?until=${mid}`)).deposits;
    expect(until.map((r) => r.id)).toEqual(rows.filter((r) => r.time <= mid).map((r) => r.id));
    expect((await list(a.auth, '?until=2000-01-01')).deposits).toEqual([]);
    for (const q of ['?since=yesterday', '?since=2026-02-30', `?since=2030-01-01&until=2020-01-01`]) {
      expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits${q}`, headers: a.auth }), 400, 'LISTING_BAD_QUERY');
    }
  });

  it('shows a depositor only their own; ?sha256= of another\'s deposit is 404 to them', async () => {
    expect((await all(dep.auth, '', 2)).map((r) => r.id)).toEqual([...depOwn].reverse().map((r) => r.id));
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digestOf('list-1')}`, headers: dep.auth }), 404, 'NOT_FOUND');
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits/${mine[1]!.id}`, headers: dep.auth }), 404, 'NOT_FOUND');
    const own = await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digestOf('list-dep-0')}`, headers: dep.auth });
    expect((own.json() as Receipt).id).toBe(depOwn[0]!.id);
    const viewer = await userOf(s.app, a, 'viewer');
    expect((await list(viewer.auth)).deposits.length).toBe(mine.length + depOwn.length);
  });
});

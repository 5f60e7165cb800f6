/**
 * Tenant isolation: a tenant sees only its own deposits (another tenant's id or digest is a 404, exactly
 * like an unknown one), credentials are never interchangeable, and the public routes carry no tenant data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../src/receipt/index.js';
import { fromHex, utf8 } from '../../src/crypto/index.js';
import { ADMIN_TOKEN, USCC_A, USCC_B, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;
const aDigests = [digestOf('A secret merger agreement'), digestOf('A payroll')];
let aReceipts: Receipt[];

beforeAll(async () => {
  // Every credential case below is a failed authentication from one address: beyond the default 30 a
  // minute they would be 429 (auth-limits.test.ts tests that limit).
  s = await openTestService({ docs: true, authFailuresPerWindow: 1_000_000 });
  a = await createTenant(s.app, '甲方保密科技有限公司', USCC_A);
  b = await createTenant(s.app, '乙方 Competitor Ltd.', USCC_B);
  const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { items: aDigests.map((sha256) => ({ sha256, meta: { title: 'A-only title' } })) } });
  expect(res.statusCode).toBe(201);
  aReceipts = res.json().receipts;
  // Enough entries for a full tile, so the public tile routes have something to show.
  const more = Array.from({ length: 300 }, (_, i) => ({ sha256: digestOf(`A filler ${i}`) }));
  expect((await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { items: more } })).statusCode).toBe(201);
});
afterAll(async () => s?.close());

/** Every spelling of A's data that must never reach B or the public. */
function aSecrets(): string[] {
  return [a.id, a.name, a.apiKey, ...aDigests, ...aReceipts.map((r) => r.id), ...aReceipts.map((r) => r.entry), 'A-only title'];
}

function expectNoSecrets(body: Buffer | string, where: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  for (const secret of aSecrets()) expect(bytes.includes(Buffer.from(utf8(secret))), `${where} contains ${secret.slice(0, 40)}`).toBe(false);
  for (const d of aDigests) expect(bytes.includes(Buffer.from(fromHex(d, 32))), `${where} contains a raw digest`).toBe(false);
}

describe('when tenant B presents tenant A\'s ids and digests', () => {
  it('answers 404 on every tenant route, exactly as for unknown ones, and shows nothing of A', async () => {
    const [r0] = aReceipts;
    const size = s.ctx.ledger.treeSize;
    const attempts = [
      { method: 'GET' as const, url: `/v1/deposits/${r0!.id}` },
      { method: 'GET' as const, url: `/v1/deposits?sha256=${aDigests[0]}` },
      { method: 'POST' as const, url: '/v1/deposits', payload: { sha256: digestOf('B new'), prev: r0!.id } },
      { method: 'POST' as const, url: '/v1/deposits', payload: { items: [{ sha256: digestOf('B new 2'), prev: r0!.id }] } },
      { method: 'POST' as const, url: `/v1/documents?prev=${r0!.id}`, payload: 'B document', headers: { 'content-type': 'text/plain' } },
    ];
    for (const { headers, ...req } of attempts) {
      const res = await s.app.inject({ ...req, headers: { ...headers, ...b.auth } });
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(404);
      expectErrorBody(res);
      expectNoSecrets(res.body, `${req.method} ${req.url}`);
      // The same request with an id nobody holds answers the same way.
      const unknownId = '00112233445566778899aabbccddeeff';
      const twin = await s.app.inject({
        ...req,
        url: req.url.replace(r0!.id, unknownId).replace(aDigests[0]!, digestOf('nobody')),
        ...(req.payload === undefined || typeof req.payload === 'string' ? {} : { payload: JSON.parse(JSON.stringify(req.payload).replace(r0!.id, unknownId)) }),
        headers: { ...headers, ...b.auth },
      });
      expect(twin.statusCode).toBe(404);
      expect(twin.json().code).toBe(res.json().code);
      expect(twin.json().message).toBe(res.json().message);
    }
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('still lets A read its own deposit (which the secret check does catch)', async () => {
    const res = await s.app.inject({ method: 'GET', url: `/v1/deposits/${aReceipts[0]!.id}`, headers: a.auth });
    expect(res.statusCode).toBe(200);
    expect(() => expectNoSecrets(res.body, 'A reading its own deposit')).toThrow();
  });

  it('gives B its own receipt, never A\'s, when B deposits A\'s digest', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: b.auth, payload: { sha256: aDigests[1] } });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(aReceipts[1]!.id);
    expect(res.body.includes(a.id)).toBe(false);
    expect(res.body.includes('A-only title')).toBe(false);
  });
});

describe('when credentials are missing, malformed or of the wrong kind', () => {
  const tenantRoutes = [
    { method: 'POST' as const, url: '/v1/deposits', payload: { sha256: digestOf('unauth') } },
    { method: 'POST' as const, url: '/v1/documents', payload: 'doc', headers: { 'content-type': 'text/plain' } },
    { method: 'GET' as const, url: '/v1/deposits/00112233445566778899aabbccddeeff' },
    { method: 'GET' as const, url: `/v1/deposits?sha256=${digestOf('unauth')}` },
  ];

  it('answers 401 on every tenant route and writes nothing', async () => {
    const size = s.ctx.ledger.treeSize;
    const bad: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: a.apiKey },
      { authorization: `bearer ${a.apiKey}` },
      { authorization: `Basic ${a.apiKey}` },
      { authorization: `Bearer  ${a.apiKey}` },
      { authorization: `Bearer ${a.apiKey} ` },
      { authorization: `Bearer ${a.apiKey}x` },
      { authorization: `Bearer ${a.apiKey.slice(0, -1)}` },
      { authorization: `Bearer czk_${'A'.repeat(43)}` },
      { authorization: `Bearer ${a.apiKey}${'x'.repeat(600)}` },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
    ];
    for (const route of tenantRoutes) {
      for (const auth of bad) {
        const res = await s.app.inject({ ...route, headers: { ...route.headers, ...auth } });
        expectErrorBody(res, 401, 'UNAUTHORIZED');
        expect(res.body.includes(a.apiKey)).toBe(false);
      }
    }
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('answers 401 on the admin route for a tenant key', async () => {
    const before = s.ctx.tenants.count;
    for (const t of [a, b]) {
      const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: t.auth, payload: { name: 'Self-made Co.', uscc: USCC_A } });
      expectErrorBody(res, 401, 'UNAUTHORIZED');
    }
    expect(s.ctx.tenants.count).toBe(before);
  });
});

describe('when anyone reads the public routes', () => {
  it('sees tiles, proofs and checkpoints only: no tenant id, name, key or digest', async () => {
    const n = s.ctx.ledger.treeSize;
    const urls = [
      '/checkpoint',
      '/v1/log',
      `/v1/checkpoints/${n}`,
      '/v1/checkpoints/0',
      `/v1/proof/inclusion?index=0&size=${n}`,
      `/v1/proof/inclusion?index=1&size=${n}`,
      `/v1/proof/consistency?from=1&to=${n}`,
      '/tile/0/000',
      `/tile/0/001.p/${n - 256}`,
      '/tile/1/000.p/1',
      '/healthz',
      '/metrics',
      '/docs/json',
      '/v1/nothing-here',
    ];
    for (const url of urls) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(url === '/v1/nothing-here' ? 500 : 300);
      expectNoSecrets(res.rawPayload, url);
    }
  });
});

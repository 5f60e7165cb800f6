/**
 * The deposit API through `app.inject`: tenants created by the admin, single and batch deposits answered
 * with receipts that verify offline with the core verifier, idempotency (also under concurrency), `prev`
 * links, and lookups refreshed to the newest checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { fromBase64, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { ADMIN_TOKEN, USCC_A, USCC_B, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '长沙示例科技有限公司', USCC_A);
  b = await createTenant(s.app, 'Beijing Example Ltd.', USCC_B);
});
afterAll(async () => s?.close());

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function deposit(t: TestTenant, payload: unknown) {
  return s.app.inject({ method: 'POST', url: '/v1/deposits', headers: t.auth, payload: payload as object });
}

async function verifies(receipt: unknown, sha256: string) {
  return verifyReceipt(receipt as Receipt, [s.ctx.ledger.verifierKey], { digest: { sha256 } });
}

describe('when the admin creates a tenant', () => {
  it('answers 201 with the tenant and an API key that authenticates it', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: { name: '湖南测试有限公司', uscc: completeUscc('91430100MA4L16KK') } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['apiKey', 'id', 'name', 'uscc']);
    expect(body).toMatchObject({ name: '湖南测试有限公司', uscc: completeUscc('91430100MA4L16KK') });
    expect(body.id).toMatch(/^tn_[0-9a-f]{24}$/);
    expect(body.apiKey).toMatch(/^czk_[A-Za-z0-9_-]{43}$/);
    const dep = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${body.apiKey}` }, payload: { sha256: digestOf('new tenant') } });
    expect(dep.statusCode).toBe(201);
    expect(parseEntry(fromBase64(dep.json().entry)).tenant).toBe(body.id);
  });

  it('rejects a missing, wrong or malformed admin token with 401 and creates nothing', async () => {
    const before = s.ctx.tenants.count;
    for (const headers of [{}, { authorization: `Bearer ${ADMIN_TOKEN}x` }, { authorization: ADMIN_TOKEN }, { authorization: `Basic ${ADMIN_TOKEN}` }, a.auth]) {
      const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers, payload: { name: 'Intruder', uscc: USCC_A } });
      expectErrorBody(res, 401, 'UNAUTHORIZED');
    }
    expect(s.ctx.tenants.count).toBe(before);
  });

  it('rejects an invalid USCC with 400 and the USCC code', async () => {
    const wrongCheck = USCC_A.slice(0, 17) + (USCC_A.endsWith('E') ? 'F' : 'E');
    const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: { name: 'Bad Check Co.', uscc: wrongCheck } });
    expectErrorBody(res, 400, 'USCC_BAD_CHECK');
    for (const uscc of ['91430100MA4L16JJ1', '91430100MA4L16JJ1EE', '91430100ma4l16jj1e', '91430100MA4L16JI1E']) {
      const r = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: { name: 'Bad Code Co.', uscc } });
      expect(expectErrorBody(r, 400).code, uscc).toMatch(/^USCC_/);
    }
  });

  it('rejects unknown fields, missing fields and names with control characters with 400', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'X Co.', uscc: USCC_A, apiKey: 'czk_chosen' }, 'BAD_REQUEST'],
      [{ name: 'X Co.' }, 'BAD_REQUEST'],
      [{ name: 'X\u202eoC', uscc: USCC_A }, 'TENANT_BAD_NAME'],
      [{ name: 'X\nCo.', uscc: USCC_A }, 'TENANT_BAD_NAME'],
      [{ name: ' X Co.', uscc: USCC_A }, 'TENANT_BAD_NAME'],
    ];
    for (const [payload, code] of cases) {
      const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: payload as object });
      expectErrorBody(res, 400, code);
    }
  });
});

describe('when a tenant deposits one digest', () => {
  it('answers 201 with a receipt that verifies offline against the digest, and adds one leaf', async () => {
    const sha256 = digestOf('single');
    const sizeBefore = s.ctx.ledger.treeSize;
    const res = await deposit(a, { sha256, sm3: toHex(sm3(utf8('single'))), size: 6, meta: { title: '合同 v1', labels: ['legal'] } });
    expect(res.statusCode).toBe(201);
    expect(s.ctx.ledger.treeSize).toBe(sizeBefore + 1);
    const v = await verifies(res.json(), sha256);
    expect(v.matched).toEqual({ sha256: true, sm3: false, by: 'digest' });
    expect(v.leafIndex).toBe(sizeBefore);
    expect(v.treeSize).toBe(sizeBefore + 1);
    expect(v.entry).toMatchObject({ tenant: a.id, subject: { name: a.name, uscc: USCC_A }, digest: { sha256 }, size: 6, hashedBy: 'client' });
    expect(v.entry.meta).toEqual({ labels: ['legal'], title: '合同 v1' });
  });

  it('gives a receipt that fails verification against another digest', async () => {
    const res = await deposit(a, { sha256: digestOf('mismatch') });
    await expect(verifies(res.json(), digestOf('something else'))).rejects.toMatchObject({ code: 'RECEIPT_DOCUMENT_MISMATCH' });
  });

  it('answers 200 with the original receipt id and no new leaf when the digest comes again', async () => {
    const sha256 = digestOf('again');
    const first = await deposit(a, { sha256 });
    expect(first.statusCode).toBe(201);
    const size = s.ctx.ledger.treeSize;
    const second = await deposit(a, { sha256, meta: { note: 'different metadata, same document' } });
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect(second.json().index).toBe(first.json().index);
    expect(s.ctx.ledger.treeSize).toBe(size);
    await verifies(second.json(), sha256);
  });

  it('writes exactly one leaf when 20 identical deposits arrive at once', async () => {
    const sha256 = digestOf('concurrent');
    const size = s.ctx.ledger.treeSize;
    const replies = await Promise.all(Array.from({ length: 20 }, () => deposit(a, { sha256 })));
    expect(replies.map((r) => r.statusCode).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(replies.map((r) => r.json().id)).size).toBe(1);
    expect(s.ctx.ledger.treeSize).toBe(size + 1);
  });

  it('gives another tenant depositing the same digest its own new entry', async () => {
    const sha256 = digestOf('shared document');
    const ra = await deposit(a, { sha256 });
    const rb = await deposit(b, { sha256 });
    expect([ra.statusCode, rb.statusCode]).toEqual([201, 201]);
    expect(rb.json().id).not.toBe(ra.json().id);
    expect((await verifies(rb.json(), sha256)).entry.tenant).toBe(b.id);
  });
});

describe('when a tenant deposits a batch', () => {
  it('answers 201 for 1,000 digests with receipts in order that all verify', async () => {
    const digests = Array.from({ length: 1000 }, (_, i) => digestOf(`batch-1000-${i}`));
    const size = s.ctx.ledger.treeSize;
    const res = await deposit(a, { items: digests.map((sha256, i) => ({ sha256, meta: { seq: i } })) });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { receipts: Receipt[]; created: boolean[] };
    expect(body.receipts).toHaveLength(1000);
    expect(body.created.every((c) => c)).toBe(true);
    expect(s.ctx.ledger.treeSize).toBe(size + 1000);
    const indexes = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = await verifies(body.receipts[i], digests[i]!);
      expect(v.entry.meta).toEqual({ seq: i });
      indexes.add(v.leafIndex);
    }
    expect(indexes.size).toBe(1000);
  });

  it('flags items deposited before and repeated items as not created, with one leaf per distinct digest', async () => {
    const old = digestOf('batch-old');
    await deposit(a, { sha256: old });
    const fresh = digestOf('batch-fresh');
    const twice = digestOf('batch-twice');
    const size = s.ctx.ledger.treeSize;
    const res = await deposit(a, { items: [{ sha256: old }, { sha256: twice }, { sha256: fresh }, { sha256: twice }] });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { receipts: Receipt[]; created: boolean[] };
    expect(body.created).toEqual([false, true, true, false]);
    expect(s.ctx.ledger.treeSize).toBe(size + 2);
    expect(body.receipts[3]!.id).toBe(body.receipts[1]!.id);
    await Promise.all([old, twice, fresh, twice].map((d, i) => verifies(body.receipts[i], d)));
  });

  it('answers 200 when every item had been deposited before', async () => {
    const d = digestOf('batch-old');
    const res = await deposit(a, { items: [{ sha256: d }, { sha256: d }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().created).toEqual([false, false]);
  });

  it('rejects 10,001 items and an empty batch with 400 and writes nothing', async () => {
    const size = s.ctx.ledger.treeSize;
    const items = Array.from({ length: 10_001 }, (_, i) => ({ sha256: digestOf(`too-many-${i}`) }));
    expectErrorBody(await deposit(a, { items }), 400);
    expectErrorBody(await deposit(a, { items: [] }), 400);
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('rejects a batch with one bad item as a whole, naming the item', async () => {
    const size = s.ctx.ledger.treeSize;
    const res = await deposit(a, { items: [{ sha256: digestOf('ok item') }, { sha256: digestOf('bad meta item'), meta: { title: 'a\u0000b' } }] });
    const err = expectErrorBody(res, 400, 'ENTRY_BAD_FIELD');
    expect(err.message).toContain('items[1]');
    expect(s.ctx.ledger.treeSize).toBe(size);
  });
});

describe('when a deposit names a previous version (prev)', () => {
  it('accepts one of the tenant\'s own deposits and records the link', async () => {
    const v1 = await deposit(a, { sha256: digestOf('contract v1') });
    const v2 = await deposit(a, { sha256: digestOf('contract v2'), prev: v1.json().id });
    expect(v2.statusCode).toBe(201);
    expect((await verifies(v2.json(), digestOf('contract v2'))).entry.prev).toBe(v1.json().id);
  });

  it('answers 404 DEPOSIT_PREV_NOT_FOUND for another tenant\'s deposit or an unknown id, and writes nothing', async () => {
    const other = await deposit(b, { sha256: digestOf('b private') });
    const unknown = '0123456789abcdef0123456789abcdef';
    const size = s.ctx.ledger.treeSize;
    for (const prev of [other.json().id as string, unknown]) {
      expectErrorBody(await deposit(a, { sha256: digestOf(`prev ${prev}`), prev }), 404, 'DEPOSIT_PREV_NOT_FOUND');
      expectErrorBody(await deposit(a, { items: [{ sha256: digestOf(`batch ok ${prev}`) }, { sha256: digestOf(`batch prev ${prev}`), prev }] }), 404, 'DEPOSIT_PREV_NOT_FOUND');
    }
    expect(s.ctx.ledger.treeSize).toBe(size);
    const again = await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digestOf(`batch ok ${unknown}`)}`, headers: a.auth });
    expectErrorBody(again, 404, 'NOT_FOUND');
  });
});

describe('when a tenant looks up a deposit', () => {
  it('returns the receipt refreshed to the newest checkpoint, still verifying', async () => {
    const sha256 = digestOf('lookup');
    const first = (await deposit(a, { sha256 })).json() as Receipt;
    await deposit(a, { items: Array.from({ length: 37 }, (_, i) => ({ sha256: digestOf(`lookup-later-${i}`) })) });
    const res = await s.app.inject({ method: 'GET', url: `/v1/deposits/${first.id}`, headers: a.auth });
    expect(res.statusCode).toBe(200);
    const refreshed = res.json() as Receipt;
    expect(refreshed.id).toBe(first.id);
    expect(refreshed.index).toBe(first.index);
    expect(refreshed.entry).toBe(first.entry);
    expect(refreshed.checkpoint).toBe(s.ctx.ledger.checkpoint);
    const v = await verifies(refreshed, sha256);
    expect(v.treeSize).toBe(s.ctx.ledger.treeSize);
    expect(v.treeSize).toBeGreaterThan((await verifies(first, sha256)).treeSize);
  });

  it('finds a deposit by its SHA-256 and answers 404 for a digest never deposited', async () => {
    const sha256 = digestOf('find me');
    const created = (await deposit(a, { sha256 })).json() as Receipt;
    const found = await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${sha256}`, headers: a.auth });
    expect(found.statusCode).toBe(200);
    expect(found.json().id).toBe(created.id);
    await verifies(found.json(), sha256);
    expectErrorBody(await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digestOf('never')}`, headers: a.auth }), 404, 'NOT_FOUND');
  });

  it('rejects malformed ids and digests with 400', async () => {
    for (const url of ['/v1/deposits/xyz', `/v1/deposits/${'G'.repeat(32)}`, '/v1/deposits?sha256=abc', `/v1/deposits?sha256=${digestOf('x').slice(1)}Z`, `/v1/deposits?sha256=${digestOf('x')}&extra=1`, `/v1/deposits?sha256=${digestOf('x')}&limit=5`]) {
      expectErrorBody(await s.app.inject({ method: 'GET', url, headers: a.auth }), 400);
    }
    // Without sha256, GET /v1/deposits is the listing (newest first): test/http/listing.test.ts.
    expect((await s.app.inject({ method: 'GET', url: '/v1/deposits', headers: a.auth })).statusCode).toBe(200);
    // Uppercase hex is the same id or digest (hex-case.test.ts): unknown ones are 404s, not 400s.
    for (const url of [`/v1/deposits/${'0'.repeat(32)}`, `/v1/deposits/${'A'.repeat(32)}`, `/v1/deposits?sha256=${digestOf('x').toUpperCase()}`]) {
      expectErrorBody(await s.app.inject({ method: 'GET', url, headers: a.auth }), 404, 'NOT_FOUND');
    }
  });
});

describe('when the ledger queue is full', () => {
  it('answers 503 with Retry-After and writes nothing of a batch that does not fit; retries deposit every digest exactly once', async () => {
    const small = await openTestService({}, { maxQueue: 5, maxGroup: 2 });
    try {
      const t = await createTenant(small.app, 'Busy Co.', USCC_A);
      const items = Array.from({ length: 40 }, (_, i) => ({ sha256: digestOf(`busy-${i}`) }));
      const res = await small.app.inject({ method: 'POST', url: '/v1/deposits', headers: t.auth, payload: { items } });
      expectErrorBody(res, 503, 'LEDGER_BUSY');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      await small.ctx.ledger.flush();
      expect(small.ctx.ledger.treeSize).toBe(0); // all or nothing: no item of the refused batch was written
      const receipts: Receipt[] = [];
      for (let i = 0; i < items.length; i += 5) {
        const r = await small.app.inject({ method: 'POST', url: '/v1/deposits', headers: t.auth, payload: { items: items.slice(i, i + 5) } });
        expect(r.statusCode).toBe(201);
        receipts.push(...(r.json() as { receipts: Receipt[] }).receipts);
      }
      expect(new Set(receipts.map((r) => r.index)).size).toBe(40);
      expect(small.ctx.ledger.treeSize).toBe(40);
      // the same digests again: the original receipts, no new leaf
      const again = await small.app.inject({ method: 'POST', url: '/v1/deposits', headers: t.auth, payload: { items: items.slice(0, 5) } });
      expect(again.statusCode).toBe(200);
      expect(small.ctx.ledger.treeSize).toBe(40);
    } finally {
      await small.close();
    }
  });
});

describe('when a tenant exceeds its rate limit', () => {
  it('answers 429 RATE_LIMITED to that tenant only', async () => {
    const limited = await openTestService({ rateLimitPerMinute: 3 });
    try {
      const t1 = await createTenant(limited.app, 'Eager Co.', USCC_A);
      const t2 = await createTenant(limited.app, 'Patient Co.', USCC_B);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digestOf(`rl ${i}`)}`, headers: t1.auth });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) expectErrorBody(res, 429, 'RATE_LIMITED');
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const other = await limited.app.inject({ method: 'POST', url: '/v1/deposits', headers: t2.auth, payload: { sha256: digestOf('rl other') } });
      expect(other.statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

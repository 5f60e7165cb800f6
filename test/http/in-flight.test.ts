/**
 * Work in flight is bounded in bytes, per tenant and overall, on a listening server: a request whose
 * declared body would exceed its tenant's share is answered 503 TENANT_BUSY with Retry-After before its
 * body is read (the client has sent none of it); beyond the service's share, 503 SERVICE_BUSY; a chunked
 * body is counted while it streams; a parsed batch is charged per item. Other tenants are served meanwhile,
 * refused requests write nothing, and once the request holding the share is answered, its share is free.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { completeUscc } from '../../src/entry/index.js';
import { ITEM_COST, REQUEST_COST } from '../../src/http/admission.js';
import { ADMIN_TOKEN, digestOf, tempDir } from './helpers.js';
import { RawRequest } from './raw-request.js';

const KiB = 1024;
const TENANT_LIMIT = 1024 * KiB;
const SERVICE_LIMIT = 1536 * KiB;
let data: ReturnType<typeof tempDir>;
let server: RunningServer;
let port: number;
const keys: Record<string, string> = {};

/** A valid deposit body padded with JSON whitespace to exactly `size` bytes. */
function depositBody(label: string, size: number): Buffer {
  const body = Buffer.from(JSON.stringify({ sha256: digestOf(label) }).padEnd(size, ' '));
  expect(body.length).toBe(size);
  return body;
}

function postHead(tenant: string, length: number | 'chunked'): string {
  return RawRequest.head('POST /v1/deposits', { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' }, length);
}

async function inFlightBytes(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^cunzheng_http_in_flight_bytes (\d+)$/m.exec(text)?.[1]);
}

beforeAll(async () => {
  data = tempDir('cunzheng-inflight-');
  server = await startServer({
    dataDir: join(data.dir, 'data'), host: '127.0.0.1', port: 0, adminToken: ADMIN_TOKEN, logLevel: 'silent', pretty: false, docs: false,
    maxTenantInFlightBytes: TENANT_LIMIT, maxInFlightBytes: SERVICE_LIMIT,
  });
  port = Number(new URL(server.url).port);
  for (const [name, uscc] of [['A', '91430100MA4L16JJ'], ['B', '9111000060003734'], ['C', '91110000MA00ABCD']] as const) {
    const t = await fetch(`${server.url}/v1/admin/tenants`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `在途限额${name}有限公司`, uscc: completeUscc(uscc) }),
    });
    keys[name] = ((await t.json()) as { apiKey: string }).apiKey;
  }
});

afterAll(async () => {
  await server?.close();
  data?.cleanup();
});

describe('while one request of tenant A holds most of its share', () => {
  const HELD = 800 * KiB;
  let held: RawRequest;
  let heldBody: Buffer;

  beforeAll(async () => {
    heldBody = depositBody('held', HELD);
    held = new RawRequest(port, postHead('A', HELD));
    await held.write(heldBody.subarray(0, 1000)); // the rest is held back
    for (let i = 0; i < 50 && !((await inFlightBytes()) >= HELD); i++) await new Promise((r) => setTimeout(r, 20));
  });

  it('refuses A\'s next request with 503 TENANT_BUSY and Retry-After before reading a byte of its body', async () => {
    const size = server.ctx.ledger.treeSize;
    const r = new RawRequest(port, postHead('A', 400 * KiB)); // headers only: the body is never sent
    const res = await r.response;
    expect(res.status, res.body).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 503, code: 'TENANT_BUSY' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers.connection).toBe('close');
    r.destroy();
    expect(server.ctx.ledger.treeSize).toBe(size);
    expect(await inFlightBytes()).toBe(REQUEST_COST + HELD); // the refused request holds nothing
  });

  it('counts a chunked body of A while it streams, and refuses it beyond the share', async () => {
    const r = new RawRequest(port, postHead('A', 'chunked'));
    await r.chunk(Buffer.from(`{"sha256":"${digestOf('chunked')}"`));
    let sent = 0;
    const settled = r.response.then(() => true, () => true);
    while (sent < 4 * TENANT_LIMIT && !(await Promise.race([settled, new Promise((res) => setTimeout(() => res(false), 5))]))) {
      await r.chunk(Buffer.alloc(64 * KiB, 0x20));
      sent += 64 * KiB;
    }
    const res = await r.response;
    expect(res.status, res.body).toBe(503);
    expect(JSON.parse(res.body).code).toBe('TENANT_BUSY');
    expect(sent).toBeLessThan(4 * TENANT_LIMIT);
    r.destroy();
  });

  it('charges a parsed batch per item, and refuses it beyond the share without writing any of it', async () => {
    const size = server.ctx.ledger.treeSize;
    const n = Math.ceil((TENANT_LIMIT - HELD) / ITEM_COST) + 1;
    const items = Array.from({ length: n }, (_, i) => ({ sha256: digestOf(`item ${i}`) }));
    const res = await fetch(`${server.url}/v1/deposits`, { method: 'POST', headers: { authorization: `Bearer ${keys.A}`, 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('TENANT_BUSY');
    expect(server.ctx.ledger.treeSize).toBe(size);
  });

  it('serves tenant B meanwhile, and refuses C with 503 SERVICE_BUSY once the whole service\'s share is taken', async () => {
    const b = new RawRequest(port, postHead('B', 400 * KiB));
    await b.write(depositBody('B while A holds', 400 * KiB));
    expect((await b.response).status).toBe(201);
    b.destroy();
    const c = new RawRequest(port, postHead('C', 800 * KiB));
    const res = await c.response;
    expect(res.status, res.body).toBe(503);
    expect(JSON.parse(res.body).code).toBe('SERVICE_BUSY');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    c.destroy();
  });

  it('frees the share once the holding request is answered', async () => {
    await held.write(heldBody.subarray(1000));
    expect((await held.response).status).toBe(201);
    held.destroy();
    for (let i = 0; i < 50 && (await inFlightBytes()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlightBytes()).toBe(0);
    const again = new RawRequest(port, postHead('A', 400 * KiB));
    await again.write(depositBody('A again', 400 * KiB));
    expect((await again.response).status).toBe(201);
    again.destroy();
  });
});

describe('when a client goes away before its deposit is answered', () => {
  it('frees its share once the deposit is done', async () => {
    const size = server.ctx.ledger.treeSize;
    const r = new RawRequest(port, postHead('B', 300 * KiB));
    await r.write(depositBody('gone', 300 * KiB));
    r.destroy();
    for (let i = 0; i < 100 && server.ctx.ledger.treeSize === size; i++) await new Promise((res) => setTimeout(res, 20));
    expect(server.ctx.ledger.treeSize).toBe(size + 1);
    for (let i = 0; i < 100 && (await inFlightBytes()) > 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(await inFlightBytes()).toBe(0);
  });
});

describe('with the default limits', () => {
  it('refuses most of many maximal batches of one tenant sent at once, with 503 TENANT_BUSY', async () => {
    const d = tempDir('cunzheng-inflight-default-');
    const s = await startServer({ dataDir: join(d.dir, 'data'), host: '127.0.0.1', port: 0, adminToken: ADMIN_TOKEN, logLevel: 'silent', pretty: false, docs: false });
    try {
      const t = await fetch(`${s.url}/v1/admin/tenants`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '批量压力有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
      });
      const key = ((await t.json()) as { apiKey: string }).apiKey;
      const batches = Array.from({ length: 8 }, (_, b) => JSON.stringify({ items: Array.from({ length: 10_000 }, (_, i) => ({ sha256: digestOf(`max ${b} ${i}`) })) }));
      const replies = await Promise.all(batches.map(async (body) => {
        const res = await fetch(`${s.url}/v1/deposits`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        return { status: res.status, code: res.status === 503 ? ((await res.json()) as { code: string }).code : undefined, retry: res.headers.get('retry-after') };
      }));
      const refused = replies.filter((r) => r.status === 503);
      expect(replies.every((r) => r.status === 201 || r.status === 503), JSON.stringify(replies)).toBe(true);
      expect(refused.length, JSON.stringify(replies)).toBeGreaterThanOrEqual(4);
      expect(refused.every((r) => r.code === 'TENANT_BUSY' && Number(r.retry) >= 1)).toBe(true);
      expect(s.ctx.ledger.treeSize).toBe(10_000 * (replies.length - refused.length));
    } finally {
      await s.close();
      d.cleanup();
    }
  }, 180_000); // 80,000 v2 entries with their document keys, on a machine shared with the rest of the suite
});

/**
 * POST /v1/admin/anchor when the TSAs fail: every TSA failing is an error, 502 ANCHOR_FAILED with each
 * TSA's failure in the message, never a 200 that looks like success. One TSA answering is a 200 that lists
 * the others' failures. An anchor asked for on purpose asks every TSA even while one is backing off; the
 * timer's runs keep going quietly through outages, and deposits never stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService } from '../../src/service/open.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { tempDir } from '../http/helpers.js';

const ADMIN = 'anchor-failed-admin-token-0123456789';
let data: ReturnType<typeof tempDir>;
let down: TestTsa;
let up: TestTsa;
let closedUrl: string;
const opened: { ctx: ServiceContext; app: FastifyInstance }[] = [];

/** A URL on which nothing listens. */
async function refusedUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsr`;
}

async function service(name: string, tsaUrls: string[]): Promise<{ ctx: ServiceContext; app: FastifyInstance; apiKey: string }> {
  const ctx = await openService({ dataDir: join(data.dir, name), adminToken: ADMIN, tsaUrls, tsaRoots: [down.caDer, up.caDer], anchorIntervalMs: 3_600_000 });
  const app = await buildApp(ctx, { docs: false });
  opened.push({ ctx, app });
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '锚定失败测试有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
  return { ctx, app, apiKey: (t.json() as { apiKey: string }).apiKey };
}

const anchor = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN}` } });
const deposit = (app: FastifyInstance, apiKey: string, text: string) =>
  app.inject({ method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}` }, payload: { sha256: toHex(sha256(utf8(text))) } });

beforeAll(async () => {
  data = tempDir('cunzheng-anchor-failed-');
  down = await startTestTsa({ mode: 'down' });
  up = await startTestTsa();
  closedUrl = await refusedUrl();
}, 60_000);

afterAll(async () => {
  for (const o of opened) {
    await o.app.close();
    await o.ctx.anchorer.stop();
    await o.ctx.ledger.close();
  }
  await down?.close();
  await up?.close();
  data?.cleanup();
});

describe('when every TSA fails', () => {
  it('answers 502 ANCHOR_FAILED naming each TSA and its failure, and deposits go on', async () => {
    const s = await service('all-down', [down.url, closedUrl]);
    expect((await deposit(s.app, s.apiKey, 'before')).statusCode).toBe(201);
    const res = await anchor(s.app);
    expect(res.statusCode, res.body).toBe(502);
    const body = res.json() as { statusCode: number; code: string; message: string };
    expect(body).toMatchObject({ statusCode: 502, code: 'ANCHOR_FAILED' });
    expect(body.message).toContain(`${down.url}: TSA_`);
    expect(body.message).toContain(`${closedUrl}: TSA_`);
    expect(body.message).toContain('tree size 1');
    expect(s.ctx.anchorer.latestAnchored).toBeUndefined();
    // asked again at once: both TSAs are backing off, but a request made on purpose asks them anyway
    const requestsBefore = down.requests;
    expect((await anchor(s.app)).statusCode).toBe(502);
    expect(down.requests).toBe(requestsBefore + 1);
    // the timer's run resolves quietly (no unhandled rejection) and deposits keep flowing
    await expect(s.ctx.anchorer.tick()).resolves.toBeUndefined();
    expect((await deposit(s.app, s.apiKey, 'after')).statusCode).toBe(201);
  });
});

describe('when one TSA answers and another fails', () => {
  it('answers 200 with the anchor, and the failing TSA\'s error in the list', async () => {
    const s = await service('one-up', [closedUrl, up.url]);
    expect((await deposit(s.app, s.apiKey, 'one up')).statusCode).toBe(201);
    const res = await anchor(s.app);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { treeSize: number; anchors: { tsa: string }[]; tsa: { url: string; failures: number; lastError: string | null }[] };
    expect(body.treeSize).toBe(1);
    expect(body.anchors.map((a) => a.tsa)).toEqual([up.url]);
    expect(body.tsa.find((t) => t.url === closedUrl)).toMatchObject({ failures: 1, lastError: expect.stringMatching(/^TSA_/) });
    expect(body.tsa.find((t) => t.url === up.url)).toMatchObject({ failures: 0, lastError: null });
  });
});

/**
 * Timestamped anchors end to end, against a real RFC 3161 TSA (openssl ts -reply behind HTTP): the service
 * stamps checkpoints, receipts carry the tokens, the offline verifier checks them, openssl accepts them, and a
 * TSA outage never stops deposits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService } from '../../src/service/open.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { checkpointImprint } from '../../src/service/anchorer.js';
import { completeUscc } from '../../src/entry/index.js';
import { fromBase64, sha256, toBase64, toHex, utf8 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { opensslVerify, startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { cli } from '../cli/run-cli.js';
import { codeOf } from '../support/codes.js';

const ADMIN = 'anchoring-admin-token-0123456789';
let dir: string;
let tsa: TestTsa;
let ctx: ServiceContext;
let app: FastifyInstance;
let apiKey: string;

async function deposit(text: string): Promise<{ status: number; receipt: Receipt }> {
  const r = await app.inject({
    method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}` },
    payload: { sha256: toHex(sha256(utf8(text))) },
  });
  return { status: r.statusCode, receipt: r.json() as Receipt };
}

async function anchorNow(): Promise<{ treeSize: number | null; anchors: unknown[]; tsa: { failures: number; lastError: string | null }[] }> {
  const r = await app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN}` } });
  expect(r.statusCode).toBe(200);
  return r.json();
}


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-anchoring-'));
  tsa = await startTestTsa();
  ctx = await openService({ dataDir: join(dir, 'data'), adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000 });
  app = await buildApp(ctx, { docs: false });
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '时间戳测试有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
  apiKey = (t.json() as { apiKey: string }).apiKey;
}, 60_000);

afterAll(async () => {
  await app.close();
  await ctx.anchorer.stop();
  await ctx.ledger.close();
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('anchoring a checkpoint at a real TSA', () => {
  let receipt: Receipt;

  it('new receipts are complete but unanchored', async () => {
    const d = await deposit('first document');
    expect(d.status).toBe(201);
    expect(d.receipt.anchors).toEqual([]);
    expect((await verifyReceipt(d.receipt, [ctx.ledger.verifierKey])).anchors).toEqual([]);
  });

  it('on demand, stamps the newest checkpoint body and stores a token openssl accepts', async () => {
    await deposit('second document');
    const a = await anchorNow();
    expect(a.treeSize).toBe(ctx.ledger.treeSize);
    expect(a.anchors).toHaveLength(1);
    const token = fromBase64((a.anchors[0] as { token: string }).token);
    const imprint = checkpointImprint(ctx.ledger.checkpoint);
    const v = await opensslVerify(token, toHex(imprint), tsa.caFile);
    expect(v.ok, v.output).toBe(true);
    expect(v.output).toContain('Verification: OK');
  });

  it('GET /v1/deposits/:id returns the receipt refreshed to the anchored checkpoint, and its token verifies offline', async () => {
    const first = await app.inject({ method: 'GET', url: `/v1/deposits?sha256=${toHex(sha256(utf8('first document')))}`, headers: { authorization: `Bearer ${apiKey}` } });
    receipt = first.json() as Receipt;
    expect(receipt.anchors).toHaveLength(1);
    const v = await verifyReceipt(receipt, [ctx.ledger.verifierKey], {}, { tsaRoots: [tsa.caDer] });
    expect(v.anchors[0]).toMatchObject({ type: 'rfc3161', treeSize: 2, tokenChecked: true });
    const genTime = Date.parse(v.anchors[0]!.genTime!);
    expect(Math.abs(genTime - Date.now())).toBeLessThan(120_000);
    expect(v.anchors[0]!.tsa).toMatch(/CN=/);
    // without roots the anchor is reported, unchecked
    expect((await verifyReceipt(receipt, [ctx.ledger.verifierKey])).anchors[0]).toMatchObject({ tokenChecked: false });
  });

  it('the public checkpoint route serves the anchors of that checkpoint, and /v1/log names the TSA', async () => {
    const c = await app.inject({ method: 'GET', url: '/v1/checkpoints/2' });
    expect((c.json() as { anchors: unknown[] }).anchors).toHaveLength(1);
    const log = (await app.inject({ method: 'GET', url: '/v1/log' })).json() as { tsa: string[]; anchoredTreeSize: number };
    expect(log).toMatchObject({ tsa: [tsa.url], anchoredTreeSize: 2 });
  });

  it('a bad anchor fails verification with its own code', async () => {
    const roots = { tsaRoots: [tsa.caDer] };
    const tampered = structuredClone(receipt);
    const tok = fromBase64(tampered.anchors[0]!.token);
    tok[tok.length - 10]! ^= 0x01; // inside the signature
    tampered.anchors[0]!.token = toBase64(tok);
    expect(await codeOf(verifyReceipt(tampered, [ctx.ledger.verifierKey], {}, roots))).toMatch(/^TSA_(BAD_SIGNATURE|TOKEN_MALFORMED)$/);
    // a token over another checkpoint body
    await deposit('third document');
    const a3 = await anchorNow();
    const moved = structuredClone(receipt);
    moved.anchors[0]!.token = (a3.anchors[0] as { token: string }).token;
    expect(await codeOf(verifyReceipt(moved, [ctx.ledger.verifierKey], {}, roots))).toBe('TSA_IMPRINT_MISMATCH');
    // roots the TSA does not chain to
    expect(await codeOf(verifyReceipt(receipt, [ctx.ledger.verifierKey], {}, { tsaRoots: [tsa.pki.otherCaDer] }))).toBe('TSA_UNTRUSTED_CHAIN');
  });

  it('cunzheng verify --tsa-roots reports the TSA time ("existed no later than")', async () => {
    const rfile = join(dir, 'r.receipt.json');
    writeFileSync(rfile, JSON.stringify(receipt));
    const r = cli(['verify', rfile, '--key', ctx.ledger.verifierKey, '--tsa-roots', tsa.caFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/existed no later than \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+08:00 \(Beijing time\)/);
    const without = cli(['verify', rfile, '--key', ctx.ledger.verifierKey]);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('NOT checked');
  });
});

describe('when the TSA is down', () => {
  it('deposits keep flowing, anchoring reports the failure and catches up once the TSA is back', async () => {
    tsa.setMode('down');
    try {
      const before = ctx.anchorer.latestAnchored!.treeSize;
      for (let i = 0; i < 5; i++) expect((await deposit(`during the outage ${i}`)).status).toBe(201);
      // The timer's run reports nothing and keeps the previous anchor.
      expect((await ctx.anchorer.tick())?.treeSize).toBe(before);
      expect(ctx.anchorer.tsas[0]!.failures).toBeGreaterThan(0);
      expect(ctx.anchorer.tsas[0]!.lastError).toMatch(/TSA_/);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/cunzheng_anchor_lag_entries [1-9]/);
    } finally {
      tsa.setMode('ok');
    }
    // An anchor asked for on purpose asks the TSA at once, backoff or not.
    const caught = await anchorNow();
    expect(caught.treeSize).toBe(ctx.ledger.treeSize);
    expect(ctx.anchorer.lagEntries).toBe(0);
  });
});

describe('a served log with --tsa and --anchor-interval', () => {
  it('anchors on its own timer, and receipt upgrade brings a receipt up to the anchored checkpoint', async () => {
    const { ServerProcess, freePort } = await import('../support/server-process.js');
    const server = new ServerProcess(join(dir, 'served'), await freePort(), ADMIN, ['--tsa', tsa.url, '--tsa-roots', tsa.caFile, '--anchor-interval', '1']);
    await server.start();
    try {
      const vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
      const t = await fetch(`${server.url}/v1/admin/tenants`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '定时锚定有限公司', uscc: completeUscc('91110000MA00ABCD') }),
      });
      const key = ((await t.json()) as { apiKey: string }).apiKey;
      const d = await fetch(`${server.url}/v1/deposits`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sha256: toHex(sha256(utf8('timer'))) }),
      });
      const rfile = join(dir, 'timer.receipt.json');
      writeFileSync(rfile, await d.text());
      let anchored: number | null = null;
      for (let i = 0; i < 50 && anchored === null; i++) {
        await new Promise((r) => setTimeout(r, 200));
        anchored = ((await (await fetch(`${server.url}/v1/log`)).json()) as { anchoredTreeSize: number | null }).anchoredTreeSize;
      }
      expect(anchored).toBe(1);
      const up = cli(['receipt', 'upgrade', rfile, '--url', server.url, '--key', vkey, '--tsa-roots', tsa.caFile]);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(up.stdout).toMatch(/RFC 3161 anchors/);
      const v = cli(['verify', rfile, '--key', vkey, '--tsa-roots', tsa.caFile, '--json']);
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).results[0].anchors[0]).toMatchObject({ tokenChecked: true, treeSize: 1 });
    } finally {
      await server.kill('SIGKILL');
    }
  }, 60_000);
});

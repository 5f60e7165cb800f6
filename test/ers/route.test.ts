/**
 * GET /v1/checkpoints/<size>/evidence-record and `cunzheng receipt export --ers`, against a service anchoring at
 * a real TSA (openssl behind HTTP): the record of an anchored checkpoint verifies for the body of the checkpoint
 * the log serves — by our verifier and by BouncyCastle —, the CLI writes the same bytes offline from a receipt,
 * and a checkpoint or receipt without an anchor is a 404 ERS_NO_ANCHOR / an exit 2 line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { checkpointBody, verifyEvidenceRecord } from '../../src/ers/index.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { openService } from '../../src/service/open.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { bouncyCastle } from './bc.js';
import { CLI, ROOT, cli } from '../cli/run-cli.js';

const ADMIN = 'evidence-record-admin-token-0123456789';
let dir: string;
let tsa: TestTsa;
let ctx: ServiceContext;
let app: FastifyInstance;
let apiKey: string;
let anchoredSize: number;

async function deposit(text: string): Promise<{ id: string }> {
  const r = await app.inject({ method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}` }, payload: { sha256: toHex(sha256(utf8(text))) } });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string };
}

let anchoredId: string;
let unanchoredId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-ers-route-'));
  tsa = await startTestTsa();
  ctx = await openService({ dataDir: join(dir, 'data'), adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000 });
  app = await buildApp(ctx, { docs: false });
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '证据记录测试有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
  apiKey = (t.json() as { apiKey: string }).apiKey;
  anchoredId = (await deposit('anchored document')).id;
  const a = await app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN}` } });
  expect(a.statusCode).toBe(200);
  anchoredSize = (a.json() as { treeSize: number }).treeSize;
  unanchoredId = (await deposit('a later, unanchored document')).id;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await ctx?.anchorer.stop();
  await ctx?.ledger.close();
  await tsa?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('GET /v1/checkpoints/<size>/evidence-record', () => {
  it('serves the DER record of an anchored checkpoint, which verifies for that checkpoint\'s body', async () => {
    const res = await get(`/v1/checkpoints/${anchoredSize}/evidence-record`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="checkpoint-${anchoredSize}.ers"`);
    const record = new Uint8Array(res.rawPayload);
    const { checkpoint } = (await get(`/v1/checkpoints/${anchoredSize}`)).json() as { checkpoint: string };
    const body = checkpointBody(checkpoint);
    const v = await verifyEvidenceRecord(record, body, { roots: [tsa.caDer] });
    const anchors = await ctx.anchorer.anchorsAt(anchoredSize);
    expect(v.genTime.toISOString()).toBe(new Date(anchors[0]!.genTime).toISOString());
    expect(await bouncyCastle(record, body, tsa.pki.signers.tsa.cert)).toBe('ok');
    expect(await bouncyCastle(record, checkpointBody(ctx.ledger.checkpoint), tsa.pki.signers.tsa.cert)).toMatch(/^fail:/);
  }, 120_000);

  it('answers 404 ERS_NO_ANCHOR for a checkpoint without an anchor, or an anchor index it does not have', async () => {
    for (const url of [`/v1/checkpoints/${ctx.ledger.treeSize}/evidence-record`, `/v1/checkpoints/${anchoredSize}/evidence-record?anchor=1`]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ statusCode: 404, code: 'ERS_NO_ANCHOR' });
    }
  });

  it('answers 400 for a size beyond the tree or a malformed anchor index, 404 for no checkpoint', async () => {
    expect((await get(`/v1/checkpoints/${ctx.ledger.treeSize + 1}/evidence-record`)).json()).toMatchObject({ statusCode: 400, code: 'LEDGER_SIZE_BEYOND_TREE' });
    for (const q of ['anchor=x', 'anchor=01', 'anchor=-1', 'other=1']) {
      expect((await get(`/v1/checkpoints/${anchoredSize}/evidence-record?${q}`)).statusCode, q).toBe(400);
    }
    expect((await get('/v1/checkpoints/abc/evidence-record')).statusCode).toBe(400);
  });
});

describe('cunzheng receipt export --ers', () => {
  const receiptFile = async (id: string, name: string): Promise<string> => {
    const r = await app.inject({ method: 'GET', url: `/v1/deposits/${id}`, headers: { authorization: `Bearer ${apiKey}` } });
    expect(r.statusCode).toBe(200);
    const path = join(dir, name);
    writeFileSync(path, r.body);
    return path;
  };

  it('writes, offline, the record the log serves for the receipt\'s anchored checkpoint', async () => {
    const path = await receiptFile(anchoredId, 'anchored.receipt.json');
    const out = join(dir, 'anchored.ers');
    const r = cli(['receipt', 'export', '--ers', path, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const served = new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload);
    const { checkpoint } = (await get(`/v1/checkpoints/${anchoredSize}`)).json() as { checkpoint: string };
    expect(r.stdout).toContain(`tree size ${anchoredSize}`);
    expect(r.stdout).toContain(toHex(sha256(checkpointBody(checkpoint))));
    expect(new Uint8Array(readFileSync(out))).toEqual(served);
    // to stdout when it is a pipe: the same bytes
    const piped = spawnSync(process.execPath, [CLI, 'receipt', 'export', '--ers', path], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    expect(piped.status).toBe(0);
    expect(new Uint8Array(piped.stdout)).toEqual(served);
  });

  it('exits 2 with one line for a receipt without an anchor, an anchor it lacks, and mixed formats', async () => {
    const path = await receiptFile(unanchoredId, 'unanchored.receipt.json');
    for (const args of [['--ers', path], ['--ers', path, '--anchor', '0']]) {
      const r = cli(['receipt', 'export', ...args, '--out', join(dir, 'never.ers')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('ERS_NO_ANCHOR');
    }
    const anchored = join(dir, 'anchored.receipt.json');
    for (const args of [['--ers', '--anchor', '1', anchored], ['--ers', '--anchor', 'x', anchored], ['--ers', '--tlog-proof', anchored], [anchored], ['--tlog-proof', '--out', 'x', anchored]]) {
      const r = cli(['receipt', 'export', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'never.ers'))).toBe(false);
  });
});

describe('POST /v1/admin/checkpoints/<size>/renew (RFC 4998 timestamp renewal by the log)', () => {
  const renew = (size: number, query = '') => app.inject({ method: 'POST', url: `/v1/admin/checkpoints/${size}/renew${query}`, headers: { authorization: `Bearer ${ADMIN}` } });

  it('stores a renewal over the anchor\'s token, served in the record as its chain, surviving a restart', async () => {
    const first = await renew(anchoredSize);
    expect(first.statusCode, first.body).toBe(200);
    expect((first.json() as { renewals: unknown[] }).renewals).toHaveLength(1);
    const { checkpoint: note } = (await get(`/v1/checkpoints/${anchoredSize}`)).json() as { checkpoint: string };
    const once = new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload);
    expect(await bouncyCastle(once, checkpointBody(note), tsa.pki.signers.tsa.cert)).toBe('ok');
    const second = await renew(anchoredSize);
    expect((second.json() as { renewals: unknown[] }).renewals).toHaveLength(2);
    const { checkpoint } = (await get(`/v1/checkpoints/${anchoredSize}`)).json() as { checkpoint: string };
    const body = checkpointBody(checkpoint);
    const served = new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload);
    const v = await verifyEvidenceRecord(served, body, { roots: [tsa.caDer] });
    expect(v.chains[0]!.timeStamps).toHaveLength(3);
    expect(await bouncyCastle(served.slice(), body, tsa.pki.signers.tsa.cert)).toBe('ok');
    // durable: the same record after the service is closed and opened again
    await app.close();
    await ctx.anchorer.stop();
    await ctx.ledger.close();
    ctx = await openService({ dataDir: join(dir, 'data'), adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000 });
    app = await buildApp(ctx, { docs: false });
    expect(new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload)).toEqual(served);
  }, 120_000);

  it('answers 404 ERS_NO_ANCHOR without the anchor, 401 without the admin token, 502 when the TSA fails, storing nothing', async () => {
    expect((await renew(ctx.ledger.treeSize)).json()).toMatchObject({ statusCode: 404, code: 'ERS_NO_ANCHOR' });
    expect((await renew(anchoredSize, '?anchor=1')).json()).toMatchObject({ statusCode: 404, code: 'ERS_NO_ANCHOR' });
    expect((await app.inject({ method: 'POST', url: `/v1/admin/checkpoints/${anchoredSize}/renew` })).statusCode).toBe(401);
    const before = new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload);
    tsa.setMode('garbage');
    try {
      expect((await renew(anchoredSize)).json()).toMatchObject({ statusCode: 502, code: 'ANCHOR_FAILED' });
    } finally {
      tsa.setMode('ok');
    }
    expect(new Uint8Array((await get(`/v1/checkpoints/${anchoredSize}/evidence-record`)).rawPayload)).toEqual(before);
  }, 120_000);
});

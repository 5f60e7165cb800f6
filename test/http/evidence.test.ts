/**
 * POST /v1/evidence on a real listening server with a worker pool (the certificates go to it): the answered
 * zip, written to disk, is checked by checkPackage and by the built `cunzheng verify case.zip --key …` (a real
 * process); its deposit is in the tenant's deposits, as the requesting user's, and its id is the trailer's.
 * Another tenant's or an unknown id → the history's 404 and nothing deposited; bad bodies → 400
 * EVIDENCE_BAD_BODY with the field; roles (viewer 403, depositor only their own); the build limits; and a
 * failure once the zip has started cuts the connection, what was received failing with EVIDENCE_MALFORMED.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { closeService, openService } from '../../src/service/open.js';
import { sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { checkPackage, zipEntries } from '../../src/evidence/index.js';
import { CunzhengError } from '../../src/errors.js';
import type { WorkerPool } from '../../src/workers/pool.js';
import { ADMIN_TOKEN, USCC_A, USCC_B, expectErrorBody } from './helpers.js';
import { cliAsync } from '../cli/cli-async.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; trailers: Record<string, string | undefined>; body: Buffer; cut: boolean }

/** A request over a real socket; `cut`: the answer ended without its final chunk. */
function call(base: string, method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpRequest(new URL(path, base), {
      method,
      headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      let cut = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (cut = true));
      res.on('error', () => (cut = true));
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, trailers: res.trailers, body: Buffer.concat(chunks), cut: cut || !res.complete }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const json = (a: Answer): { statusCode: number; body: string } => ({ statusCode: a.status, body: a.body.toString('utf8') });

let dir: string;
let ctx: ServiceContext;
let app: FastifyInstance;
let base: string;
let vkey: string;
const keys: Record<'officer' | 'depositor' | 'viewer' | 'other', string> = { officer: '', depositor: '', viewer: '', other: '' };
let v1: string;
let v2: string;
let mine: string;
let theirs: string;

async function deposit(key: string, text: string, title: string, prev?: string): Promise<string> {
  const d = utf8(text);
  const a = await call(base, 'POST', '/v1/deposits', key, { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)), size: d.length, meta: { title }, ...(prev === undefined ? {} : { prev }) });
  expect(a.status, a.body.toString()).toBe(201);
  return (JSON.parse(a.body.toString()) as { id: string }).id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-evidence-http-'));
  ctx = await openService({ dataDir: join(dir, 'data'), origin: 'evidence.example/cunzheng', adminToken: ADMIN_TOKEN, workers: 1 });
  app = await buildApp(ctx, { docs: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  vkey = (JSON.parse((await call(base, 'GET', '/v1/log', undefined)).body.toString()) as { key: string }).key;
  const tenant = async (name: string, uscc: string): Promise<string> => {
    const t = await call(base, 'POST', '/v1/admin/tenants', ADMIN_TOKEN, { name, uscc });
    expect(t.status, t.body.toString()).toBe(201);
    return (JSON.parse(t.body.toString()) as { apiKey: string }).apiKey;
  };
  keys.officer = await tenant('示例新能源科技有限公司', USCC_A);
  keys.other = await tenant('另一家科技有限公司', USCC_B);
  for (const role of ['depositor', 'viewer'] as const) {
    const u = await call(base, 'POST', '/v1/users', keys.officer, { role });
    expect(u.status, u.body.toString()).toBe(201);
    keys[role] = (JSON.parse(u.body.toString()) as { apiKey: string }).apiKey;
  }
  v1 = await deposit(keys.officer, '电解液配方 v1', '电解液配方');
  const e = await call(base, 'POST', `/v1/deposits/${v1}/events`, keys.officer, { kind: 'classify', level: '核心商密', period: '2099-12-31', basis: '定密审批表 2026-17' });
  expect(e.status, e.body.toString()).toBe(201);
  v2 = await deposit(keys.officer, '电解液配方 v2', '电解液配方', v1);
  mine = await deposit(keys.depositor, '涂布工艺参数', '涂布工艺');
  theirs = await deposit(keys.other, '另一家的文件', '另一家');
}, 120_000);

afterAll(async () => {
  await app?.close();
  if (ctx !== undefined) await closeService(ctx);
  rmSync(dir, { recursive: true, force: true });
});

async function verifyZip(bytes: Buffer, name: string): Promise<{ path: string; report: Awaited<ReturnType<typeof checkPackage>>; cli: Awaited<ReturnType<typeof cliAsync>> }> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const report = await checkPackage(zipEntries(path), { keys: [parseVerifierKey(vkey)] });
  const cli = await cliAsync(['verify', path, '--key', vkey], { cwd: dir, timeoutMs: 120_000 });
  return { path, report, cli };
}

describe('POST /v1/evidence', () => {
  it('answers a package of every version and event of the documents, which checkPackage and cunzheng verify accept, its deposit the tenant\'s', async () => {
    const sizeBefore = ctx.ledger.treeSize;
    const title = '（2026）湘01民初123号 商业秘密纠纷';
    const a = await call(base, 'POST', '/v1/evidence', keys.officer, { ids: [v2.toUpperCase(), v1, mine], title });
    expect(a.status, a.body.subarray(0, 300).toString()).toBe(200);
    expect(a.cut).toBe(false);
    expect(a.headers['content-type']).toBe('application/zip');
    expect(a.headers['transfer-encoding']).toBe('chunked');
    expect(a.headers['cunzheng-exhibits']).toBe('4');
    const disposition = String(a.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="evidence-\d{8}-\d{6}\.zip"; filename\*=UTF-8''evidence-\d{8}-\d{6}-[A-Za-z0-9%._-]+\.zip$/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toContain('（2026）湘01民初123号_商业秘密纠纷');
    const { report, cli } = await verifyZip(a.body, 'case.zip');
    expect(report.parts.filter((p) => !p.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.title).toBe(title);
    // v1, its 定密 event and v2 (one document, ledger order), then the depositor's document.
    expect(report.exhibits.map((x) => x.id)).toEqual([v1, report.exhibits[1]!.id, v2, mine]);
    expect(report.exhibits.map((x) => x.kind)).toEqual(['deposit', 'classify', 'deposit', 'deposit']);
    expect(cli.code, `${cli.stdout}\n${cli.stderr}`).toBe(0);
    // The package's deposit: one entry, named by the trailer, listed with the tenant's deposits as the officer's.
    const packageId = a.trailers['cunzheng-package-id'];
    expect(packageId).toBe(report.packageReceipt?.id);
    expect(ctx.ledger.treeSize).toBe(sizeBefore + 1);
    const listing = JSON.parse((await call(base, 'GET', '/v1/deposits?limit=5', keys.officer)).body.toString()) as { deposits: { id: string; title?: string; sha256: string }[] };
    const row = listing.deposits.find((d) => d.id === packageId);
    expect(row?.title).toBe(`证据包 ${title}`);
    expect(row?.sha256).toBe(report.roots?.sha256);
  }, 300_000);

  it("answers another tenant's id and an unknown one as the history does, before anything is made or deposited", async () => {
    const sizeBefore = ctx.ledger.treeSize;
    for (const id of [theirs, 'ffffffffffffffffffffffffffffffff']) {
      const history = await call(base, 'GET', `/v1/deposits/${id}/history`, keys.officer);
      const a = await call(base, 'POST', '/v1/evidence', keys.officer, { ids: [v1, id] });
      expectErrorBody(json(a), 404, 'NOT_FOUND');
      expect(a.status).toBe(history.status);
      expect(JSON.parse(a.body.toString())).toEqual(JSON.parse(history.body.toString()));
    }
    expect(ctx.ledger.treeSize).toBe(sizeBefore);
  });

  it('refuses bad bodies with EVIDENCE_BAD_BODY naming the field, and nothing is deposited', async () => {
    const sizeBefore = ctx.ledger.treeSize;
    const cases: [unknown, string][] = [
      [{ ids: v1 }, 'ids'],
      [{ ids: [] }, 'ids'],
      [{ ids: ['zz'] }, 'ids.0'],
      [{ ids: [v1, `${v1}0`] }, 'ids.1'],
      [{ ids: [v1, 7] }, 'ids.1'],
      [{ ids: Array.from({ length: 1001 }, () => v1) }, 'ids'],
      [{ ids: [v1], title: '案'.repeat(191) }, 'title'],
      [{ ids: [v1], title: '案由\u0007' }, 'title'],
      [{ ids: [v1], title: 5 }, 'title'],
      [{ ids: [v1], lang: 'fr' }, 'lang'],
      [{ ids: [v1], extra: 1 }, 'extra'],
      [{}, 'body'],
      [[v1], 'body'],
    ];
    for (const [body, field] of cases) {
      const a = await call(base, 'POST', '/v1/evidence', keys.officer, body);
      const e = expectErrorBody(json(a), 400, 'EVIDENCE_BAD_BODY');
      expect(e.message.length).toBeLessThan(300);
      expect(e.message, JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expectErrorBody(json(await call(base, 'POST', '/v1/evidence', keys.officer, '{"ids": [')), 400, 'MALFORMED_JSON');
    expectErrorBody(json(await call(base, 'POST', '/v1/evidence', keys.officer, { ids: [v1], title: 'x'.repeat(70_000) })), 413, 'BODY_TOO_LARGE');
    expectErrorBody(json(await call(base, 'POST', '/v1/evidence', undefined, { ids: [v1] })), 401, 'UNAUTHORIZED');
    expect(ctx.ledger.treeSize).toBe(sizeBefore);
  });

  it('is for officers and depositors: a viewer gets 403, a depositor only their own documents (as the history), deposited as them', async () => {
    expectErrorBody(json(await call(base, 'POST', '/v1/evidence', keys.viewer, { ids: [v1] })), 403, 'ROLE_FORBIDDEN');
    const sizeBefore = ctx.ledger.treeSize;
    expectErrorBody(json(await call(base, 'POST', '/v1/evidence', keys.depositor, { ids: [mine, v1] })), 404, 'NOT_FOUND');
    expect(ctx.ledger.treeSize).toBe(sizeBefore);
    const a = await call(base, 'POST', '/v1/evidence', keys.depositor, { ids: [mine], lang: 'en' });
    expect(a.status).toBe(200);
    expect(a.headers['content-disposition']).toMatch(/^attachment; filename="evidence-\d{8}-\d{6}\.zip"$/);
    const { report } = await verifyZip(a.body, 'mine.zip');
    expect(report.ok).toBe(true);
    expect(report.exhibits.map((x) => x.id)).toEqual([mine]);
    const id = a.trailers['cunzheng-package-id']!;
    // The depositor sees the package's deposit (its operator), the officer too.
    expect((await call(base, 'GET', `/v1/deposits/${id}`, keys.depositor)).status).toBe(200);
    const other = await call(base, 'GET', `/v1/deposits/${id}`, keys.other);
    expect(other.status).toBe(404);
  }, 300_000);

  it('is in the OpenAPI document with its body schema and its zip answer', async () => {
    const doc = JSON.parse((await call(base, 'GET', '/docs/json', undefined)).body.toString()) as { paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, { content?: Record<string, unknown> }> } }> };
    const op = doc.paths['/v1/evidence']?.post;
    expect(JSON.stringify(op?.requestBody)).toContain('"maxItems":1000');
    expect(Object.keys(op?.responses?.['200']?.content ?? {})).toEqual(['application/zip']);
  });
});

describe('POST /v1/evidence: limits and failures', () => {
  it('past the builds allowed: 429 EVIDENCE_BUSY for the tenant, 503 EVIDENCE_SERVER_BUSY for the server, with Retry-After', async () => {
    for (const [options, status, code] of [[{ tenantEvidenceBuilds: 0 }, 429, 'EVIDENCE_BUSY'], [{ evidenceBuilds: 0 }, 503, 'EVIDENCE_SERVER_BUSY']] as const) {
      const limited = await buildApp(ctx, { docs: false, ...options });
      try {
        const res = await limited.inject({ method: 'POST', url: '/v1/evidence', headers: { authorization: `Bearer ${keys.officer}` }, payload: { ids: [v1] } });
        expectErrorBody(res, status, code);
        expect(res.headers['retry-after']).toBe('10');
      } finally {
        await limited.close();
      }
    }
  });

  it('a failure once the zip has started cuts the connection; the bytes received fail cunzheng verify with EVIDENCE_MALFORMED', async () => {
    // A pool whose first certificate is made and whose second fails, as a worker that dies would fail it.
    const real = ctx.pool!;
    let jobs = 0;
    const failing = { size: 1, run: (job: Parameters<WorkerPool['run']>[0]) => (job.kind !== 'certificate' || jobs++ === 0 ? real.run(job) : Promise.reject(new CunzhengError('WORKER_FAILED', 'a worker thread exited with code 1'))) } as unknown as WorkerPool;
    const broken = await buildApp({ ...ctx, pool: failing }, { docs: false, verifierHtml: null });
    const url = await broken.listen({ port: 0, host: '127.0.0.1' });
    try {
      const a = await call(url, 'POST', '/v1/evidence', keys.officer, { ids: [v1] });
      expect(a.status).toBe(200);
      expect(a.cut).toBe(true);
      expect(a.trailers['cunzheng-package-id']).toBeUndefined();
      expect(a.body.length).toBeGreaterThan(0);
      const { report, cli } = await verifyZip(a.body, 'cut.zip');
      expect(report.ok).toBe(false);
      expect(report.parts[0]).toMatchObject({ ok: false, code: 'EVIDENCE_MALFORMED' });
      expect(cli.code).toBe(1);
      expect(cli.stdout + cli.stderr).toContain('EVIDENCE_MALFORMED');
      // The slot was given back: the same tenant can make the next package.
      expect((await call(url, 'POST', '/v1/evidence', keys.officer, { ids: [theirs] })).status).toBe(404);
    } finally {
      await broken.close();
    }
  }, 300_000);
});

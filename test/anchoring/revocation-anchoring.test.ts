/**
 * Revocation evidence fetched at anchoring time, against the real openssl TSA and the real openssl OCSP responder
 * (test/tsa/revocation-pki.ts) on 127.0.0.1: stored with the anchor, verifiable as of genTime offline; a responder
 * outage keeps the anchor (evidence pending, durably) and the evidence is fetched on retry, also after a restart;
 * a TSA certificate revoked before genTime makes the token worthless, so it is not stored.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateHash, verifyTimestampToken } from '../../src/anchor/pure.js';
import { fromBase64, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { checkpointImprint, type StoredAnchor } from '../../src/service/anchorer.js';
import { openService } from '../../src/service/open.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { cliAsync } from '../cli/cli-async.js';
import { cli } from '../cli/run-cli.js';
import { codeOf } from '../support/codes.js';
import { startTestRevocation, type TestRevocation } from '../tsa/revocation-pki.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';

const ADMIN = 'revocation-admin-token-0123456789';
let dir: string;
let tsa: TestTsa;
let responder: TestRevocation;
let ctx: ServiceContext;
let app: FastifyInstance;
let apiKey: string;

async function open(): Promise<void> {
  ctx = await openService({
    dataDir: join(dir, 'data'), adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000,
    tsaRevocation: { ocspUrl: responder.ocspUrl, timeoutMs: 5_000 },
  });
  app = await buildApp(ctx, { docs: false });
}

async function close(): Promise<void> {
  await app.close();
  await ctx.anchorer.stop();
  await ctx.ledger.close();
}

async function deposit(text: string): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}` }, payload: { sha256: toHex(sha256(utf8(text))) } });
  expect(r.statusCode).toBe(201);
}

/** The stored anchor's evidence, verified offline as of its genTime. */
async function verifyStored(anchor: StoredAnchor, treeSize: number) {
  const note = (await ctx.ledger.checkpointAt(treeSize))!;
  return verifyTimestampToken(fromBase64(anchor.token), {
    imprint: checkpointImprint(note),
    roots: [tsa.caDer],
    revocation: (anchor.revocation ?? []).map((r) => ({ cert: r.cert, ...(r.ocsp ? { ocsp: fromBase64(r.ocsp) } : {}), ...(r.crl ? { crl: fromBase64(r.crl) } : {}) })),
    requireRevocation: true,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-revocation-'));
  [tsa, responder] = await Promise.all([startTestTsa(), startTestRevocation('good')]);
  await open();
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '吊销检查有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
  apiKey = (t.json() as { apiKey: string }).apiKey;
}, 60_000);

afterAll(async () => {
  await close();
  await Promise.all([tsa.close(), responder.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('revocation evidence at anchoring time', () => {
  it('is fetched from the configured OCSP responder, stored with the anchor, and verifies as of genTime', async () => {
    await deposit('evidence one');
    const a = await ctx.anchorer.anchorNow();
    const stored = await ctx.anchorer.anchorsAt(a!.treeSize);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.revocationPending).toBeUndefined();
    expect(stored[0]!.revocation).toEqual([{ cert: certificateHash(tsa.pki.tsaDer), ocsp: expect.any(String) }]);
    const v = await verifyStored(stored[0]!, a!.treeSize);
    expect(v.revocation.checked).toBe(true);
    expect(v.revocation.certificates[0]).toMatchObject({ status: 'good', sources: [{ source: 'ocsp', status: 'good' }] });
    expect(responder.requests).toBeGreaterThan(0);
  });

  it('a responder down at anchoring: the anchor is stored, pending (durably), and the evidence is fetched on retry', async () => {
    responder.setDown(true);
    await deposit('evidence two');
    const failures = ctx.anchorer.metrics.revocationFailures;
    const a = await ctx.anchorer.anchorNow();
    const stored = await ctx.anchorer.anchorsAt(a!.treeSize);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ revocationPending: true });
    expect(stored[0]!.revocation).toBeUndefined();
    expect(ctx.anchorer.metrics.revocationFailures).toBe(failures + 1);
    // still down: the retry keeps the mark
    expect(await ctx.anchorer.retryRevocation()).toBe(0);
    expect(ctx.anchorer.revocationPending.has(a!.treeSize)).toBe(true);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN}` } })).body;
    expect(metrics).toMatch(/^cunzheng_anchor_revocation_pending 1$/m);
    expect(metrics).toMatch(/^cunzheng_anchor_revocation_fetches_total\{result="failed"\} [1-9]/m);
    // a restart finds the mark in the store
    await close();
    await open();
    expect([...ctx.anchorer.revocationPending]).toEqual([a!.treeSize]);
    responder.setDown(false);
    expect(await ctx.anchorer.retryRevocation()).toBe(1);
    const after = await ctx.anchorer.anchorsAt(a!.treeSize);
    expect(after[0]!.revocationPending).toBeUndefined();
    expect(after[0]!.token).toBe(stored[0]!.token);
    expect((await verifyStored(after[0]!, a!.treeSize)).revocation.checked).toBe(true);
    expect(ctx.anchorer.revocationPending.size).toBe(0);
  });

  it('a TSA certificate revoked before genTime: the token is refused, not stored', async () => {
    responder.setStatus('revoked-before');
    try {
      await deposit('evidence three');
      const before = ctx.anchorer.latestAnchored!.treeSize;
      expect(await codeOf(ctx.anchorer.anchorNow())).toBe('ANCHOR_FAILED');
      expect(ctx.anchorer.tsas[0]!.lastError).toMatch(/^TSA_CERT_REVOKED/);
      expect(ctx.anchorer.latestAnchored!.treeSize).toBe(before);
      expect(await ctx.anchorer.anchorsAt(ctx.ledger.treeSize)).toEqual([]);
    } finally {
      responder.setStatus('good');
    }
  });
});

describe('receipts v2 carry the evidence', () => {
  let receipt: Receipt;
  let v1File: string;

  it('GET /v1/deposits/:id refreshes to the anchored checkpoint with its evidence (v2), and it verifies as of genTime', async () => {
    const id = (await app.inject({ method: 'GET', url: `/v1/deposits?sha256=${toHex(sha256(utf8('evidence one')))}`, headers: { authorization: `Bearer ${apiKey}` } })).json() as Receipt;
    const r = await app.inject({ method: 'GET', url: `/v1/deposits/${id.id}`, headers: { authorization: `Bearer ${apiKey}` } });
    expect(r.statusCode).toBe(200);
    receipt = r.json() as Receipt;
    expect(receipt.format).toBe('cunzheng/receipt/v2');
    expect(receipt.anchors[0]!.revocation).toEqual([{ cert: certificateHash(tsa.pki.tsaDer), ocsp: expect.any(String) }]);
    const v = await verifyReceipt(receipt, [ctx.ledger.verifierKey], {}, { tsaRoots: [tsa.caDer], requireRevocation: true });
    expect(v.anchors[0]!.revocation).toMatchObject({ checked: true, certificates: [{ status: 'good' }] });
    const c = (await app.inject({ method: 'GET', url: `/v1/checkpoints/${ctx.anchorer.latestAnchored!.treeSize}` })).json() as { anchors: Receipt['anchors'] };
    expect(c.anchors[0]!.revocation).toEqual(receipt.anchors[0]!.revocation);
  });

  it('cunzheng verify says what was checked; a v1 receipt without evidence is "not checked", a failure only with --require-revocation', () => {
    const file = join(dir, 'v2.receipt.json');
    writeFileSync(file, JSON.stringify(receipt));
    const key = ctx.ledger.verifierKey;
    const r = cli(['verify', file, '--key', key, '--tsa-roots', tsa.caFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/revocation: checked as of genTime \(OCSP good, produced \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+08:00\)/);
    const json = JSON.parse(cli(['verify', file, '--key', key, '--tsa-roots', tsa.caFile, '--json']).stdout) as { results?: unknown };
    expect(JSON.stringify(json)).toContain('"checked":true');
    const { revocation: _, ...bare } = receipt.anchors[0]!;
    v1File = join(dir, 'v1.receipt.json');
    writeFileSync(v1File, JSON.stringify({ ...receipt, format: 'cunzheng/receipt/v1', anchors: [bare] }));
    const plain = cli(['verify', v1File, '--key', key, '--tsa-roots', tsa.caFile]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('revocation: not checked (no evidence)');
    const required = cli(['verify', v1File, '--key', key, '--tsa-roots', tsa.caFile, '--require-revocation']);
    expect(required.code).toBe(1);
    expect(required.stdout + required.stderr).toContain('TSA_REVOCATION_MISSING');
  });

  it('receipt upgrade gains the evidence the log now has for a token the receipt carries, and keeps it', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const up = await cliAsync(['receipt', 'upgrade', v1File, '--url', `http://127.0.0.1:${port}/`, '--key', ctx.ledger.verifierKey, '--tsa-roots', tsa.caFile]);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    const upgraded = JSON.parse(readFileSync(v1File, 'utf8')) as Receipt;
    expect(upgraded.format).toBe('cunzheng/receipt/v2');
    expect(upgraded.anchors.find((a) => a.token === receipt.anchors[0]!.token)!.revocation).toEqual(receipt.anchors[0]!.revocation);
  });
});

describe('serve --tsa-ocsp / --tsa-crl', () => {
  it('refuses a URL that is not http(s), and the flags without --tsa, with one line and exit 2', () => {
    const data = join(dir, 'never');
    for (const [args, mention] of [
      [['--tsa', tsa.url, '--tsa-roots', tsa.caFile, '--tsa-ocsp', 'ftp://ocsp.example/'], '--tsa-ocsp'],
      [['--tsa', tsa.url, '--tsa-roots', tsa.caFile, '--tsa-crl', 'not a url'], '--tsa-crl'],
      [['--tsa-ocsp', 'http://ocsp.example/'], '--tsa'],
    ] as const) {
      const r = cli(['serve', '--data', data, '--port', '0', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(mention);
    }
  });
});

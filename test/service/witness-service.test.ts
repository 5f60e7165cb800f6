/**
 * The service with a witness policy (in-test witnesses on real ports, a real RFC 3161 TSA): what the public
 * routes serve before and after the witnesses cosign, receipts refreshed at the cosigned checkpoint, the
 * anchorer stamping the cosigned checkpoint rather than the newest, /metrics, a restart reading it all
 * back, and a policy that does not list the log refused at open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { closeService, openService } from '../../src/service/open.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { loadOrCreateLogKey } from '../../src/ledger/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { randomBytes } from 'node:crypto';
import { KEY_TYPE_COSIGNATURE_V1, cosignerFromSeed, formatVerifierKey, generateSigner } from '../../src/note/index.js';
import { parsePolicy, policyVerifiers, type Policy } from '../../src/policy/index.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { policyText, startTestWitness, type TestWitness } from './witness-helpers.js';

const ORIGIN = 'test.example/witness-service';
const ADMIN = 'witness-service-admin-token-012345';
let dir: string;
let data: string;
let tsa: TestTsa;
let ws: TestWitness[];
let policy: Policy;
let ctx: ServiceContext;
let app: FastifyInstance;
let apiKey: string;
let logKey: string;

async function start(): Promise<void> {
  ctx = await openService({
    dataDir: data, origin: ORIGIN, adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000,
    witnessPolicy: policy, witnessIntervalMs: 3_600_000, witnessTimeoutMs: 1_000,
  });
  app = await buildApp(ctx, { docs: false });
}

async function stop(): Promise<void> {
  await app.close();
  await closeService(ctx);
}

async function get(url: string, auth?: string) {
  return app.inject({ method: 'GET', url, ...(auth === undefined ? {} : { headers: { authorization: `Bearer ${auth}` } }) });
}

async function deposit(text: string): Promise<Receipt> {
  const r = await app.inject({ method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}` }, payload: { sha256: toHex(sha256(utf8(text))) } });
  expect(r.statusCode).toBe(201);
  return r.json() as Receipt;
}

const cosignersOf = (note: string): string[] => openCheckpoint(note, policyVerifiers(policy)).cosignatures.map((c) => c.name).sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-witness-service-'));
  data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  logKey = (await loadOrCreateLogKey(join(data, 'log.key'), ORIGIN)).verifierKey;
  tsa = await startTestTsa();
  ws = [await startTestWitness('a.example/w', logKey), await startTestWitness('b.example/w', logKey), await startTestWitness('c.example/w', logKey, { kind: 'slow', ms: 10_000 })];
  const unlisted = cosignerFromSeed('d.example/unlisted', randomBytes(32));
  const d = { name: unlisted.name, vkey: formatVerifierKey(unlisted.name, unlisted.publicKey, KEY_TYPE_COSIGNATURE_V1) }; // no URL: listed, not asked
  policy = parsePolicy(policyText(logKey, [...ws, d], 2));
  await start();
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '见证服务测试有限公司', uscc: completeUscc('91430100MA4L9W9W') } });
  apiKey = (t.json() as { apiKey: string }).apiKey;
}, 60_000);

afterAll(async () => {
  await stop();
  for (const w of ws) await w.close();
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a service with a witness policy', () => {
  it('serves the newest signed checkpoint until a witness cosigned, and lists the witnesses and the policy', async () => {
    await deposit('first');
    expect((await get('/checkpoint')).body).toBe(ctx.ledger.checkpoint);
    const log = (await get('/v1/log')).json();
    expect(log).toMatchObject({ policy: policy.text, cosignedTreeSize: null, quorumMet: false, sm2Key: null });
    expect(log.witnesses).toEqual([
      ...ws.map((w) => ({ name: w.name, key: w.vkey, url: w.url, size: null, lastCosignedAt: null, failures: 0, lastError: null })),
      expect.objectContaining({ name: 'd.example/unlisted', url: null }),
    ]);
  });

  it('after a run: /checkpoint, /v1/checkpoints/<size> and refreshed receipts carry the cosignatures; a slow witness is given up on', async () => {
    const r = await deposit('second');
    const t0 = performance.now();
    const c = await ctx.witnesser!.tick();
    expect(performance.now() - t0).toBeLessThan(3_000); // the slow one is cut at its deadline (1 s here)
    expect(c!.treeSize).toBe(ctx.ledger.treeSize);
    expect(cosignersOf((await get('/checkpoint')).body)).toEqual(['a.example/w', 'b.example/w']);
    const at = (await get(`/v1/checkpoints/${c!.treeSize}`)).json() as { checkpoint: string };
    expect(at.checkpoint).toBe(c!.checkpoint);
    const got = (await get(`/v1/deposits/${r.id}`, apiKey)).json() as Receipt;
    expect(cosignersOf(got.checkpoint)).toEqual(['a.example/w', 'b.example/w']);
    const v = await verifyReceipt(got, [logKey], {}, { policy });
    expect(v.policy?.met).toBe(true);
    const log = (await get('/v1/log')).json();
    expect(log).toMatchObject({ cosignedTreeSize: c!.treeSize, quorumMet: true });
    expect(log.witnesses[2]).toMatchObject({ failures: 1, lastError: 'WITNESS_TIMEOUT' });
    expect(log.witnesses[0].lastCosignedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('the anchorer stamps the newest cosigned checkpoint, not the newest signed one; receipts carry both', async () => {
    const cosigned = ctx.witnesser!.latestCosigned!;
    await deposit('third, not cosigned yet');
    expect(ctx.ledger.treeSize).toBeGreaterThan(cosigned.treeSize);
    const a = await app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(a.statusCode).toBe(200);
    expect(a.json().treeSize).toBe(cosigned.treeSize);
    expect(ctx.anchorer.latestAnchored!.checkpoint).toBe(cosigned.checkpoint);
    const first = (await get('/v1/deposits?sha256=' + toHex(sha256(utf8('first'))), apiKey)).json() as Receipt;
    expect(first.checkpoint).toBe(cosigned.checkpoint);
    expect(first.anchors[0]!.checkpoint).toBe(cosigned.checkpoint);
    const v = await verifyReceipt(first, [logKey], {}, { policy, tsaRoots: [tsa.caDer] });
    expect(v.anchors[0]).toMatchObject({ treeSize: cosigned.treeSize });
    expect(v.policy?.met).toBe(true);
  }, 20_000);

  it('/metrics shows the cosigned size, the quorum and each witness\'s lag and failures', async () => {
    const m = (await get('/metrics')).body;
    const size = ctx.witnesser!.latestCosigned!.treeSize;
    expect(m).toContain(`cunzheng_cosigned_tree_size ${size}`);
    expect(m).toContain('cunzheng_witness_quorum_met 1');
    expect(m).toContain(`cunzheng_witness_lag_entries{witness="a.example/w"} ${ctx.ledger.treeSize - size}`);
    expect(m).toContain(`cunzheng_witness_lag_entries{witness="c.example/w"} ${ctx.ledger.treeSize}`);
    expect(m).toContain('cunzheng_witness_consecutive_failures{witness="c.example/w",code="WITNESS_TIMEOUT"} 1');
    expect(m).not.toContain('d.example/unlisted');
  });

  it('reads the cosigned and the anchored checkpoint back after a restart, cosignatures included', async () => {
    const before = { cosigned: ctx.witnesser!.latestCosigned, anchored: ctx.anchorer.latestAnchored };
    await stop();
    await start();
    expect(ctx.witnesser!.latestCosigned).toEqual(before.cosigned);
    expect(ctx.anchorer.latestAnchored).toEqual(before.anchored);
    expect(cosignersOf((await get('/checkpoint')).body)).toEqual(['a.example/w', 'b.example/w']);
  });

  it('refuses at open a policy that lists no key of this log, and leaves the data folder usable', async () => {
    await stop();
    const other = generateSigner(ORIGIN).verifierKey;
    const wrong = parsePolicy(policyText(other, ws, 2));
    await expect(openService({ dataDir: data, origin: ORIGIN, adminToken: ADMIN, witnessPolicy: wrong })).rejects.toMatchObject({ code: 'WITNESS_POLICY_OTHER_LOG' });
    await start();
  });
});

/**
 * Real receipts for the evidence package's library tests: an in-process service, a tenant, three deposits
 * (each answered at its own checkpoint, so the exhibits' trees differ and the consistency proofs are not
 * empty), a new version and a 定密 event; and a builder wired to that service (its newest checkpoint, its
 * consistency proofs, its deposit of the package's roots).
 */
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { closeService, openService } from '../../src/service/open.js';
import { completeUscc } from '../../src/entry/index.js';
import { fromBase64, sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { parseCheckpoint } from '../../src/checkpoint/index.js';
import { buildEvidencePackage, type EvidenceInput, type EvidenceResult } from '../../src/evidence/index.js';

export const ADMIN = 'evidence-admin-token-0123456789abcdef';

export interface Fixture {
  dir: string;
  ctx: ServiceContext;
  app: FastifyInstance;
  vkey: string;
  auth: { authorization: string };
  /** Exhibit receipts, exact bytes, in ledger order. */
  receipts: Uint8Array[];
  /** Another valid receipt of the same log, in no package. */
  spare: Uint8Array;
  close(): Promise<void>;
}

async function deposit(app: FastifyInstance, auth: { authorization: string }, text: string, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const d = utf8(text);
  const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: auth, payload: { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)), size: d.length, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  return new Uint8Array(res.rawPayload);
}

export async function openFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-evidence-'));
  const ctx = await openService({ dataDir: join(dir, 'data'), origin: 'evidence.example/cunzheng', adminToken: ADMIN, tsaUrls: [], tsaRoots: [], anchorIntervalMs: 3_600_000 });
  const app = await buildApp(ctx, { docs: false });
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
  expect(t.statusCode, t.body).toBe(201);
  const auth = { authorization: `Bearer ${(t.json() as { apiKey: string }).apiKey}` };
  const first = await deposit(app, auth, '电解液配方 v1\n', { meta: { title: '电解液配方' } });
  const second = await deposit(app, auth, '隔膜工艺\n');
  const version = await deposit(app, auth, '电解液配方 v2\n', { meta: { title: '电解液配方' }, prev: parseReceipt(first).id });
  const e = await app.inject({ method: 'POST', url: `/v1/deposits/${parseReceipt(first).id}/events`, headers: auth, payload: { kind: 'classify', level: '核心商密', period: '2030-12-31', basis: '定密审批表 2026-17' } });
  expect(e.statusCode, e.body).toBe(201);
  const spare = await deposit(app, auth, '另一份文件\n');
  const log = (await app.inject({ method: 'GET', url: '/v1/log' })).json() as { key: string };
  return {
    dir, ctx, app, vkey: log.key, auth, receipts: [first, version, new Uint8Array(e.rawPayload), second], spare,
    async close() {
      await app.close();
      await closeService(ctx);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const treeSizeOf = (receipt: Uint8Array): number => parseCheckpoint(parseReceipt(receipt).checkpoint.split('\n\n')[0]! + '\n').treeSize;

/** The builder's input from the fixture's service: its newest checkpoint, its proofs, its deposit route. */
export async function inputFrom(f: Fixture, receipts: Uint8Array[], extra: Partial<EvidenceInput> = {}): Promise<EvidenceInput> {
  const checkpoint = (await f.app.inject({ method: 'GET', url: '/checkpoint' })).body;
  const treeSize = parseCheckpoint(checkpoint.split('\n\n')[0]! + '\n').treeSize;
  const proofs = new Map<number, Uint8Array[]>();
  for (const size of new Set(receipts.map(treeSizeOf))) {
    const res = await f.app.inject({ method: 'GET', url: `/v1/proof/consistency?from=${size}&to=${treeSize}` });
    proofs.set(size, (res.json() as { proof: string[] }).proof.map((h) => fromBase64(h)));
  }
  return {
    title: '（2026）湘01民初123号 商业秘密纠纷', lang: 'zh', receipts, checkpoint, consistency: { treeSize, proofs },
    verifierKeys: [f.vkey], keysFromLog: true,
    async deposit(item) {
      const res = await f.app.inject({ method: 'POST', url: '/v1/deposits', headers: f.auth, payload: item });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return new Uint8Array(res.rawPayload);
    },
    ...extra,
  };
}

/** Builds a package into `path`; the result once the file is complete. */
export async function buildTo(path: string, input: EvidenceInput): Promise<EvidenceResult> {
  const { stream, result } = buildEvidencePackage(input);
  await pipeline(stream, createWriteStream(path));
  return result;
}

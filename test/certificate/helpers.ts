/**
 * Real receipts for the certificate tests: a service with a real RFC 3161 TSA (openssl ts, test/tsa) and an
 * SM2 log key, a
 * tenant, a deposit with its title, file name and level, anchored and refreshed (GET /v1/deposits/:id), and
 * an event (定密) about it; and the poppler tools that read the PDFs back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { closeService, openService } from '../../src/service/open.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { receiptReplyJson, type Receipt } from '../../src/receipt/index.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';

export const ADMIN = 'certificate-admin-token-0123456789abcdef';
export const DOCUMENT = utf8('电解液配方 v3：碳酸乙烯酯 30%，碳酸二甲酯 70%。\n');

export interface Fixture {
  dir: string;
  tsa: TestTsa;
  ctx: ServiceContext;
  app: FastifyInstance;
  vkey: string;
  auth: { authorization: string };
  otherAuth: { authorization: string };
  /** The anchored deposit's receipt, as GET /v1/deposits/:id answers it (exact bytes). */
  deposit: Uint8Array;
  event: Uint8Array;
  documentPath: string;
  caFile: string;
  close(): Promise<void>;
}

async function tenant(app: FastifyInstance, name: string, uscc: string): Promise<{ authorization: string }> {
  const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name, uscc } });
  expect(t.statusCode, t.body).toBe(201);
  return { authorization: `Bearer ${(t.json() as { apiKey: string }).apiKey}` };
}

export async function openFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-certificate-'));
  const tsa = await startTestTsa();
  // With an SM2 log key beside the Ed25519 one: every checkpoint carries both lines (serve --sm2).
  const ctx = await openService({ dataDir: join(dir, 'data'), sm2KeyPath: join(dir, 'log-sm2.key'), origin: 'cert.example/cunzheng', adminToken: ADMIN, tsaUrls: [tsa.url], tsaRoots: [tsa.caDer], anchorIntervalMs: 3_600_000 });
  const app = await buildApp(ctx, { docs: false });
  const auth = await tenant(app, '示例新能源科技有限公司', completeUscc('91430100MA4L16JJ'));
  const otherAuth = await tenant(app, '另一家科技有限公司', completeUscc('9111000060003734'));
  const payload = { sha256: toHex(sha256(DOCUMENT)), sm3: toHex(sm3(DOCUMENT)), size: DOCUMENT.length, meta: { title: '电解液配方 v3', filename: 'formula-v3.txt', level: '核心商密' } };
  const d = await app.inject({ method: 'POST', url: '/v1/deposits', headers: auth, payload });
  expect(d.statusCode, d.body).toBe(201);
  const id = (d.json() as Receipt).id;
  const anchored = await app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN}` } });
  expect(anchored.statusCode, anchored.body).toBe(200);
  const got = await app.inject({ method: 'GET', url: `/v1/deposits/${id}`, headers: auth });
  const receipt = got.json() as Receipt;
  expect(receipt.anchors.length).toBe(1);
  const e = await app.inject({ method: 'POST', url: `/v1/deposits/${id}/events`, headers: auth, payload: { kind: 'classify', level: '核心商密', period: '2030-12-31', basis: '定密审批表 2026-17' } });
  expect(e.statusCode, e.body).toBe(201);
  const log = (await app.inject({ method: 'GET', url: '/v1/log' })).json() as { key: string };
  const documentPath = join(dir, 'formula-v3.txt');
  writeFileSync(documentPath, DOCUMENT);
  return {
    dir, tsa, ctx, app, vkey: log.key, auth, otherAuth, documentPath, caFile: tsa.caFile,
    deposit: receiptReplyJson(receipt),
    event: new Uint8Array(e.rawPayload),
    async close() {
      await app.close();
      await closeService(ctx);
      await tsa.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts' | 'pdfdetach' | 'pdftoppm', args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The text of every page, white space removed (long values wrap where the layout chose). */
export function pdfText(path: string): string {
  return poppler('pdftotext', ['-enc', 'UTF-8', path, '-']).replace(/\s+/g, '');
}

export const squeeze = (s: string): string => s.replace(/\s+/g, '');

export function write(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

export const read = (p: string): Buffer => readFileSync(p);

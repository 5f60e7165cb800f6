/**
 * Shared fixtures for the HTTP tests: a service on a fresh data directory, its app (never listening unless
 * a test asks), tenants created through the admin route, and small assertions on the error shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { closeService, openService } from '../../src/service/open.js';
import { buildApp } from '../../src/http/app.js';
import type { AppOptions, ServiceContext } from '../../src/http/context.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ORIGIN = 'test.example/cunzheng-http';
export const USCC_A = completeUscc('91430100MA4L16JJ');
export const USCC_B = completeUscc('9111000060003734');

export interface TestService {
  dir: string;
  ctx: ServiceContext;
  app: FastifyInstance;
  /** Closes the app, then the ledger; the data directory stays for inspection. */
  stop(): Promise<void>;
  /** stop(), then removes the data directory. */
  close(): Promise<void>;
}

export function tempDir(prefix = 'cunzheng-http-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A service on a fresh data directory (docs off unless asked for). */
export async function openTestService(
  appOptions: AppOptions = {},
  serviceOptions: { maxGroup?: number; maxQueue?: number; workers?: number } = {},
): Promise<TestService> {
  const t = tempDir();
  // One worker thread by default: the replies of new deposits go through the pool, as under `serve`.
  const ctx = await openService({ dataDir: t.dir, origin: ORIGIN, adminToken: ADMIN_TOKEN, workers: 1, ...serviceOptions });
  let app: FastifyInstance;
  try {
    app = await buildApp(ctx, { docs: false, ...appOptions });
  } catch (e) {
    await closeService(ctx);
    t.cleanup();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        await app.close();
      } finally {
        await closeService(ctx);
      }
    })());
  return {
    dir: t.dir,
    ctx,
    app,
    stop,
    async close() {
      try {
        await stop();
      } finally {
        t.cleanup();
      }
    },
  };
}

export interface TestTenant {
  id: string;
  name: string;
  uscc: string;
  apiKey: string;
  auth: { authorization: string };
}

export async function createTenant(app: FastifyInstance, name: string, uscc: string): Promise<TestTenant> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/admin/tenants',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { name, uscc },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { id: string; name: string; uscc: string; apiKey: string };
  return { ...body, auth: { authorization: `Bearer ${body.apiKey}` } };
}

/** A distinct, recognisable SHA-256 hex digest for test deposit `label`. */
export function digestOf(label: string): string {
  return toHex(sha256(utf8(`cunzheng-http-test:${label}`)));
}

/** The error body every failure carries: a 4xx/5xx status, a SCREAMING_SNAKE_CASE code and a message. */
export function expectErrorBody(res: LightMyRequestResponse | { statusCode: number; body: string }, status?: number, code?: string): { statusCode: number; code: string; message: string } {
  if (status !== undefined) expect(res.statusCode, res.body).toBe(status);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new Error(`expected a JSON error body, got ${JSON.stringify(res.body.slice(0, 200))}`);
  }
  expect(body).toEqual({ statusCode: res.statusCode, code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/), message: expect.any(String) });
  const b = body as { statusCode: number; code: string; message: string };
  if (code !== undefined) expect(b.code, b.message).toBe(code);
  return b;
}

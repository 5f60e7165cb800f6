/** Fixtures of the lifecycle tests: deposits, events, users by role, and a snapshot of everything derived. */
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { toHex } from '../../src/crypto/index.js';
import type { ServiceContext } from '../../src/http/context.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseEntry, type Entry } from '../../src/entry/index.js';
import type { Receipt } from '../../src/receipt/index.js';
import { digestOf, type TestTenant } from './helpers.js';

export type Auth = { authorization: string };

export async function deposit(app: FastifyInstance, auth: Auth, label: string, extra: Record<string, unknown> = {}): Promise<Receipt> {
  const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: auth, payload: { sha256: digestOf(label), size: 10, ...extra } });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as Receipt;
}

export function event(app: FastifyInstance, auth: Auth, id: string, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: `/v1/deposits/${id}/events`, headers: auth, payload: body });
}

export async function recorded(app: FastifyInstance, auth: Auth, id: string, body: Record<string, unknown>): Promise<Receipt> {
  const res = await event(app, auth, id, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Receipt;
}

export function entryOf(r: Receipt): Entry {
  return parseEntry(fromBase64(r.entry));
}

/** A user of `role` in the tenant, made by its founding officer. */
export async function userOf(app: FastifyInstance, tenant: TestTenant, role: 'officer' | 'depositor' | 'viewer'): Promise<{ id: string; auth: Auth }> {
  const res = await app.inject({ method: 'POST', url: '/v1/users', headers: tenant.auth, payload: { role } });
  expect(res.statusCode, res.body).toBe(201);
  const b = res.json() as { id: string; apiKey: string };
  return { id: b.id, auth: { authorization: `Bearer ${b.apiKey}` } };
}

/** Every derived record (D I L R H N C) and the tree size, as text: equal snapshots = nothing written. */
export async function snapshot(ctx: ServiceContext): Promise<string> {
  const out: string[] = [`size ${ctx.ledger.treeSize}`];
  for (const table of ['digest', 'id', 'listing', 'docOf', 'history', 'roots', 'docState'] as const) {
    for await (const [k, v] of ctx.ledger.records.iterate(table)) out.push(`${toHex(k)}=${toHex(v)}`);
  }
  return out.join('\n');
}

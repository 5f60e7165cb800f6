/**
 * The service never serves a receipt it cannot vouch for, and blames itself: damaged indexes, entries and
 * tenant records (written with the raw LevelDB handle, as a flipped bit on disk would leave them) are
 * answered 500 STORE_CORRUPT through the HTTP API, never 200 with another deposit's receipt, never a 4xx.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openService } from '../../src/service/open.js';
import { buildApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/http/context.js';
import { parseEntry } from '../../src/entry/index.js';
import { fromBase64, utf8 } from '../../src/crypto/index.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { expectErrorBody } from '../http/helpers.js';
import { ADMIN, ORIGIN, USCC_A, USCC_B, check, codes, digestKeyOf, digests, flipBit, idKeyOf, indexBytes, tenantKeyOf } from './corrupt-helpers.js';

let dir: string;
let svc: { ctx: ServiceContext; app: FastifyInstance; stop: () => Promise<void> } | undefined;

async function start(): Promise<{ ctx: ServiceContext; app: FastifyInstance }> {
  const ctx = await openService({ dataDir: dir, origin: ORIGIN, adminToken: ADMIN });
  const app = await buildApp(ctx, { docs: false });
  svc = { ctx, app, stop: async () => { await app.close(); await ctx.ledger.close(); } };
  return svc;
}

async function restart(): Promise<{ ctx: ServiceContext; app: FastifyInstance }> {
  await svc?.stop();
  svc = undefined;
  return start();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-stored-reads-'));
});

afterEach(async () => {
  await svc?.stop().catch(() => undefined);
  svc = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface T { id: string; name: string; auth: { authorization: string } }

async function tenant(app: FastifyInstance, name: string, uscc: string): Promise<T> {
  const res = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name, uscc } });
  expect(res.statusCode, res.body).toBe(201);
  const b = res.json() as { id: string; name: string; apiKey: string };
  return { id: b.id, name: b.name, auth: { authorization: `Bearer ${b.apiKey}` } };
}

async function deposit(app: FastifyInstance, t: T, shas: string[]): Promise<Receipt[]> {
  const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: t.auth, payload: { items: shas.map((sha256) => ({ sha256 })) } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { receipts: Receipt[] }).receipts;
}

const byId = (app: FastifyInstance, t: T, id: string) => app.inject({ method: 'GET', url: `/v1/deposits/${id}`, headers: t.auth });
const bySha = (app: FastifyInstance, t: T, sha: string) => app.inject({ method: 'GET', url: `/v1/deposits?sha256=${sha}`, headers: t.auth });

/** Two tenants, five deposits of A's (leaves 0-4) and two of B's (5-6). */
async function seed(): Promise<{ ctx: ServiceContext; app: FastifyInstance; a: T; b: T; shasA: string[]; ra: Receipt[]; rb: Receipt[] }> {
  const { ctx, app } = await start();
  const a = await tenant(app, '甲方科技有限公司', USCC_A);
  const b = await tenant(app, '乙方实业有限公司', USCC_B);
  const shasA = digests(5);
  const ra = await deposit(app, a, shasA);
  const rb = await deposit(app, b, digests(2));
  return { ctx, app, a, b, shasA, ra, rb };
}

describe('GET by digest and by id, with a damaged index or entry', () => {
  it('a digest index naming another of the tenant\'s leaves: 500 STORE_CORRUPT, not the other deposit\'s receipt', async () => {
    const { ctx, app, a, shasA } = await seed();
    await ctx.ledger['store'].db.put(digestKeyOf(a.id, shasA[1]!), indexBytes(3));
    expectErrorBody(await bySha(app, a, shasA[1]!), 500, 'STORE_CORRUPT');
    // One beyond the tree (a flipped high bit) as well.
    await ctx.ledger['store'].db.put(digestKeyOf(a.id, shasA[2]!), flipBit(indexBytes(2), 0));
    expectErrorBody(await bySha(app, a, shasA[2]!), 500, 'STORE_CORRUPT');
    expect((await bySha(app, a, shasA[0]!)).statusCode).toBe(200);
  });

  it('an id index naming another leaf (the tenant\'s or another tenant\'s): 500 STORE_CORRUPT, not 200 or 404', async () => {
    const { ctx, app, a, ra } = await seed();
    await ctx.ledger['store'].db.put(idKeyOf(ra[0]!.id), indexBytes(4));
    expectErrorBody(await byId(app, a, ra[0]!.id), 500, 'STORE_CORRUPT');
    await ctx.ledger['store'].db.put(idKeyOf(ra[1]!.id), indexBytes(5)); // B's first deposit
    expectErrorBody(await byId(app, a, ra[1]!.id), 500, 'STORE_CORRUPT');
    const ok = await byId(app, a, ra[2]!.id);
    expect(ok.statusCode).toBe(200);
    await verifyReceipt(ok.json() as Receipt, [ctx.ledger.verifierKey]);
  });

  it('a stored entry that no longer parses: 500 STORE_CORRUPT, never the client\'s ENTRY_UNKNOWN_FIELD', async () => {
    const { ctx, app, a, shasA, ra } = await seed();
    const key = new Uint8Array([0x65, 0, 0, 0, 0, 0, 0, 0, 3]);
    const entry = (await ctx.ledger['store'].db.get(key))!;
    const at = Buffer.from(entry).indexOf('"hashedBy"') + 8; // the y of hashedBy
    await ctx.ledger['store'].db.put(key, flipBit(entry, 8 * at)); // "hashedBx": an unknown field
    expectErrorBody(await byId(app, a, ra[3]!.id), 500, 'STORE_CORRUPT');
    // The HTTP body says "internal error"; the error (and the log) name the damaged record.
    await expect(ctx.deposits.get(ctx.tenants.get(a.id)!, ra[3]!.id)).rejects.toMatchObject({ code: 'STORE_CORRUPT', details: { where: 'entry 3', problem: 'ENTRY_UNPARSEABLE' } });
    expectErrorBody(await bySha(app, a, shasA[3]!), 500, 'STORE_CORRUPT');
  });

  it('a receipt that would not verify (a wrong proof node from storage) is never served', async () => {
    const { ctx, app, a, shasA, ra } = await seed();
    const real = ctx.ledger.inclusionProof.bind(ctx.ledger);
    vi.spyOn(ctx.ledger, 'inclusionProof').mockImplementation(async (i, size) => {
      const p = await real(i, size);
      return p.map((h, k) => (k === 0 ? flipBit(h, 17) : h));
    });
    expectErrorBody(await byId(app, a, ra[0]!.id), 500, 'STORE_CORRUPT');
    expectErrorBody(await bySha(app, a, shasA[0]!), 500, 'STORE_CORRUPT');
    vi.restoreAllMocks();
    expect((await byId(app, a, ra[0]!.id)).statusCode).toBe(200);
  });
});

describe('an idempotent repeat through a damaged digest index', () => {
  it('is STORE_CORRUPT: never another deposit\'s receipt, never a duplicate leaf, and nothing of the batch is appended', async () => {
    const { ctx, app, a, shasA } = await seed();
    await ctx.ledger['store'].db.put(digestKeyOf(a.id, shasA[1]!), indexBytes(6)); // B's second deposit
    const size = ctx.ledger.treeSize;
    const one = await app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: shasA[1] } });
    expectErrorBody(one, 500, 'STORE_CORRUPT');
    const batch = await app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { items: [{ sha256: digests(1)[0] }, { sha256: shasA[1] }] } });
    expectErrorBody(batch, 500, 'STORE_CORRUPT');
    await ctx.ledger.flush();
    expect(ctx.ledger.treeSize).toBe(size);
    // An intact repeat is still the original receipt.
    const again = await app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: shasA[0] } });
    expect(again.statusCode).toBe(200);
    expect(parseEntry(fromBase64((again.json() as Receipt).entry)).digest.sha256).toBe(shasA[0]);
  });
});

describe('tenant records', () => {
  it('a flipped bit in a tenant\'s name: refused at load; that tenant is answered STORE_CORRUPT, the other served', async () => {
    const { ctx, a, b } = await seed();
    const key = tenantKeyOf(a.id);
    const record = (await ctx.ledger['store'].db.get(key))!;
    const at = Buffer.from(record).indexOf(utf8('公司')) + 2; // a continuation byte: still valid UTF-8, another character
    await ctx.ledger['store'].db.put(key, flipBit(record, 8 * at));
    const { ctx: ctx2, app } = await restart();
    const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: digests(1)[0] } });
    expectErrorBody(res, 500, 'STORE_CORRUPT');
    expect(ctx2.tenants.corrupt.map((c) => c.id)).toEqual([a.id]);
    expect(() => ctx2.tenants.authenticate(a.auth.authorization.slice('Bearer '.length))).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', details: { where: `tenant ${a.id}`, problem: 'TENANT_CORRUPT' } }));
    expectErrorBody(await bySha(app, a, digests(1)[0]!), 500, 'STORE_CORRUPT');
    expect((await deposit(app, b, digests(1))).length).toBe(1);
    const r = await check(ctx2.ledger['store']);
    expect(codes(r.problems)).toEqual(['TENANT_CORRUPT']);
  });

  it('a tenant record whose key was damaged: its API key is answered STORE_CORRUPT, not 401', async () => {
    const { ctx, a } = await seed();
    const key = tenantKeyOf(a.id);
    const record = (await ctx.ledger['store'].db.get(key))!;
    await ctx.ledger['store'].db.del(key);
    await ctx.ledger['store'].db.put(flipBit(key, 8 * 5 + 1), record);
    const { app } = await restart();
    const res = await app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digests(1)[0]}`, headers: a.auth });
    expectErrorBody(res, 500, 'STORE_CORRUPT');
    expectErrorBody(await app.inject({ method: 'GET', url: `/v1/deposits?sha256=${digests(1)[0]}`, headers: { authorization: 'Bearer czk_nobody' } }), 401, 'UNAUTHORIZED');
  });

  it('legacy (b4de8cb) records load and serve; a legacy name that differs from its entries is refused at load', async () => {
    const { ctx, a, b } = await seed();
    const legacy = async (t: T, name: string): Promise<void> => {
      const s = JSON.parse(Buffer.from((await ctx.ledger['store'].db.get(tenantKeyOf(t.id)))!).toString()) as Record<string, string>;
      await ctx.ledger['store'].db.put(tenantKeyOf(t.id), utf8(JSON.stringify({ id: t.id, name, uscc: s.uscc, created: s.created, keyHash: s.keyHash })));
      await ctx.ledger['store'].db.put(new Uint8Array([0x78, 0x4b, ...Buffer.from(s.keyHash!, 'hex')]), utf8(t.id));
    };
    await legacy(a, a.name);
    await legacy(b, '乙方实业有限公可'); // a valid name, but not the one in B's entries
    const { ctx: ctx2, app } = await restart();
    const mine = await deposit(app, a, digests(1));
    expect(parseEntry(fromBase64(mine[0]!.entry)).subject.name).toBe(a.name);
    const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: b.auth, payload: { sha256: digests(1)[0] } });
    expectErrorBody(res, 500, 'STORE_CORRUPT');
    expect(ctx2.tenants.legacyRecords).toBe(2);
    expect(ctx2.tenants.corrupt.map((c) => c.id)).toEqual([b.id]);
  });
});

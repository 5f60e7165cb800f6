/**
 * Deposits with the digest filter: idempotency must hold whether the filter is loaded, still loading, or
 * wrong in the safe direction (a fingerprint collision), and under concurrent batches of one tenant.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService } from '../../src/service/open.js';
import { Deposits, type DepositInput, type DepositResult } from '../../src/service/deposits.js';
import { Tenants, type Tenant } from '../../src/service/tenants.js';
import { Ledger } from '../../src/ledger/index.js';
import type { ServiceContext } from '../../src/http/context.js';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { fromBase64, toHex } from '../../src/crypto/index.js';
import { verifyReceipt } from '../../src/receipt/index.js';

const ADMIN = 'deposits-filter-admin-token-0123';
const ORIGIN = 'test.example/deposits-filter';
const USCC_A = completeUscc('91430100MA4L16JJ');
const USCC_B = completeUscc('9111000060003734');

let dir: string;
/** Everything opened by a test, closed in afterEach (in reverse order). */
let toClose: (() => Promise<void>)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-deposits-filter-'));
});

afterEach(async () => {
  for (const c of toClose.reverse()) await c().catch(() => undefined);
  toClose = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<{ ctx: ServiceContext; stop: () => Promise<void> }> {
  const ctx = await openService({ dataDir: dir, origin: ORIGIN, adminToken: ADMIN });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await ctx.anchorer.stop();
      await ctx.ledger.close();
    })());
  toClose.push(stop);
  return { ctx, stop };
}

async function openBare(): Promise<{ ledger: Ledger; tenants: Tenants; deposits: Deposits; stop: () => Promise<void> }> {
  const ledger = await Ledger.open({ dataDir: dir, origin: ORIGIN });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= ledger.close());
  toClose.push(stop);
  return { ledger, tenants: await Tenants.load(ledger.records), deposits: new Deposits(ledger), stop };
}

async function whenReady(ledger: Ledger): Promise<void> {
  const until = Date.now() + 10_000;
  while (!ledger.index.filter.ready) {
    if (Date.now() > until) throw new Error('the digest filter did not become ready');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const digests = (n: number): string[] => Array.from({ length: n }, () => toHex(randomBytes(32)));
const items = (shas: readonly string[]): DepositInput[] => shas.map((sha256) => ({ sha256 }));

/** Checks each result's receipt names its digest and tenant and verifies under the log key. */
async function checkReceipts(ledger: Ledger, tenant: Tenant, shas: readonly string[], results: readonly DepositResult[]): Promise<void> {
  expect(results).toHaveLength(shas.length);
  for (const [i, r] of results.entries()) {
    const entry = parseEntry(fromBase64(r.receipt.entry));
    expect(entry.digest.sha256).toBe(shas[i]);
    expect(entry.tenant).toBe(tenant.id);
    expect(r.receipt.index).toBeLessThan(ledger.treeSize);
  }
  for (const r of results.slice(0, 5)) await verifyReceipt(r.receipt, [ledger.verifierKey]);
}

/** A first service: two tenants, and a batch of A's deposits. */
async function seed(n = 60): Promise<{ a: Tenant; b: Tenant; shas: string[]; ids: string[]; size: number }> {
  const { ctx, stop } = await start();
  const a = (await ctx.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A })).tenant;
  const b = (await ctx.tenants.create({ name: '乙方实业有限公司', uscc: USCC_B })).tenant;
  const shas = digests(n);
  const first = await ctx.deposits.depositBatch(a, items(shas));
  expect(first.every((r) => r.created)).toBe(true);
  await checkReceipts(ctx.ledger, a, shas, first);
  const size = ctx.ledger.treeSize;
  expect(size).toBe(n);
  await stop();
  return { a, b, shas, ids: first.map((r) => r.receipt.id), size };
}

describe('after a restart, with the filter loaded from the stored keys', () => {
  it('answers old digests with their original receipts and appends nothing; another tenant still deposits', async () => {
    const s = await seed();
    const { ctx } = await start();
    await whenReady(ctx.ledger);
    expect(ctx.ledger.index.filter.size).toBe(s.shas.length);
    const a = ctx.tenants.get(s.a.id)!;
    const b = ctx.tenants.get(s.b.id)!;

    const again = await ctx.deposits.depositBatch(a, items(s.shas));
    expect(again.map((r) => r.created)).toEqual(s.shas.map(() => false));
    expect(again.map((r) => r.receipt.id)).toEqual(s.ids);
    await checkReceipts(ctx.ledger, a, s.shas, again);
    await ctx.ledger.flush();
    expect(ctx.ledger.treeSize).toBe(s.size);

    // One at a time as well.
    const one = await ctx.deposits.deposit(a, { sha256: s.shas[7]! });
    expect(one.created).toBe(false);
    expect(one.receipt.id).toBe(s.ids[7]);

    // Tenant B depositing A's digest: a new deposit of B's.
    const theirs = await ctx.deposits.depositBatch(b, items([s.shas[0]!, s.shas[1]!]));
    expect(theirs.map((r) => r.created)).toEqual([true, true]);
    expect(theirs.map((r) => r.receipt.id)).not.toContain(s.ids[0]);
    await checkReceipts(ctx.ledger, b, [s.shas[0]!, s.shas[1]!], theirs);
    expect(ctx.ledger.treeSize).toBe(s.size + 2);
    // ... and again: now B's too.
    const theirsAgain = await ctx.deposits.depositBatch(b, items([s.shas[0]!]));
    expect(theirsAgain[0]!.created).toBe(false);
    expect(theirsAgain[0]!.receipt.id).toBe(theirs[0]!.receipt.id);

    // A mixed batch: old, new, the same new one twice.
    const fresh = digests(3);
    const mixed = await ctx.deposits.depositBatch(a, items([s.shas[3]!, fresh[0]!, fresh[1]!, fresh[0]!, s.shas[4]!, fresh[2]!]));
    expect(mixed.map((r) => r.created)).toEqual([false, true, true, false, false, true]);
    expect(mixed[0]!.receipt.id).toBe(s.ids[3]);
    expect(mixed[4]!.receipt.id).toBe(s.ids[4]);
    expect(mixed[3]!.receipt.id).toBe(mixed[1]!.receipt.id);
    expect(ctx.ledger.treeSize).toBe(s.size + 2 + 3);
  });

  it('answers never-deposited digests from memory, and still reads the store for the old ones', async () => {
    const s = await seed();
    const { ctx } = await start();
    await whenReady(ctx.ledger);
    const a = ctx.tenants.get(s.a.id)!;
    const spy = vi.spyOn(ctx.ledger['store'], 'getExtraMany');

    const fresh = digests(200);
    const created = await ctx.deposits.depositBatch(a, items(fresh));
    expect(created.every((r) => r.created)).toBe(true);
    // Only fingerprint collisions (about 200 · 62 / 2^32) would send a lookup to the store.
    const looked = spy.mock.calls.reduce((n, [keys]) => n + keys.length, 0);
    expect(looked).toBeLessThanOrEqual(1);

    spy.mockClear();
    const old = await ctx.deposits.depositBatch(a, items(s.shas.slice(0, 10)));
    expect(old.every((r) => !r.created)).toBe(true);
    expect(spy.mock.calls.reduce((n, [keys]) => n + keys.length, 0)).toBe(10);
    // The digests just created are in the filter too (added by the commit path).
    spy.mockClear();
    const recent = await ctx.deposits.depositBatch(a, items(fresh.slice(0, 5)));
    expect(recent.map((r) => r.receipt.id)).toEqual(created.slice(0, 5).map((r) => r.receipt.id));
    expect(recent.every((r) => !r.created)).toBe(true);
    expect(ctx.ledger.treeSize).toBe(s.size + 200);
  });
});

describe('before the filter is ready', () => {
  it('finds duplicates through LevelDB', async () => {
    const s = await seed();
    const { ledger, tenants, deposits } = await openBare();
    const a = tenants.get(s.a.id)!;
    const b = tenants.get(s.b.id)!;
    expect(ledger.index.filter.ready).toBe(false);
    const spy = vi.spyOn(ledger['store'], 'getExtraMany');

    const again = await deposits.depositBatch(a, items(s.shas));
    expect(again.every((r) => !r.created)).toBe(true);
    expect(again.map((r) => r.receipt.id)).toEqual(s.ids);
    await checkReceipts(ledger, a, s.shas, again);
    expect(spy.mock.calls.reduce((n, [keys]) => n + keys.length, 0)).toBe(s.shas.length);
    expect(ledger.treeSize).toBe(s.size);

    const fresh = digests(4);
    const one = await deposits.depositBatch(a, items([fresh[0]!, s.shas[2]!, fresh[1]!]));
    expect(one.map((r) => r.created)).toEqual([true, false, true]);
    expect(one[1]!.receipt.id).toBe(s.ids[2]);
    const theirs = await deposits.deposit(b, { sha256: s.shas[2]! });
    expect(theirs.created).toBe(true);
    expect(ledger.treeSize).toBe(s.size + 3);
    expect(ledger.index.filter.ready).toBe(false);

    // Loading the filter now: deposits from before the restart (the scan) and from before the load (the
    // commit path) are both known, and a repeat appends nothing.
    await ledger.index.loadFilter();
    expect(ledger.index.filter.ready).toBe(true);
    const repeat = await deposits.depositBatch(a, items([...s.shas.slice(0, 3), fresh[0]!, fresh[1]!]));
    expect(repeat.every((r) => !r.created)).toBe(true);
    expect(repeat.map((r) => r.receipt.id)).toEqual([...s.ids.slice(0, 3), one[0]!.receipt.id, one[2]!.receipt.id]);
    expect((await deposits.deposit(b, { sha256: s.shas[2]! })).created).toBe(false);
    expect(ledger.treeSize).toBe(s.size + 3);
  });
});

describe('a filter that says "maybe" wrongly', () => {
  it('costs a lookup but never loses or duplicates a deposit (mayContain always true)', async () => {
    const s = await seed();
    const { ctx } = await start();
    await whenReady(ctx.ledger);
    ctx.ledger.index.filter.mayContain = () => true;
    const a = ctx.tenants.get(s.a.id)!;
    const fresh = digests(20);
    const r = await ctx.deposits.depositBatch(a, items([...fresh, ...s.shas.slice(0, 20)]));
    expect(r.map((x) => x.created)).toEqual([...fresh.map(() => true), ...s.shas.slice(0, 20).map(() => false)]);
    expect(r.slice(20).map((x) => x.receipt.id)).toEqual(s.ids.slice(0, 20));
    await checkReceipts(ctx.ledger, a, [...fresh, ...s.shas.slice(0, 20)], r);
    expect(ctx.ledger.treeSize).toBe(s.size + 20);
  });

  it('also when every key has the same fingerprint (all collisions)', async () => {
    const s = await seed(30);
    const { ledger, tenants, deposits } = await openBare();
    ledger.index.filter.fingerprint = () => 0x1234;
    await ledger.index.loadFilter();
    expect(ledger.index.filter.ready).toBe(true);
    expect(ledger.index.filter.size).toBe(1);
    const a = tenants.get(s.a.id)!;
    const fresh = digests(10);
    const r = await deposits.depositBatch(a, items([...s.shas.slice(0, 10), ...fresh]));
    expect(r.map((x) => x.created)).toEqual([...s.shas.slice(0, 10).map(() => false), ...fresh.map(() => true)]);
    expect(r.slice(0, 10).map((x) => x.receipt.id)).toEqual(s.ids.slice(0, 10));
    expect(ledger.treeSize).toBe(s.size + 10);
  });
});

describe('concurrent batches of one tenant with overlapping digests', () => {
  async function race(deposits: Deposits, ledger: Ledger, a: Tenant, old: readonly string[], oldIds: readonly string[]): Promise<void> {
    const shared = digests(40);
    const onlyX = digests(15);
    const onlyY = digests(15);
    // Different orders, a duplicate inside one batch, and some digests deposited before.
    const x = [...shared, ...onlyX, shared[0]!, ...old.slice(0, 5)];
    const y = [...onlyY, ...[...shared].reverse(), ...old.slice(3, 8)];
    const z = shared[5]!;
    const before = ledger.treeSize;
    const [rx, ry, rz] = await Promise.all([deposits.depositBatch(a, items(x)), deposits.depositBatch(a, items(y)), deposits.deposit(a, { sha256: z })]);
    await checkReceipts(ledger, a, x, rx);
    await checkReceipts(ledger, a, y, ry);
    const distinctNew = new Set([...shared, ...onlyX, ...onlyY]).size;
    expect(ledger.treeSize).toBe(before + distinctNew);

    // Per digest: one receipt id across all answers, exactly one created:true (none for the old ones).
    const byDigest = new Map<string, DepositResult[]>();
    const add = (sha: string, r: DepositResult): void => {
      byDigest.set(sha, [...(byDigest.get(sha) ?? []), r]);
    };
    x.forEach((sha, i) => add(sha, rx[i]!));
    y.forEach((sha, i) => add(sha, ry[i]!));
    add(z, rz);
    const oldSet = new Set(old);
    const ids = new Set<string>();
    for (const [sha, rs] of byDigest) {
      expect(new Set(rs.map((r) => r.receipt.id)).size, sha).toBe(1);
      expect(rs.filter((r) => r.created).length, sha).toBe(oldSet.has(sha) ? 0 : 1);
      expect(new Set(rs.map((r) => r.receipt.index)).size).toBe(1);
      ids.add(rs[0]!.receipt.id);
      if (oldSet.has(sha)) expect(rs[0]!.receipt.id).toBe(oldIds[old.indexOf(sha)]);
    }
    expect(ids.size).toBe(byDigest.size);
    // Each new digest is stored exactly once.
    const stored = new Map<string, number>();
    for (let i = before; i < ledger.treeSize; i++) {
      const sha = parseEntry((await ledger.entry(i))!).digest.sha256;
      stored.set(sha, (stored.get(sha) ?? 0) + 1);
    }
    expect(stored.size).toBe(distinctNew);
    for (const n of stored.values()) expect(n).toBe(1);
  }

  it('append each digest once, with the filter loaded', async () => {
    const s = await seed(20);
    const { ctx } = await start();
    await whenReady(ctx.ledger);
    await race(ctx.deposits, ctx.ledger, ctx.tenants.get(s.a.id)!, s.shas, s.ids);
  });

  it('append each digest once, with the filter not loaded', async () => {
    const s = await seed(20);
    const { ledger, tenants, deposits } = await openBare();
    await race(deposits, ledger, tenants.get(s.a.id)!, s.shas, s.ids);
    expect(ledger.index.filter.ready).toBe(false);
  });
});

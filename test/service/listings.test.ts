/**
 * The tenant listings (`x L <tenant> 0x00 <leaf>`): written with every deposit in its batch, listed in leaf
 * order per tenant and never another tenant's; built from the entries at open for a store written before
 * they existed; and checked by fsck both ways (a missing key, a stray one, one naming another leaf).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, recordKeys } from '../../src/ledger/index.js';
import { utf8 } from '../../src/crypto/index.js';
import type { LedgerStore } from '../../src/storage/store.js';
import { ORIGIN, check, codes, digests, openStore, records, seedStore, type Seeded } from './corrupt-helpers.js';
import { openService, closeService } from '../../src/service/open.js';

let s: Seeded;

beforeEach(async () => {
  s = await seedStore(12, 4);
});

afterEach(() => s.cleanup());

const listingKeyOf = (tenantId: string, leaf: number): Uint8Array => new Uint8Array(recordKeys.listingKey(recordKeys.listingPrefix(tenantId), leaf));

async function leavesOf(ledger: Ledger, tenantId: string, page: number): Promise<number[]> {
  const out: number[] = [];
  for (let after: number | undefined; ;) {
    const got = await ledger.index.list(tenantId, after, page);
    if (got.length === 0) return out;
    out.push(...got);
    after = got[got.length - 1];
  }
}

describe('listing a tenant', () => {
  it("walks its deposits in leaf order, page by page, and never another tenant's", async () => {
    const ctx = await openService({ dataDir: s.dir, origin: ORIGIN });
    try {
      const b = ctx.tenants.get(s.b.id)!;
      await ctx.deposits.depositBatch(b, digests(3).map((sha256) => ({ sha256 })));
      expect(await leavesOf(ctx.ledger, s.a.id, 5)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(await leavesOf(ctx.ledger, s.b.id, 2)).toEqual([12, 13, 14, 15, 16, 17, 18]);
      expect(await ctx.ledger.index.list('tn_nobody', undefined, 10)).toEqual([]);
      expect(await ctx.ledger.index.list(s.a.id, 11, 10)).toEqual([]);
    } finally {
      await closeService(ctx);
    }
  });
});

describe('a store written before the listings existed', () => {
  it('gets them from its entries at open, once; fsck is clean after', async () => {
    let store: LedgerStore = await openStore(s.dir);
    for (const [k] of await records(store, 'L')) await store.db.del(k);
    await store.db.del(new Uint8Array([0x6d, ...utf8('listings')]));
    expect((await check(store)).problems.filter((p) => p.code === 'INDEX_MISSING')).toHaveLength(16);
    await store.close();

    const ledger = await Ledger.open({ dataDir: s.dir, origin: ORIGIN });
    expect(await leavesOf(ledger, s.a.id, 100)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await leavesOf(ledger, s.b.id, 100)).toEqual([12, 13, 14, 15]);
    await ledger.close();
    store = await openStore(s.dir);
    expect((await check(store)).problems).toEqual([]);
    await store.close();
  });
});

describe('fsck of the listings', () => {
  let store: LedgerStore;
  beforeEach(async () => {
    store = await openStore(s.dir);
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
  });

  it('a deleted listing key: INDEX_MISSING naming the entry', async () => {
    await store.db.del(listingKeyOf(s.a.id, 5));
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_MISSING']);
    expect(problems[0]!.message).toContain('entry 5');
  });

  it('a key naming a leaf of another tenant, or beyond the tree: INDEX_STRAY', async () => {
    await store.db.put(listingKeyOf(s.a.id, 13), new Uint8Array(0)); // leaf 13 is B's
    await store.db.put(listingKeyOf(s.b.id, 99), new Uint8Array(0)); // beyond the tree of 16
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_STRAY', 'INDEX_STRAY']);
    expect(problems.map((p) => p.where).sort()).toEqual([`listing ${s.a.id}/13`, `listing ${s.b.id}/99`].sort());
  });

  it('every single-bit flip of a listing key is reported', async () => {
    const key = listingKeyOf(s.b.id, 14);
    for (let bit = 16; bit < 8 * key.length; bit += 3) {
      const flipped = new Uint8Array(key);
      flipped[bit >>> 3]! ^= 1 << (bit & 7);
      await store.db.del(key);
      await store.db.put(flipped, new Uint8Array(0));
      const found = codes((await check(store)).problems);
      expect(found, `bit ${bit}`).toContain('INDEX_MISSING');
      await store.db.del(flipped);
      await store.db.put(key, new Uint8Array(0));
    }
    expect((await check(store)).problems).toEqual([]);
  });
});

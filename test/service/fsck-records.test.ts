/**
 * checkDerivedRecords on a real store seeded through the service, then damaged on purpose through the raw
 * LevelDB handle: each kind of damage is reported with its code, and a clean store reports nothing.
 */
import { LedgerRecords } from '../../src/ledger/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openService } from '../../src/service/open.js';
import { Tenants } from '../../src/service/tenants.js';
import { utf8 } from '../../src/crypto/index.js';
import type { LedgerStore } from '../../src/storage/store.js';
import {
  ADMIN, ORIGIN, check, codes, digestKeyOf, flipBit, idKeyOf, indexBytes, leafOf, openStore, records, seedStore, tenantKeyOf, type Seeded,
} from './corrupt-helpers.js';

let s: Seeded;
let store: LedgerStore;

beforeEach(async () => {
  s = await seedStore(12, 4);
  store = await openStore(s.dir);
});

afterEach(async () => {
  await store.close().catch(() => undefined);
  s.cleanup();
});

describe('a clean store', () => {
  it('reports nothing and counts every derived record', async () => {
    const r = await check(store);
    expect(r.problems).toEqual([]);
    // 16 digest keys, 16 id keys, 16 listing keys, 2 tenant records, 2 API-key index entries.
    expect(r.records).toBe(16 + 16 + 16 + 2 + 2);
    expect(r.legacyTenants).toBe(0);
  });
});

describe('the digest and id indexes', () => {
  it('a flipped bit of a digest index value: INDEX_MISMATCH naming the key and the leaf it should name', async () => {
    const key = digestKeyOf(s.a.id, s.shasA[3]!);
    const leaf = await leafOf(store, key);
    await store.db.put(key, flipBit(indexBytes(leaf), 57)); // leaf 3 → 1: another deposit of A's
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_MISMATCH']);
    expect(problems[0]!.where).toBe(`index D ${s.a.id}/${s.shasA[3]}`);
    expect(problems[0]!.message).toContain(`should name leaf ${leaf}`);
  });

  it('an id index redirected to another tenant\'s leaf, and one beyond the tree: INDEX_MISMATCH each', async () => {
    await store.db.put(idKeyOf(s.idsA[0]!), indexBytes(12)); // B's first deposit
    await store.db.put(idKeyOf(s.idsA[1]!), flipBit(indexBytes(1), 0)); // 2^56 + 1
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_MISMATCH', 'INDEX_MISMATCH']);
    expect(problems.map((p) => p.where).sort()).toEqual([`index I ${s.idsA[0]}`, `index I ${s.idsA[1]}`].sort());
  });

  it('a value that is not 8 bytes: INDEX_MISMATCH', async () => {
    await store.db.put(digestKeyOf(s.b.id, s.shasB[0]!), new Uint8Array(7));
    expect(codes((await check(store)).problems)).toEqual(['INDEX_MISMATCH']);
  });

  it('a stray key (a digest never deposited, naming a real leaf): INDEX_STRAY', async () => {
    const stray = flipBit(digestKeyOf(s.a.id, s.shasA[5]!), 8 * 40 + 2);
    await store.db.put(stray, indexBytes(5));
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_STRAY']);
  });

  it('a deleted id key: INDEX_MISSING naming it', async () => {
    await store.db.del(idKeyOf(s.idsB[2]!));
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['INDEX_MISSING']);
    expect(problems[0]!.where).toBe(`index I ${s.idsB[2]}`);
  });

  it('a flipped bit in a key (the value intact): INDEX_STRAY for the damaged key, INDEX_MISSING for the lost one', async () => {
    for (const key of [digestKeyOf(s.a.id, s.shasA[7]!), idKeyOf(s.idsA[7]!)]) {
      const v = await store.db.get(key);
      await store.db.del(key);
      await store.db.put(flipBit(key, 8 * key.length - 5), v!);
    }
    expect(codes((await check(store)).problems)).toEqual(['INDEX_MISSING', 'INDEX_MISSING', 'INDEX_STRAY', 'INDEX_STRAY']);
  });

  it('a digest deposited twice because its index was lost: INDEX_MISSING before, DIGEST_DUPLICATE after', async () => {
    await store.db.del(digestKeyOf(s.a.id, s.shasA[2]!));
    expect(codes((await check(store)).problems)).toEqual(['INDEX_MISSING']);
    await store.close();
    const ctx = await openService({ dataDir: s.dir, origin: ORIGIN, adminToken: ADMIN });
    const again = await ctx.deposits.deposit(ctx.tenants.get(s.a.id)!, { sha256: s.shasA[2]! });
    expect(again.created).toBe(true); // the service could not know
    await ctx.anchorer.stop();
    await ctx.ledger.close();
    store = await openStore(s.dir);
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['DIGEST_DUPLICATE']);
    expect(problems[0]!.where).toBe('entry 2');
  });
});

describe('tenant records and the API-key index', () => {
  it('a flipped bit anywhere in a tenant record: TENANT_CORRUPT', async () => {
    const [[key, value]] = (await records(store, 'T')).filter(([k]) => new TextDecoder().decode(k).endsWith(s.b.id)) as [[Uint8Array, Uint8Array]];
    for (const bit of [3, 8 * 20 + 1, 8 * (value.length - 3)]) {
      await store.db.put(key, flipBit(value, bit));
      const { problems } = await check(store);
      expect(codes(problems)).toEqual(['TENANT_CORRUPT']);
      expect(problems[0]!.where).toBe(`tenant ${s.b.id}`);
    }
  });

  it('a flipped API-key index value: API_KEY_INDEX_CORRUPT; a flipped key too (the value binds the hash); the index of that tenant is then missing', async () => {
    const [first, second] = await records(store, 'K');
    await store.db.put(first![0], flipBit(first![1], 8 * 5));
    expect(codes((await check(store)).problems)).toEqual(['API_KEY_INDEX_CORRUPT', 'API_KEY_INDEX_MISSING']);
    await store.db.put(first![0], first![1]);
    await store.db.del(second![0]);
    await store.db.put(flipBit(second![0], 8 * 10), second![1]);
    expect(codes((await check(store)).problems)).toEqual(['API_KEY_INDEX_CORRUPT', 'API_KEY_INDEX_MISSING']);
  });

  it('a tenant record lost (its key damaged): TENANT_MISSING for its entries, API_KEY_INDEX_DANGLING, USER_DANGLING for its founding officer, TENANT_CORRUPT', async () => {
    const key = tenantKeyOf(s.b.id);
    const v = await store.db.get(key);
    await store.db.del(key);
    await store.db.put(flipBit(key, 8 * key.length - 1), v!);
    expect(codes((await check(store)).problems)).toEqual(['API_KEY_INDEX_DANGLING', 'TENANT_CORRUPT', 'TENANT_MISSING', 'USER_DANGLING']);
  });

  it('legacy (b4de8cb) records are read; a changed name is caught against the entries', async () => {
    const legacy = async (t: Seeded['a'], name: string): Promise<void> => {
      const stored = JSON.parse(new TextDecoder().decode((await store.db.get(tenantKeyOf(t.id)))!)) as Record<string, string>;
      await store.db.put(tenantKeyOf(t.id), utf8(JSON.stringify({ id: t.id, name, uscc: stored.uscc, created: stored.created, keyHash: stored.keyHash })));
      await store.db.put(new Uint8Array([0x78, 0x4b, ...Buffer.from(stored.keyHash!, 'hex')]), utf8(t.id));
    };
    await legacy(s.a, s.a.name);
    await legacy(s.b, s.b.name);
    const clean = await check(store);
    expect(clean.problems).toEqual([]);
    expect(clean.legacyTenants).toBe(2);
    await legacy(s.a, '甲方科技有限公可'); // one valid character for another: the record alone cannot tell
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['TENANT_SUBJECT_MISMATCH']);
    expect(problems[0]!.where).toBe(`tenant ${s.a.id}`);
  });
});

describe('upgrading legacy records', () => {
  it('rewrites those confirmed by their entries in the checked format, and leaves a tenant without entries as it is', async () => {
    await store.close();
    s.cleanup();
    s = await seedStore(3, 0); // B has no entries
    store = await openStore(s.dir);
    for (const t of [s.a, s.b]) {
      const f = JSON.parse(new TextDecoder().decode((await store.db.get(tenantKeyOf(t.id)))!)) as Record<string, string>;
      await store.db.put(tenantKeyOf(t.id), utf8(JSON.stringify({ id: t.id, name: f.name, uscc: f.uscc, created: f.created, keyHash: f.keyHash })));
      await store.db.put(new Uint8Array([0x78, 0x4b, ...Buffer.from(f.keyHash!, 'hex')]), utf8(t.id));
    }
    const tenants = await Tenants.load(new LedgerRecords(() => store));
    expect(tenants.legacyRecords).toBe(2);
    expect(await tenants.upgradeLegacyRecords()).toEqual([s.a.id]);
    expect(tenants.legacyRecords).toBe(1);
    const r = await check(store);
    expect(r.problems).toEqual([]);
    expect(r.legacyTenants).toBe(1);
    const again = await Tenants.load(new LedgerRecords(() => store));
    expect(again.legacyRecords).toBe(1);
    expect(again.authenticate(s.a.apiKey)?.name).toBe(s.a.name);
    expect(again.authenticate(s.b.apiKey)?.name).toBe(s.b.name);
    expect(await again.upgradeLegacyRecords()).toEqual([]);
  });
});

describe('entries that do not parse', () => {
  it('are reported as ENTRY_UNPARSEABLE, and the keys naming them are not reported again', async () => {
    const key = new Uint8Array([0x65, 0, 0, 0, 0, 0, 0, 0, 4]);
    const entry = (await store.db.get(key))!;
    await store.db.put(key, flipBit(entry, 8 * 3)); // the quote after v becomes #
    const { problems } = await check(store);
    expect(codes(problems)).toEqual(['ENTRY_UNPARSEABLE']);
    expect(problems[0]!.where).toBe('entry 4');
  });
});

/**
 * Single-bit flips of derived records, the fault a damaged disk leaves in a LevelDB table file that is read
 * without block checksums. Claim: every flip of a derived value or key is reported by checkDerivedRecords —
 * none is harmless and unseen — for records written by this version; for legacy (b4de8cb) tenant records the
 * only flips nobody can see are those that keep `created` a valid time (it is in no entry and changes nothing
 * a tenant does). And the running service, with any one index value flipped, answers that lookup STORE_CORRUPT
 * and every other one with its own receipt, which verifies.
 */
import { LedgerRecords } from '../../src/ledger/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8 } from '../../src/crypto/index.js';
import type { LedgerStore } from '../../src/storage/store.js';
import { Tenants } from '../../src/service/tenants.js';
import { decodeKeyIndexValue, decodeTenantRecord, encodeKeyIndexValue, encodeTenantRecord } from '../../src/service/tenant-record.js';
import { openService } from '../../src/service/open.js';
import { isCunzhengError } from '../../src/errors.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { verifyReceipt } from '../../src/receipt/index.js';
import { ADMIN, ORIGIN, check, digestKeyOf, flipBit, idKeyOf, openStore, records, seedStore, tenantKeyOf, type Seeded } from './corrupt-helpers.js';

let s: Seeded;
let store: LedgerStore;
let all: [Uint8Array, Uint8Array][];

beforeAll(async () => {
  s = await seedStore(5, 2);
  store = await openStore(s.dir);
  all = [];
  for (const table of ['D', 'I', 'L', 'T', 'K']) all.push(...(await records(store, table)));
  expect(all.length).toBe(7 + 7 + 7 + 2 + 2);
});

afterAll(async () => {
  await store.close();
  s.cleanup();
});

async function exists(key: Uint8Array): Promise<boolean> {
  return (await store.db.get(key)) !== undefined;
}

describe('every single-bit flip of a derived record is reported', () => {
  it('values and keys of x D, x I, x L, x T and x K (fast-check; a listing has only its key)', async () => {
    expect((await check(store)).problems).toEqual([]);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.boolean(), fc.nat(), async (which, inKey, bitSeed) => {
        const [key, value] = all[which % all.length]!;
        if (!inKey && value.length > 0) {
          await store.db.put(key, flipBit(value, bitSeed % (8 * value.length)));
          try {
            expect((await check(store)).problems.length).toBeGreaterThan(0);
          } finally {
            await store.db.put(key, value);
          }
          return;
        }
        const flipped = flipBit(key, bitSeed % (8 * key.length));
        fc.pre(!(await exists(flipped)));
        await store.db.del(key);
        await store.db.put(flipped, value);
        try {
          expect((await check(store)).problems.length).toBeGreaterThan(0);
        } finally {
          await store.db.del(flipped);
          await store.db.put(key, value);
        }
      }),
      { numRuns: process.env.CUNZHENG_RELIABILITY === 'full' ? 2000 : 150 },
    );
    expect((await check(store)).problems).toEqual([]);
  });

  it('tenant records and API-key index values of this version: every bit, exhaustively, fails its own check', () => {
    const t = { id: 'tn_0123456789abcdef01234567', name: '甲方科技有限公司', uscc: s.a.uscc, created: '2026-12-02T07:00:00.123Z', keyHash: 'ab'.repeat(32) };
    const record = encodeTenantRecord(t);
    expect(decodeTenantRecord(t.id, record)).toEqual({ ok: true, tenant: t, legacy: false });
    for (let bit = 0; bit < 8 * record.length; bit++) expect(decodeTenantRecord(t.id, flipBit(record, bit)).ok, `bit ${bit}`).toBe(false);
    const hash = new Uint8Array(32).fill(0xab);
    const v = encodeKeyIndexValue(hash, t.id);
    expect(decodeKeyIndexValue(hash, v)).toEqual({ ok: true, id: t.id, legacy: false });
    for (let bit = 0; bit < 8 * v.length; bit++) expect(decodeKeyIndexValue(hash, flipBit(v, bit)).ok, `value bit ${bit}`).toBe(false);
    for (let bit = 0; bit < 8 * hash.length; bit++) expect(decodeKeyIndexValue(flipBit(hash, bit), v).ok, `hash bit ${bit}`).toBe(false);
  });
});

describe('legacy (b4de8cb) tenant records', () => {
  it('every single-bit flip is seen by fsck or refused at load, except those that keep created a valid time', async () => {
    const key = tenantKeyOf(s.a.id);
    const original = (await store.db.get(key))!;
    const f = JSON.parse(Buffer.from(original).toString()) as Record<string, string>;
    const legacyText = JSON.stringify({ id: s.a.id, name: f.name, uscc: f.uscc, created: f.created, keyHash: f.keyHash });
    const legacy = utf8(legacyText);
    const kKey = new Uint8Array([0x78, 0x4b, ...Buffer.from(f.keyHash!, 'hex')]);
    const kOriginal = (await store.db.get(kKey))!;
    await store.db.put(key, legacy);
    await store.db.put(kKey, utf8(s.a.id));
    try {
      expect((await check(store)).problems).toEqual([]);
      const createdAt = Buffer.from(legacy).indexOf(`"created":"${f.created}"`) + '"created":"'.length;
      const unseen: number[] = [];
      for (let bit = 0; bit < 8 * legacy.length; bit++) {
        await store.db.put(key, flipBit(legacy, bit));
        const reported = (await check(store)).problems.length > 0;
        const tenants = await Tenants.load(new LedgerRecords(() => store));
        const refused = tenants.corrupt.length > 0;
        expect(refused, `bit ${bit}: load and fsck disagree`).toBe(reported);
        if (!reported) {
          unseen.push(bit);
          const t = tenants.get(s.a.id)!;
          expect([t.name, t.uscc]).toEqual([f.name, f.uscc]);
        }
      }
      expect(unseen.length).toBeGreaterThan(0);
      for (const bit of unseen) expect(bit >>> 3, `bit ${bit}`).toBeGreaterThanOrEqual(createdAt);
      for (const bit of unseen) expect(bit >>> 3, `bit ${bit}`).toBeLessThan(createdAt + f.created!.length);
    } finally {
      await store.db.put(key, original);
      await store.db.put(kKey, kOriginal);
    }
  });
});

describe('the service with a flipped index value', () => {
  it('answers the damaged lookup STORE_CORRUPT, and every other lookup with its own receipt, which verifies (fast-check)', async () => {
    await store.close();
    const ctx = await openService({ dataDir: s.dir, origin: ORIGIN, adminToken: ADMIN });
    try {
      const a = ctx.tenants.get(s.a.id)!;
      const b = ctx.tenants.get(s.b.id)!;
      const lookups = [
        ...s.shasA.map((sha, i) => ({ t: a, sha, id: s.idsA[i]! })),
        ...s.shasB.map((sha, i) => ({ t: b, sha, id: s.idsB[i]! })),
      ];
      const db = ctx.ledger['store'].db;
      await fc.assert(
        fc.asyncProperty(fc.nat(lookups.length - 1), fc.boolean(), fc.nat(63), async (which, digestIndex, bit) => {
          const target = lookups[which]!;
          const key = digestIndex ? digestKeyOf(target.t.id, target.sha) : idKeyOf(target.id);
          const value = (await db.get(key))!;
          await db.put(key, flipBit(value, bit));
          try {
            for (const l of lookups) {
              const damaged = l === target;
              for (const byDigest of [true, false]) {
                let r;
                try {
                  r = byDigest ? await ctx.deposits.findBySha256(l.t, l.sha) : await ctx.deposits.get(l.t, l.id);
                } catch (e) {
                  expect(isCunzhengError(e, 'STORE_CORRUPT'), String(e)).toBe(true);
                  expect(damaged && byDigest === digestIndex).toBe(true);
                  continue;
                }
                expect(damaged && byDigest === digestIndex, 'the damaged lookup was answered').toBe(false);
                expect(r!.id).toBe(l.id);
                expect(parseEntry(fromBase64(r!.entry)).digest.sha256).toBe(l.sha);
                await verifyReceipt(r!, [ctx.ledger.verifierKey]);
              }
            }
          } finally {
            await db.put(key, value);
          }
        }),
        { numRuns: process.env.CUNZHENG_RELIABILITY === 'full' ? 500 : 40 },
      );
    } finally {
      await ctx.anchorer.stop();
      await ctx.ledger.close();
      store = await openStore(s.dir);
    }
  });
});

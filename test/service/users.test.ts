/**
 * Users through the real service on a real store: the founding officer written with its tenant and, for
 * stores from before users, at open (once: a second open changes no byte); keys that stop at once when
 * revoked or rotated, also after a restart; the last officer kept; a damaged user record answered
 * STORE_CORRUPT for that user alone; fsck's view of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openService, closeService } from '../../src/service/open.js';
import type { ServiceContext } from '../../src/service/context.js';
import { foundingOfficerId } from '../../src/service/users.js';
import { encodeKeyIndexValue } from '../../src/service/tenant-record.js';
import { LedgerStore } from '../../src/storage/store.js';
import { ADMIN, USCC_A, USCC_B, check, codes, flipBit, openStore, records } from './corrupt-helpers.js';

const ORIGIN = 'test.example/users';
let dir: string;
let ctx: ServiceContext | undefined;

const open = async (): Promise<ServiceContext> => (ctx = await openService({ dataDir: dir, origin: ORIGIN, adminToken: ADMIN }));
const stop = async (): Promise<void> => {
  if (ctx !== undefined) await closeService(ctx);
  ctx = undefined;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-users-'));
});
afterEach(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every x record of the store, as hex key → hex value. */
async function dumpExtra(store: LedgerStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of store.iterateExtra(new Uint8Array([0x78]))) out.set(Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex'));
  return out;
}

async function withStore<T>(f: (s: LedgerStore) => Promise<T>): Promise<T> {
  const s = await openStore(dir);
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

describe('a new tenant', () => {
  it('comes with its founding officer, whose key is the one shown', async () => {
    const c = await open();
    const { tenant, apiKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const who = c.users.authenticate(apiKey)!;
    expect(who.tenant).toBe(c.tenants.get(tenant.id));
    expect(who.user).toEqual({ id: foundingOfficerId(tenant.id), tenant: tenant.id, role: 'officer', created: tenant.created });
    expect(c.users.list(tenant.id)).toEqual([who.user]);
    await stop();
    expect((await withStore(check)).problems).toEqual([]);
  });

  it('a USCC already registered is refused unless the admin says so; two at once: one is refused', async () => {
    const c = await open();
    await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    await expect(c.tenants.create({ name: '甲方分公司', uscc: USCC_A })).rejects.toMatchObject({ code: 'TENANT_USCC_TAKEN' });
    expect((await c.tenants.create({ name: '甲方分公司', uscc: USCC_A, allowDuplicateUscc: true })).tenant.uscc).toBe(USCC_A);
    const both = await Promise.allSettled([c.tenants.create({ name: '乙一', uscc: USCC_B }), c.tenants.create({ name: '乙二', uscc: USCC_B })]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(c.tenants.count).toBe(3);
  });
});

describe('users of a tenant', () => {
  it('revoked and rotated keys stop at once and stay stopped after a restart; the new key works', async () => {
    let c = await open();
    const { tenant, apiKey: officerKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const dep = await c.users.create(tenant.id, { role: 'depositor', ref: 'E1001' });
    const view = await c.users.create(tenant.id, { role: 'viewer' });
    expect(dep.user).toMatchObject({ tenant: tenant.id, role: 'depositor', ref: 'E1001' });
    expect(dep.user.id).toMatch(/^u_[0-9a-f]{16}$/);
    expect(c.users.authenticate(dep.apiKey)?.user.id).toBe(dep.user.id);
    const rotated = await c.users.rotate(tenant.id, dep.user.id);
    expect(c.users.authenticate(dep.apiKey)).toBeUndefined();
    expect(c.users.authenticate(rotated.apiKey)?.user.id).toBe(dep.user.id);
    const revoked = await c.users.revoke(tenant.id, view.user.id);
    expect(revoked.revoked).toMatch(/Z$/);
    expect(c.users.authenticate(view.apiKey)).toBeUndefined();
    await expect(c.users.rotate(tenant.id, view.user.id)).rejects.toMatchObject({ code: 'USER_REVOKED' });
    await stop();
    expect((await withStore(check)).problems).toEqual([]);
    c = await open();
    expect(c.users.authenticate(dep.apiKey)).toBeUndefined();
    expect(c.users.authenticate(view.apiKey)).toBeUndefined();
    expect(c.users.authenticate(rotated.apiKey)?.user.role).toBe('depositor');
    expect(c.users.authenticate(officerKey)?.user.role).toBe('officer');
    // Listed in order of creation time, ties (users created in the same millisecond) by id.
    const listed = c.users.list(tenant.id);
    expect(listed.map((u) => u.id).sort()).toEqual([foundingOfficerId(tenant.id), dep.user.id, view.user.id].sort());
    for (let i = 1; i < listed.length; i++) {
      const [a, b] = [listed[i - 1]!, listed[i]!];
      expect(a.created < b.created || (a.created === b.created && a.id < b.id)).toBe(true);
    }
  });

  it('the last active officer cannot be revoked, even by two revocations at once', async () => {
    const c = await open();
    const { tenant } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const founder = foundingOfficerId(tenant.id);
    await expect(c.users.revoke(tenant.id, founder)).rejects.toMatchObject({ code: 'USER_LAST_OFFICER' });
    const second = await c.users.create(tenant.id, { role: 'officer' });
    const both = await Promise.allSettled([c.users.revoke(tenant.id, founder), c.users.revoke(tenant.id, second.user.id)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'USER_LAST_OFFICER' } });
    expect(c.users.list(tenant.id).filter((u) => u.role === 'officer' && u.revoked === undefined)).toHaveLength(1);
  });

  it('another tenant\'s users, and malformed ids, are not found', async () => {
    const c = await open();
    const a = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const b = await c.tenants.create({ name: '乙方实业有限公司', uscc: USCC_B });
    const u = await c.users.create(a.tenant.id, { role: 'viewer' });
    for (const id of [u.user.id, foundingOfficerId(a.tenant.id), 'u_zz', '../x', 42]) {
      await expect(c.users.revoke(b.tenant.id, id)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
      expect(() => c.users.get(b.tenant.id, id)).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
    }
  });

  it('a revoked tenant: every key answers TENANT_REVOKED; the admin\'s rotation gives the founding officer a new key and the tenant back', async () => {
    const c = await open();
    const { tenant, apiKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const dep = await c.users.create(tenant.id, { role: 'depositor' });
    await c.tenants.revoke(tenant.id);
    for (const k of [apiKey, dep.apiKey]) expect(() => c.users.authenticate(k)).toThrow(expect.objectContaining({ code: 'TENANT_REVOKED' }));
    const r = await c.tenants.rotate(tenant.id);
    expect(r.officer).toBe(foundingOfficerId(tenant.id));
    expect(c.users.authenticate(apiKey)).toBeUndefined();
    expect(c.users.authenticate(r.apiKey)?.user.id).toBe(r.officer);
    expect(c.users.authenticate(dep.apiKey)?.user.id).toBe(dep.user.id);
    await expect(c.tenants.revoke('tn_000000000000000000000000')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    await stop();
    expect((await withStore(check)).problems).toEqual([]);
  });
});

/** Takes the store back to before users: no x U, the tenants' x K values naming the tenant only. */
async function unmigrate(store: LedgerStore): Promise<void> {
  for (const [k] of await records(store, 'U')) await store.db.del(k);
  for (const [k, v] of await records(store, 'K')) {
    const id = new TextDecoder().decode(v.subarray(33)).split('\u0000')[0]!;
    await store.db.put(k, encodeKeyIndexValue(k.subarray(2), id));
  }
}

describe('stores from before users', () => {
  it('get their founding officers at open, once: the tenant key goes on working, and a second open changes nothing', async () => {
    let c = await open();
    const a = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const b = await c.tenants.create({ name: '乙方实业有限公司', uscc: USCC_B });
    await c.deposits.deposit(c.tenants.get(a.tenant.id)!, { sha256: 'ab'.repeat(32) });
    await stop();
    const before = await withStore(async (s) => {
      await unmigrate(s);
      expect(await records(s, 'U')).toEqual([]);
      expect((await check(s)).problems).toEqual([]); // an older store is clean as it is
      return dumpExtra(s);
    });
    c = await open();
    for (const t of [a, b]) expect(c.users.authenticate(t.apiKey)?.user).toMatchObject({ id: foundingOfficerId(t.tenant.id), role: 'officer', created: t.tenant.created });
    await stop();
    const once = await withStore(async (s) => {
      expect((await check(s)).problems).toEqual([]);
      return dumpExtra(s);
    });
    expect(once.size).toBe(before.size + 2); // two founding officers; the two x K values rewritten in place
    c = await open();
    expect(c.users.list(a.tenant.id)).toHaveLength(1);
    await stop();
    expect(await withStore(dumpExtra)).toEqual(once);
  });

  it('either half of the migration\'s batch alone (as if it had been split) is completed by the next open, fsck-clean', async () => {
    let c = await open();
    const a = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    await stop();
    const migrated = await withStore(dumpExtra);
    const founder = foundingOfficerId(a.tenant.id);
    for (const half of ['user record only', 'v3 index only'] as const) {
      await withStore(async (s) => {
        const [[uk, uv]] = (await records(s, 'U')) as [[Uint8Array, Uint8Array]];
        await unmigrate(s);
        if (half === 'user record only') await s.db.put(uk, uv);
        else for (const [k, v] of await records(s, 'K')) await s.db.put(k, Uint8Array.from(Buffer.from(migrated.get(Buffer.from(k).toString('hex'))!, 'hex')));
      });
      c = await open();
      expect(c.users.authenticate(a.apiKey)?.user.id, half).toBe(founder);
      await stop();
      expect((await withStore(check)).problems, half).toEqual([]);
    }
  });
});

describe('a damaged user record', () => {
  it('is refused at load: that user answers STORE_CORRUPT, the others are served; fsck says USER_CORRUPT', async () => {
    let c = await open();
    const { tenant, apiKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const dep = await c.users.create(tenant.id, { role: 'depositor', ref: 'E7' });
    await stop();
    await withStore(async (s) => {
      const [k, v] = (await records(s, 'U')).find(([key]) => new TextDecoder().decode(key).endsWith(dep.user.id))!;
      await s.db.put(k, flipBit(v, 8 * 40 + 3));
      expect(codes((await check(s)).problems)).toEqual(['USER_CORRUPT']);
    });
    c = await open();
    expect(() => c.users.authenticate(dep.apiKey)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', details: { where: `user ${tenant.id}/${dep.user.id}`, problem: 'USER_CORRUPT' } }));
    expect(() => c.users.get(tenant.id, dep.user.id)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    expect(c.users.authenticate(apiKey)?.user.role).toBe('officer');
  });

  it('a lost user record (its key damaged): its live key answers STORE_CORRUPT, not 401', async () => {
    let c = await open();
    const { tenant } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const dep = await c.users.create(tenant.id, { role: 'depositor' });
    await stop();
    await withStore(async (s) => {
      const [k, v] = (await records(s, 'U')).find(([key]) => new TextDecoder().decode(key).endsWith(dep.user.id))!;
      await s.db.del(k);
      await s.db.put(flipBit(k, 8 * k.length - 2), v);
      expect(codes((await check(s)).problems)).toEqual(['API_KEY_INDEX_DANGLING', 'USER_CORRUPT']);
    });
    c = await open();
    expect(() => c.users.authenticate(dep.apiKey)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    expect(c.users.authenticate('czk_nobody')).toBeUndefined();
  });

  it('a damaged settings record: that tenant answers STORE_CORRUPT (it might be revoked), fsck says SETTINGS_CORRUPT', async () => {
    let c = await open();
    const { tenant, apiKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    const other = await c.tenants.create({ name: '乙方实业有限公司', uscc: USCC_B });
    await c.tenants.setLevels(tenant.id, ['一级', '二级']);
    await stop();
    await withStore(async (s) => {
      const [[k, v]] = (await records(s, 'G')) as [[Uint8Array, Uint8Array]];
      await s.db.put(k, flipBit(v, 8 * 20));
      expect(codes((await check(s)).problems)).toEqual(['SETTINGS_CORRUPT']);
    });
    c = await open();
    expect(() => c.users.authenticate(apiKey)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    expect(c.users.authenticate(other.apiKey)?.tenant.id).toBe(other.tenant.id);
    expect(c.tenants.levels(other.tenant.id)).toEqual(['核心商密', '重要商密', '普通商密']);
    const listed = c.tenants.list();
    expect(listed.find((t) => t.id === tenant.id)?.problem).toMatch(/damaged/);
    expect(listed.find((t) => t.id === other.tenant.id)?.problem).toBeUndefined();
  });

  it('a revoked tenant whose settings key is flipped stays refused (the record names its tenant): fail closed', async () => {
    let c = await open();
    const { tenant, apiKey } = await c.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
    await c.tenants.revoke(tenant.id);
    await stop();
    await withStore(async (s) => {
      const [[k, v]] = (await records(s, 'G')) as [[Uint8Array, Uint8Array]];
      await s.db.del(k);
      await s.db.put(flipBit(k, 8 * k.length - 3), v);
      expect(codes((await check(s)).problems)).toEqual(['SETTINGS_CORRUPT']);
    });
    c = await open();
    expect(() => c.users.authenticate(apiKey)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });
});

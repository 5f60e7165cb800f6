/**
 * The people of an enterprise: each user has a role and an API key of their own (czk_…, 32 random bytes, shown
 * once, stored as its SHA-256, compared in constant time). Records: `x U <tenant> 0x00 <user id>`
 * (user-record.ts) and `x K <key hash>` (the v3 index value names tenant and user, tenant-record.ts).
 *
 * The user record is the authority on which key is live: a key authenticates when its hash is the one its
 * user's record holds and the user is not revoked. Revocation and rotation are one synced batch each: the
 * user record, the new key's index entry, and the old key's index entry rewritten as retired (the store
 * never deletes). They take effect in memory only once that batch is durable, and at once for every request
 * after it. Changes to a tenant's users are serial (a lock per tenant), so "the last active officer" is
 * decided on the state the change applies to.
 *
 * A damaged user record is refused at load; its key (known from the record's readable key hash or from the
 * index) is answered STORE_CORRUPT, never 401, and every other user is served.
 */
import { randomBytes } from 'node:crypto';
import { CunzhengError } from '../errors.js';
import { constantTimeEqual, fromHex, sha256, toHex, utf8 } from '../crypto/index.js';
import type { LedgerRecords, Pair } from '../ledger/index.js';
import { decodeKeyIndexValue, encodeUserKeyIndexValue } from './tenant-record.js';
import {
  API_KEY_PREFIX, checkRole, checkUserRef, decodeUserRecord, encodeUserRecord, foundingOfficerId, foundingOfficerPairs, keyIndexKey, newApiKey, parseUserKey, USER_ID,
  userKey, userTablePrefix, type Role, type StoredUser,
} from './user-record.js';
import type { Tenant, Tenants } from './tenants.js';

export { foundingOfficerId, ROLES, type Role } from './user-record.js';

export interface User {
  id: string;
  tenant: string;
  role: Role;
  ref?: string;
  created: string;
  revoked?: string;
}

export interface Authenticated {
  tenant: Tenant;
  user: User;
}

interface Corrupt {
  where: string;
  reason: string;
}

export class Users {
  /** The hash of each user's current key → the user (revoked users too: their key answers 401). */
  private readonly byKeyHash = new Map<string, StoredUser>();
  private readonly byTenant = new Map<string, Map<string, StoredUser>>();
  /** `tenant/user` → why the record was refused. */
  private readonly damaged = new Map<string, Corrupt>();
  private readonly damagedKeys = new Map<string, Corrupt>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(private readonly records: LedgerRecords, private readonly tenants: Tenants) {}

  static async load(records: LedgerRecords, tenants: Tenants): Promise<Users> {
    const u = new Users(records, tenants);
    for await (const [k, v] of records.iterate(userTablePrefix())) {
      const key = parseUserKey(k);
      const d = decodeUserRecord(key, v);
      if (d.ok) {
        u.adopt(d.user);
        continue;
      }
      const c = { where: `user ${key.tenant}/${key.id}`, reason: d.reason };
      u.damaged.set(`${key.tenant}/${key.id}`, c);
      if (d.keyHash !== undefined) u.damagedKeys.set(d.keyHash, c);
    }
    // A live index entry whose user record is damaged or lost: that key belongs to a user the store cannot vouch for.
    for await (const [k, v] of records.iterate('apiKey')) {
      const hash = k.subarray(2);
      const d = decodeKeyIndexValue(hash, v);
      if (!d.ok || d.user === undefined || d.retired === true) continue;
      const hex = toHex(hash);
      if (u.byKeyHash.has(hex) || u.damagedKeys.has(hex)) continue;
      const name = `${d.id}/${d.user}`;
      if (u.byTenant.get(d.id)?.has(d.user) === true) continue; // its user holds another key: the record wins (fsck reports the index)
      u.damagedKeys.set(hex, u.damaged.get(name) ?? { where: `user ${name}`, reason: 'the API-key index names this key, but no intact user record holds it' });
    }
    tenants.attachUsers(u);
    return u;
  }

  /** Takes a record written elsewhere (the founding officer, written with its tenant) into memory. */
  adopt(s: StoredUser): void {
    const frozen = Object.freeze({ ...s });
    let m = this.byTenant.get(s.tenant);
    if (m === undefined) this.byTenant.set(s.tenant, (m = new Map()));
    const old = m.get(s.id);
    if (old !== undefined) this.byKeyHash.delete(old.keyHash);
    m.set(s.id, frozen);
    this.byKeyHash.set(s.keyHash, frozen);
  }

  /**
   * Writes the founding officer of every intact tenant that has none (stores written before users), each
   * with the tenant's key, in one synced batch; returns their tenant ids. Idempotent: a second call finds
   * them and writes nothing. A tenant whose founding record is damaged is left to fsck.
   */
  async ensureFoundingOfficers(): Promise<string[]> {
    const pairs: Pair[] = [];
    const made: StoredUser[] = [];
    for (const t of this.tenants.stored()) {
      const id = foundingOfficerId(t.id);
      if (this.byTenant.get(t.id)?.has(id) === true || this.damaged.has(`${t.id}/${id}`)) continue;
      const f = foundingOfficerPairs(t.id, t.keyHash, t.created);
      pairs.push(...f.pairs);
      made.push(f.user);
    }
    if (pairs.length === 0) return [];
    await this.records.put(pairs);
    for (const s of made) this.adopt(s);
    return made.map((s) => s.tenant);
  }

  /** The tenant and user holding `apiKey`, or undefined (unknown, rotated or revoked key). */
  authenticate(apiKey: string): Authenticated | undefined {
    if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length > 128) return undefined;
    const hash = sha256(utf8(apiKey));
    const hex = toHex(hash);
    const s = this.byKeyHash.get(hex);
    if (s !== undefined && constantTimeEqual(fromHex(s.keyHash, 32), hash)) {
      if (s.revoked !== undefined) return undefined;
      const tenant = this.tenants.get(s.tenant);
      if (tenant === undefined) {
        this.tenants.refuseCorruptKey(hash);
        throw storeCorrupt({ where: `user ${s.tenant}/${s.id}`, reason: 'the user\'s tenant has no record' });
      }
      if (this.tenants.settings.revoked(tenant.id) !== undefined) {
        throw new CunzhengError('TENANT_REVOKED', 'this tenant was revoked by the service\'s administrator; its keys no longer authenticate');
      }
      return { tenant, user: view(s) };
    }
    const c = this.damagedKeys.get(hex);
    if (c !== undefined && constantTimeEqual(fromHex(hex, 32), hash)) throw storeCorrupt(c);
    this.tenants.refuseCorruptKey(hash);
    return undefined;
  }

  /** The id of the founding officer whose current key hash is `keyHashHex`, if any. */
  holder(keyHashHex: string): string | undefined {
    const s = this.byKeyHash.get(keyHashHex);
    return s !== undefined && s.id === foundingOfficerId(s.tenant) ? s.id : undefined;
  }

  /** The tenant's users in creation order (ties by id). */
  list(tenantId: string): User[] {
    const m = this.byTenant.get(tenantId);
    if (m === undefined) return [];
    return [...m.values()].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1)).map(view);
  }

  /** Users not revoked. */
  activeCount(tenantId: string): number {
    let n = 0;
    for (const s of this.byTenant.get(tenantId)?.values() ?? []) if (s.revoked === undefined) n++;
    return n;
  }

  /** The user, USER_NOT_FOUND (another tenant's users too), STORE_CORRUPT for a damaged record. */
  get(tenantId: string, userId: unknown): User {
    return view(this.stored(tenantId, userId));
  }

  private stored(tenantId: string, userId: unknown): StoredUser {
    if (typeof userId !== 'string' || !USER_ID.test(userId)) throw notFound();
    const s = this.byTenant.get(tenantId)?.get(userId);
    if (s !== undefined) return s;
    const c = this.damaged.get(`${tenantId}/${userId}`);
    if (c !== undefined) throw storeCorrupt(c);
    throw notFound();
  }

  /** A new user of the tenant with a key of their own, shown once. */
  async create(tenantId: string, input: { role: unknown; ref?: unknown }): Promise<{ user: User; apiKey: string }> {
    const role = checkRole(input.role);
    const ref = input.ref === undefined ? undefined : checkUserRef(input.ref);
    return this.serial(tenantId, async () => {
      let id: string;
      do id = `u_${toHex(randomBytes(8))}`;
      while (this.byTenant.get(tenantId)?.has(id) === true || this.damaged.has(`${tenantId}/${id}`) || id === foundingOfficerId(tenantId));
      const { apiKey, keyHash } = newApiKey();
      const s: StoredUser = { id, tenant: tenantId, role, ...(ref === undefined ? {} : { ref }), created: new Date().toISOString(), keyHash: toHex(keyHash) };
      await this.records.put([[userKey(tenantId, id), encodeUserRecord(s)], [keyIndexKey(s.keyHash), encodeUserKeyIndexValue(keyHash, tenantId, id)]]);
      this.adopt(s);
      return { user: view(s), apiKey };
    });
  }

  /** Revokes the user: their key stops authenticating. Refused for the last active officer (USER_LAST_OFFICER). */
  async revoke(tenantId: string, userId: unknown): Promise<User> {
    return this.serial(tenantId, async () => {
      const s = this.stored(tenantId, userId);
      if (s.revoked !== undefined) return view(s);
      if (s.role === 'officer' && this.activeOfficers(tenantId) <= 1) {
        throw new CunzhengError('USER_LAST_OFFICER', 'the last active officer cannot be revoked: make another officer first');
      }
      const next: StoredUser = { ...s, revoked: new Date().toISOString() };
      await this.records.put([[userKey(tenantId, s.id), encodeUserRecord(next)], retiredPair(s)]);
      this.adopt(next);
      return view(next);
    });
  }

  /**
   * Replaces the user's key: the old key stops authenticating, the new one is shown once. A revoked user's
   * key is not rotated (USER_REVOKED) unless `reactivate` (the admin's rotation of a founding officer);
   * `extra` pairs are written in the same batch and `applied` runs once it is durable.
   */
  async rotate(tenantId: string, userId: unknown, options: { reactivate?: boolean; extra?: Pair[]; applied?: () => void } = {}): Promise<{ user: User; apiKey: string }> {
    return this.serial(tenantId, async () => {
      const s = this.stored(tenantId, userId);
      if (s.revoked !== undefined && options.reactivate !== true) {
        throw new CunzhengError('USER_REVOKED', 'this user was revoked; create a new user instead');
      }
      const { apiKey, keyHash } = newApiKey();
      const { revoked: _dropped, ...rest } = s;
      const next: StoredUser = { ...rest, keyHash: toHex(keyHash) };
      await this.records.put([
        [userKey(tenantId, s.id), encodeUserRecord(next)],
        retiredPair(s),
        [keyIndexKey(next.keyHash), encodeUserKeyIndexValue(keyHash, tenantId, s.id)],
        ...(options.extra ?? []),
      ]);
      this.adopt(next);
      options.applied?.();
      return { user: view(next), apiKey };
    });
  }

  private activeOfficers(tenantId: string): number {
    let n = 0;
    for (const s of this.byTenant.get(tenantId)?.values() ?? []) if (s.role === 'officer' && s.revoked === undefined) n++;
    return n;
  }

  private serial<T>(tenantId: string, f: () => Promise<T>): Promise<T> {
    const before = this.locks.get(tenantId) ?? Promise.resolve();
    const run = before.then(f, f);
    const tail = run.catch(() => undefined);
    this.locks.set(tenantId, tail);
    void tail.then(() => {
      if (this.locks.get(tenantId) === tail) this.locks.delete(tenantId);
    });
    return run;
  }
}

function retiredPair(s: StoredUser): Pair {
  return [keyIndexKey(s.keyHash), encodeUserKeyIndexValue(fromHex(s.keyHash, 32), s.tenant, s.id, true)];
}

function notFound(): CunzhengError {
  return new CunzhengError('USER_NOT_FOUND', 'no such user in this tenant');
}

function storeCorrupt(c: Corrupt): CunzhengError {
  return new CunzhengError('STORE_CORRUPT', `the stored record of ${c.where} is damaged (${c.reason}); run cunzheng fsck`, {
    details: { where: c.where, problem: 'USER_CORRUPT' },
  });
}

const views = new WeakMap<StoredUser, User>();

/** The user as the rest of the service sees it (no key hash): one frozen object per record. */
function view(s: StoredUser): User {
  let v = views.get(s);
  if (v === undefined) {
    v = Object.freeze({
      id: s.id, tenant: s.tenant, role: s.role, ...(s.ref === undefined ? {} : { ref: s.ref }), created: s.created, ...(s.revoked === undefined ? {} : { revoked: s.revoked }),
    });
    views.set(s, v);
  }
  return v;
}

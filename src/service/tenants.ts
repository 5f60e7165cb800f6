/**
 * Tenants: the enterprises that deposit. A tenant's API key is 32 random bytes shown once at creation and
 * stored only as its SHA-256; authentication hashes the presented key, finds the tenant by that hash and
 * compares the hashes in constant time. Tenants live in the ledger's LevelDB under `x T <id>` (the record,
 * see tenant-record.ts) and `x K <key hash>` (the API-key index).
 *
 * A damaged record is refused at load, and the service goes on serving every other tenant: the damaged
 * tenant's requests are answered STORE_CORRUPT (500) — never 401, which would blame the client, and never
 * with the damaged name or USCC written into new entries. A key is known to belong to a damaged tenant
 * when the API-key index or the damaged record itself names its hash.
 */
import { randomBytes } from 'node:crypto';
import { CunzhengError } from '../errors.js';
import { constantTimeEqual, fromHex, sha256, toHex, utf8 } from '../crypto/index.js';
import { isSubjectName, parseEntry, SUBJECT_NAME_MAX, validateUscc } from '../entry/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import {
  decodeKeyIndexValue, decodeTenantRecord, encodeKeyIndexValue, encodeTenantRecord, encodeUserKeyIndexValue, type StoredTenant,
} from './tenant-record.js';
import { checkLevels, TenantSettings } from './tenant-settings.js';
import { legacyDisagreement } from './tenant-legacy.js';
import { API_KEY_PREFIX, foundingOfficerId, foundingOfficerPairs, newApiKey } from './user-record.js';
import type { Users } from './users.js';

export interface Tenant {
  id: string;
  name: string;
  uscc: string;
  created: string;
}

/** A tenant as the admin lists it (problem: its settings record is damaged, whether it is revoked is unknown). */
export interface TenantListing extends Tenant {
  revoked?: string;
  problem?: string;
}

export { API_KEY_PREFIX } from './user-record.js';
const { apiKeyIndexKey, decodeIndexValue, digestPrefix, keyHashOfKey, tenantIdOfKey, tenantKey } = recordKeys;

export function checkTenantName(name: unknown): string {
  // The subject name of every entry the tenant deposits: the entry's rule.
  if (!isSubjectName(name)) {
    throw new CunzhengError('TENANT_BAD_NAME', `name must be 1-${SUBJECT_NAME_MAX} characters without control characters or surrounding spaces`);
  }
  return name;
}

/** A tenant that could not be loaded, and why. */
export interface CorruptTenant {
  id: string;
  reason: string;
}

export class Tenants {
  private readonly byId = new Map<string, StoredTenant>();
  private readonly byKeyHash = new Map<string, StoredTenant>();
  private readonly damaged = new Map<string, CorruptTenant>();
  /** Key hashes (hex) known to belong to a damaged tenant record: answered STORE_CORRUPT. */
  private readonly damagedKeys = new Map<string, CorruptTenant>();
  /** Records still in the b4de8cb format (no check of their own). */
  legacyRecords = 0;
  /** Legacy records whose name and USCC one of their entries confirmed at load (upgradeLegacyRecords). */
  private readonly confirmedLegacy = new Set<string>();
  /** Key hashes whose index value is the b4de8cb bare id (upgradeLegacyRecords rewrites only those). */
  private readonly legacyKeys = new Set<string>();
  /** USCCs of tenants being created (a second one waits for no one: it is refused). */
  private readonly pendingUscc = new Set<string>();
  private users: Users | undefined;

  private constructor(private readonly records: LedgerRecords, readonly settings: TenantSettings) {}

  /**
   * Loads every tenant record. A record that fails its check (or, for a legacy record, disagrees with the
   * API-key index or with the subject of one of its entries) is left out and listed in `corrupt`.
   */
  static async load(records: LedgerRecords): Promise<Tenants> {
    const t = new Tenants(records, await TenantSettings.load(records));
    // Key hash (hex) → the tenant id its index value names (undefined when the value is damaged).
    const keyIndex = new Map<string, string | undefined>();
    for await (const [k, v] of records.iterate('apiKey')) {
      const hash = keyHashOfKey(k);
      const d = decodeKeyIndexValue(hash, v);
      keyIndex.set(toHex(hash), d.ok ? d.id : undefined);
      if (d.ok && d.legacy) t.legacyKeys.add(toHex(hash));
    }
    for await (const [k, v] of records.iterate('tenant')) {
      const keyId = tenantIdOfKey(k);
      const d = decodeTenantRecord(keyId, v);
      let reason = d.ok ? undefined : d.reason;
      if (d.ok && d.legacy) {
        t.legacyRecords++;
        const verdict = await legacyDisagreement(records, d.tenant, keyIndex);
        reason = verdict === 'confirmed' || verdict === 'unconfirmed' ? undefined : verdict;
        if (verdict === 'confirmed') t.confirmedLegacy.add(d.tenant.id);
      }
      if (d.ok && reason === undefined) {
        t.byId.set(d.tenant.id, d.tenant);
        t.byKeyHash.set(d.tenant.keyHash, d.tenant);
        continue;
      }
      const c: CorruptTenant = { id: keyId, reason: reason! };
      t.damaged.set(keyId, c);
      const keyHash = d.ok ? d.tenant.keyHash : d.keyHash;
      if (keyHash !== undefined) t.damagedKeys.set(keyHash, c);
    }
    // Index entries whose tenant is damaged, or has no record at all (its key was damaged): their keys
    // belong to a tenant the store cannot vouch for. (The keys of an intact tenant's users are users.ts's.)
    for (const [hash, id] of keyIndex) {
      if (t.byKeyHash.has(hash) || t.damagedKeys.has(hash)) continue; // an intact record holds this hash: the record wins
      if (id !== undefined && t.byId.has(id)) continue;
      const c = id === undefined ? undefined : t.damaged.get(id);
      t.damagedKeys.set(hash, c ?? { id: id ?? '(unknown)', reason: 'the API-key index names this key, but no intact tenant record holds it' });
    }
    return t;
  }

  get count(): number {
    return this.byId.size;
  }

  /** The tenants whose records were refused at load (their requests are answered STORE_CORRUPT). */
  get corrupt(): CorruptTenant[] {
    return [...this.damaged.values()];
  }

  /** Users (users.ts) authenticate this tenant's keys once attached (Users.load attaches itself). */
  attachUsers(users: Users): void {
    this.users = users;
  }

  /**
   * Creates a tenant and its founding officer (foundingOfficerId), whose key is returned: never stored, it
   * cannot be shown again. One synced batch: the tenant record, the officer's record, the key's index entry.
   * A USCC already registered is refused (TENANT_USCC_TAKEN) unless `allowDuplicateUscc`.
   */
  async create(input: { name: unknown; uscc: unknown; allowDuplicateUscc?: unknown }): Promise<{ tenant: Tenant; apiKey: string; officer: string }> {
    const name = checkTenantName(input.name);
    let uscc: string;
    try {
      uscc = validateUscc(input.uscc);
    } catch (cause) {
      const code = cause instanceof CunzhengError ? cause.code : 'USCC_BAD_CHECK';
      throw new CunzhengError(code, (cause as Error).message, { cause });
    }
    if (input.allowDuplicateUscc !== true) {
      const holder = [...this.byId.values()].find((t) => t.uscc === uscc);
      if (holder !== undefined || this.pendingUscc.has(uscc)) {
        throw new CunzhengError('TENANT_USCC_TAKEN', 'a tenant with this USCC is already registered; send "allowDuplicateUscc": true to register another', {
          details: holder === undefined ? {} : { tenant: holder.id },
        });
      }
    }
    const id = `tn_${toHex(randomBytes(12))}`;
    const { apiKey, keyHash } = newApiKey();
    const stored: StoredTenant = { id, name, uscc, created: new Date().toISOString(), keyHash: toHex(keyHash) };
    const officer = foundingOfficerPairs(id, stored.keyHash, stored.created);
    this.pendingUscc.add(uscc);
    try {
      await this.records.put([[tenantKey(id), encodeTenantRecord(stored)], ...officer.pairs]);
    } finally {
      this.pendingUscc.delete(uscc);
    }
    this.byId.set(id, stored);
    this.byKeyHash.set(stored.keyHash, stored);
    this.users?.adopt(officer.user);
    return { tenant: publicView(stored), apiKey, officer: officer.user.id };
  }

  /** Every intact tenant, oldest first, with its revocation time. */
  list(): TenantListing[] {
    return [...this.byId.values()]
      .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1))
      .map((s) => {
        let revoked: string | undefined;
        try {
          revoked = this.settings.revoked(s.id);
        } catch (e) {
          return { ...publicView(s), problem: (e as Error).message };
        }
        return revoked === undefined ? publicView(s) : { ...publicView(s), revoked };
      });
  }

  /** The intact tenant records (for users.ts: the founding officers of older stores). */
  stored(): readonly StoredTenant[] {
    return [...this.byId.values()];
  }

  /** The tenant, or TENANT_NOT_FOUND (STORE_CORRUPT for a damaged one). */
  require(id: unknown): Tenant {
    const t = typeof id === 'string' ? this.get(id) : undefined;
    if (t === undefined) throw new CunzhengError('TENANT_NOT_FOUND', 'no such tenant');
    return t;
  }

  /** Revokes the tenant: every key of its users answers 403 TENANT_REVOKED. Idempotent (the first time stays). */
  async revoke(id: unknown): Promise<TenantListing> {
    const t = this.require(id);
    const s = this.settings.get(t.id);
    const revoked = s.revoked ?? new Date().toISOString();
    if (s.revoked === undefined) await this.settings.write({ ...s, revoked });
    return { ...t, revoked };
  }

  /**
   * The admin's rotation: a new key for the founding officer, reactivating it (and the tenant, if revoked),
   * in one synced batch. The old key stops authenticating.
   */
  async rotate(id: unknown): Promise<{ tenant: Tenant; apiKey: string; officer: string }> {
    const t = this.require(id);
    if (this.users === undefined) throw new CunzhengError('TENANT_NOT_FOUND', 'users are not loaded');
    const s = this.settings.get(t.id);
    const { revoked: _was, ...unrevoked } = s;
    const p = this.settings.prepare(unrevoked);
    const r = await this.users.rotate(t.id, foundingOfficerId(t.id), { reactivate: true, extra: s.revoked === undefined ? [] : [p.pair], applied: p.apply });
    return { tenant: t, apiKey: r.apiKey, officer: r.user.id };
  }

  /** The tenant's classification level names (its own, or DEFAULT_LEVELS). */
  levels(id: string): readonly string[] {
    return this.settings.levels(id);
  }

  async setLevels(id: string, levels: unknown): Promise<readonly string[]> {
    const checked = checkLevels(levels);
    const t = this.require(id);
    await this.settings.write({ ...this.settings.get(t.id), levels: checked });
    return this.settings.levels(t.id);
  }

  /** Throws STORE_CORRUPT when `keyHash` is known to belong to a tenant whose record is damaged. */
  refuseCorruptKey(keyHash: Uint8Array): void {
    if (this.damagedKeys.size === 0) return;
    const hex = toHex(keyHash);
    const c = this.damagedKeys.get(hex);
    if (c !== undefined && constantTimeEqual(fromHex(hex, 32), keyHash)) throw corruptTenantError(c);
  }

  /**
   * Rewrites, in the v2 format (with its check), the legacy records that agreed at load with the API-key
   * index and with the subject of their entries; returns their ids. A legacy tenant without entries is left
   * as it is: nothing vouches for its name, and a check computed now would certify whatever it holds.
   */
  async upgradeLegacyRecords(): Promise<string[]> {
    const ids = [...this.confirmedLegacy].filter((id) => this.byId.has(id));
    if (ids.length === 0) return [];
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (const id of ids) {
      const s = this.byId.get(id)!;
      const keyHash = fromHex(s.keyHash, 32);
      pairs.push([tenantKey(id), encodeTenantRecord(s)]);
      // An index value still the bare id gains its check; one already v2/v3 (the founding officer's) stays.
      if (this.legacyKeys.has(s.keyHash)) {
        const founding = this.users?.holder(s.keyHash);
        pairs.push([apiKeyIndexKey(keyHash), founding === undefined ? encodeKeyIndexValue(keyHash, id) : encodeUserKeyIndexValue(keyHash, id, founding)]);
      }
    }
    await this.records.put(pairs);
    for (const id of ids) {
      this.confirmedLegacy.delete(id);
      this.legacyKeys.delete(this.byId.get(id)!.keyHash);
    }
    this.legacyRecords -= ids.length;
    return ids;
  }

  /**
   * The tenant holding `apiKey`, or undefined. Throws STORE_CORRUPT when the key belongs to a tenant whose
   * record is damaged: the key is right, the store is not.
   */
  authenticate(apiKey: string): Tenant | undefined {
    // Once users are loaded, only a user's current key authenticates (the record's may have been rotated).
    if (this.users !== undefined) return this.users.authenticate(apiKey)?.tenant;
    if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length > 128) return undefined;
    const hash = sha256(utf8(apiKey));
    const hex = toHex(hash);
    const found = this.byKeyHash.get(hex);
    if (found !== undefined) return constantTimeEqual(fromHex(found.keyHash, 32), hash) ? publicView(found) : undefined;
    if (this.damagedKeys.size > 0) {
      const c = this.damagedKeys.get(hex);
      if (c !== undefined && constantTimeEqual(fromHex(hex, 32), hash)) throw corruptTenantError(c);
    }
    return undefined;
  }

  /** The tenant `id`, or undefined; STORE_CORRUPT for a tenant whose record was refused at load. */
  get(id: string): Tenant | undefined {
    const s = this.byId.get(id);
    if (s !== undefined) return publicView(s);
    const c = this.damaged.get(id);
    if (c !== undefined) throw corruptTenantError(c);
    return undefined;
  }
}

function corruptTenantError(c: CorruptTenant): CunzhengError {
  return new CunzhengError('STORE_CORRUPT', `the stored record of tenant ${c.id} is damaged (${c.reason}); run cunzheng fsck`, {
    details: { where: `tenant ${c.id}`, problem: 'TENANT_CORRUPT' },
  });
}

const views = new WeakMap<StoredTenant, Tenant>();

/** The tenant as the rest of the service sees it: one frozen object per tenant (callers key caches on it). */
function publicView(s: StoredTenant): Tenant {
  let v = views.get(s);
  if (v === undefined) {
    v = Object.freeze({ id: s.id, name: s.name, uscc: s.uscc, created: s.created });
    views.set(s, v);
  }
  return v;
}

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
import { constantTimeEqual, fromHex, fromUtf8, sha256, toHex, utf8 } from '../crypto/index.js';
import { isSubjectName, parseEntry, SUBJECT_NAME_MAX, validateUscc } from '../entry/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import {
  decodeKeyIndexValue, decodeTenantRecord, encodeKeyIndexValue, encodeTenantRecord, type StoredTenant,
} from './tenant-record.js';

export interface Tenant {
  id: string;
  name: string;
  uscc: string;
  created: string;
}

export const API_KEY_PREFIX = 'czk_';
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

  private constructor(private readonly records: LedgerRecords) {}

  /**
   * Loads every tenant record. A record that fails its check (or, for a legacy record, disagrees with the
   * API-key index or with the subject of one of its entries) is left out and listed in `corrupt`.
   */
  static async load(records: LedgerRecords): Promise<Tenants> {
    const t = new Tenants(records);
    // Key hash (hex) → the tenant id its index value names (undefined when the value is damaged).
    const keyIndex = new Map<string, string | undefined>();
    for await (const [k, v] of records.iterate('apiKey')) {
      const hash = keyHashOfKey(k);
      const d = decodeKeyIndexValue(hash, v);
      keyIndex.set(toHex(hash), d.ok ? d.id : undefined);
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
    // belong to a tenant the store cannot vouch for.
    for (const [hash, id] of keyIndex) {
      if (t.byKeyHash.has(hash) || t.damagedKeys.has(hash)) continue; // an intact record holds this hash: the record wins
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

  /** Creates a tenant; the returned API key is never stored and cannot be shown again. */
  async create(input: { name: unknown; uscc: unknown }): Promise<{ tenant: Tenant; apiKey: string }> {
    const name = checkTenantName(input.name);
    let uscc: string;
    try {
      uscc = validateUscc(input.uscc);
    } catch (cause) {
      const code = cause instanceof CunzhengError ? cause.code : 'USCC_BAD_CHECK';
      throw new CunzhengError(code, (cause as Error).message, { cause });
    }
    const id = `tn_${toHex(randomBytes(12))}`;
    const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const keyHash = new Uint8Array(sha256(utf8(apiKey)));
    const stored: StoredTenant = { id, name, uscc, created: new Date().toISOString(), keyHash: toHex(keyHash) };
    await this.records.put([
      [tenantKey(id), encodeTenantRecord(stored)],
      [apiKeyIndexKey(keyHash), encodeKeyIndexValue(keyHash, id)],
    ]);
    this.byId.set(id, stored);
    this.byKeyHash.set(stored.keyHash, stored);
    return { tenant: publicView(stored), apiKey };
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
      pairs.push([tenantKey(id), encodeTenantRecord(s)], [apiKeyIndexKey(keyHash), encodeKeyIndexValue(keyHash, id)]);
    }
    await this.records.put(pairs);
    for (const id of ids) this.confirmedLegacy.delete(id);
    this.legacyRecords -= ids.length;
    return ids;
  }

  /**
   * The tenant holding `apiKey`, or undefined. Throws STORE_CORRUPT when the key belongs to a tenant whose
   * record is damaged: the key is right, the store is not.
   */
  authenticate(apiKey: string): Tenant | undefined {
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

/**
 * What a legacy record (no check of its own) disagrees with, if anything: the API-key index must hold the
 * record's key hash, and one of the tenant's entries (the first of its digest keys) must
 * carry the record's name and USCC ('confirmed'). A tenant without entries has only the index to agree with
 * ('unconfirmed': accepted, not upgraded).
 */
async function legacyDisagreement(records: LedgerRecords, t: StoredTenant, keyIndex: Map<string, string | undefined>): Promise<string | 'confirmed' | 'unconfirmed'> {
  // The index key is the hash itself: its presence confirms the record's hash (a damaged index value
  // names the tenant wrongly, but says nothing against the record, whose id its own key confirms).
  if (!keyIndex.has(t.keyHash)) return 'legacy record: no API-key index entry holds its key hash';
  const prefix = digestPrefix(t.id);
  for await (const [, v] of records.iterate(prefix)) {
    const index = decodeIndexValue(v);
    const bytes = index === undefined ? undefined : await records.readEntry(index);
    if (bytes === undefined) return 'unconfirmed'; // a damaged index: fsck's to report, it says nothing about the record
    let subject;
    try {
      const e = parseEntry(bytes);
      if (e.tenant !== t.id) return 'unconfirmed';
      subject = e.subject;
    } catch {
      return 'unconfirmed';
    }
    if (subject.name !== t.name || subject.uscc !== t.uscc) {
      return `legacy record: its name or USCC differs from the subject of its entry ${index}`;
    }
    return 'confirmed';
  }
  return 'unconfirmed';
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

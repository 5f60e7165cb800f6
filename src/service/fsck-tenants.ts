/**
 * fsck of the tenant records (`x T`), the user records (`x U`), the API-key index (`x K`) and the tenant
 * settings (`x G`), against each other (fsck-records.ts checks the tenants against the entries). Problem codes:
 *
 *   TENANT_CORRUPT           a tenant record fails its check
 *   USER_CORRUPT             a user record fails its check (or is not a valid record)
 *   USER_DANGLING            a user record names a tenant that has no record
 *   USER_MISSING             a tenant has users but no founding officer (foundingOfficerId)
 *   SETTINGS_CORRUPT         a settings record fails its check
 *   SETTINGS_DANGLING        a settings record names a tenant that has no record
 *   API_KEY_INDEX_CORRUPT    an `x K` value fails its check (or its key is not a 32-byte hash)
 *   API_KEY_INDEX_DANGLING   an `x K` value names a tenant (or a user) that has no record
 *   API_KEY_INDEX_MISMATCH   a live `x K` is not the key hash its user's (or, before users, its tenant's)
 *                            record holds; a retired one is a live user's current key; a tenant-only value
 *                            names a key no record holds
 *   API_KEY_INDEX_MISSING    a tenant record's key hash, or an active user's, has no `x K` entry
 *
 * A store written before users has no `x U` records: its tenants are checked as they were (the founding
 * officers are written at the next open). The tenant record's key hash is the key issued at creation: it
 * stays in the index once rotated (retired), so it must always be found there.
 */
import { toHex } from '../crypto/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import { decodeKeyIndexValue, decodeTenantRecord, type StoredTenant } from './tenant-record.js';
import { decodeUserRecord, foundingOfficerId, parseUserKey, userTablePrefix, type StoredUser } from './user-record.js';
import { decodeSettings, settingsTablePrefix } from './tenant-settings.js';

const { keyHashOfKey, tenantIdOfKey } = recordKeys;

export interface TenantInfo {
  record: StoredTenant | undefined;
  keys: number;
}

export interface TenantCounts {
  records: number;
  tenants: number;
  legacyTenants: number;
}

type Report = (where: string, code: string, message: string) => void;

interface UserInfo {
  record: StoredUser | undefined;
  live: number;
}

/** Tenant records, user records, settings and the API-key index, against each other. */
export async function checkTenants(store: LedgerRecords, report: Report, summary: TenantCounts): Promise<Map<string, TenantInfo>> {
  const tenants = new Map<string, TenantInfo>();
  for await (const [k, v] of store.iterate('tenant')) {
    summary.records++;
    const id = tenantIdOfKey(k);
    const d = decodeTenantRecord(id, v);
    if (!d.ok) {
      report(`tenant ${id}`, 'TENANT_CORRUPT', `the tenant record is refused: ${d.reason}`);
      tenants.set(id, { record: undefined, keys: 0 });
      continue;
    }
    summary.tenants++;
    if (d.legacy) summary.legacyTenants++;
    tenants.set(id, { record: d.tenant, keys: 0 });
  }
  const users = await checkUserRecords(store, tenants, report);
  await checkSettings(store, tenants, report);
  for await (const [k, v] of store.iterate('apiKey')) {
    summary.records++;
    const hash = keyHashOfKey(k);
    const hex = toHex(hash);
    const where = `api key ${hex.slice(0, 16)}`;
    const d = decodeKeyIndexValue(hash, v);
    if (!d.ok) {
      report(where, 'API_KEY_INDEX_CORRUPT', d.reason);
      continue;
    }
    const t = tenants.get(d.id);
    if (t === undefined) {
      report(where, 'API_KEY_INDEX_DANGLING', `names tenant ${d.id}, which has no record`);
      continue;
    }
    if (t.record === undefined) continue; // its tenant's record is damaged: reported above
    if (t.record.keyHash === hex) t.keys++; // the key issued with the tenant, in whatever form
    if (d.user === undefined) {
      // A tenant-only value (before users, or a founding key not rewritten since): the tenant's key.
      if (t.record.keyHash !== hex) report(where, 'API_KEY_INDEX_MISMATCH', `names tenant ${d.id}, whose record holds another key hash`);
      const founding = users.get(`${d.id}/${foundingOfficerId(d.id)}`);
      if (founding?.record?.keyHash === hex) founding.live++;
      continue;
    }
    const u = users.get(`${d.id}/${d.user}`);
    if (u === undefined) {
      report(where, 'API_KEY_INDEX_DANGLING', `names user ${d.id}/${d.user}, who has no record`);
      continue;
    }
    if (u.record === undefined) continue; // a damaged user record: reported above
    const current = u.record.keyHash === hex;
    if (d.retired === true) {
      if (current && u.record.revoked === undefined) report(where, 'API_KEY_INDEX_MISMATCH', `retired, but it is the current key of active user ${d.id}/${d.user}`);
    } else if (!current) {
      report(where, 'API_KEY_INDEX_MISMATCH', `names user ${d.id}/${d.user}, whose record holds another key hash`);
    } else if (u.record.revoked !== undefined) {
      report(where, 'API_KEY_INDEX_MISMATCH', `live, but user ${d.id}/${d.user} was revoked`);
    } else {
      u.live++;
    }
  }
  for (const [id, t] of tenants) {
    if (t.record !== undefined && t.keys === 0) report(`tenant ${id}`, 'API_KEY_INDEX_MISSING', 'no API-key index entry holds the key hash of this record');
  }
  for (const [name, u] of users) {
    const r = u.record;
    if (r === undefined || r.revoked !== undefined || u.live > 0) continue;
    const t = tenants.get(r.tenant);
    if (t?.record === undefined) continue; // its tenant is damaged or missing: reported above
    if (t.record.keyHash === r.keyHash && t.keys === 0) continue; // the founding key: reported once, for the tenant
    report(`user ${name}`, 'API_KEY_INDEX_MISSING', 'no live API-key index entry holds the key hash of this active user');
  }
  return tenants;
}

async function checkUserRecords(store: LedgerRecords, tenants: Map<string, TenantInfo>, report: Report): Promise<Map<string, UserInfo>> {
  const users = new Map<string, UserInfo>();
  const withUsers = new Set<string>();
  for await (const [k, v] of store.iterate(userTablePrefix())) {
    const key = parseUserKey(k);
    const name = `${key.tenant}/${key.id}`;
    const d = decodeUserRecord(key, v);
    withUsers.add(key.tenant);
    if (!d.ok) {
      report(`user ${name}`, 'USER_CORRUPT', `the user record is refused: ${d.reason}`);
      users.set(name, { record: undefined, live: 0 });
      continue;
    }
    users.set(name, { record: d.user, live: 0 });
    if (!tenants.has(key.tenant)) report(`user ${name}`, 'USER_DANGLING', `names tenant ${key.tenant}, which has no record`);
  }
  for (const id of withUsers) {
    if (tenants.get(id)?.record !== undefined && !users.has(`${id}/${foundingOfficerId(id)}`)) {
      report(`tenant ${id}`, 'USER_MISSING', `the tenant has users but no founding officer (${foundingOfficerId(id)})`);
    }
  }
  return users;
}

async function checkSettings(store: LedgerRecords, tenants: Map<string, TenantInfo>, report: Report): Promise<void> {
  for await (const [k, v] of store.iterate(settingsTablePrefix())) {
    const id = tenantIdOfKey(k);
    const d = decodeSettings(id, v);
    if (!d.ok) report(`settings ${id}`, 'SETTINGS_CORRUPT', `the settings record is refused: ${d.reason}`);
    else if (!tenants.has(id)) report(`settings ${id}`, 'SETTINGS_DANGLING', `names tenant ${id}, which has no record`);
  }
}

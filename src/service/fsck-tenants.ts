/**
 * fsck of the tenant records (`x T`) and the API-key index (`x K`), against each other (fsck-records.ts
 * checks them against the entries). Problem codes: TENANT_CORRUPT, API_KEY_INDEX_CORRUPT,
 * API_KEY_INDEX_DANGLING, API_KEY_INDEX_MISMATCH, API_KEY_INDEX_MISSING (see fsck-records.ts).
 */
import { toHex } from '../crypto/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import { decodeKeyIndexValue, decodeTenantRecord, type StoredTenant } from './tenant-record.js';

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

/** Tenant records and the API-key index, against each other. */
export async function checkTenants(store: LedgerRecords, report: (where: string, code: string, message: string) => void, summary: TenantCounts): Promise<Map<string, TenantInfo>> {
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
  for await (const [k, v] of store.iterate('apiKey')) {
    summary.records++;
    const hash = keyHashOfKey(k);
    const where = `api key ${toHex(hash).slice(0, 16)}`;
    const d = decodeKeyIndexValue(hash, v);
    if (!d.ok) {
      report(where, 'API_KEY_INDEX_CORRUPT', d.reason);
      continue;
    }
    const t = tenants.get(d.id);
    if (t === undefined) report(where, 'API_KEY_INDEX_DANGLING', `names tenant ${d.id}, which has no record`);
    else if (t.record === undefined) continue; // its tenant's record is damaged: reported above
    else if (t.record.keyHash !== toHex(hash)) report(where, 'API_KEY_INDEX_MISMATCH', `names tenant ${d.id}, whose record holds another key hash`);
    else t.keys++;
  }
  for (const [id, t] of tenants) {
    if (t.record !== undefined && t.keys === 0) report(`tenant ${id}`, 'API_KEY_INDEX_MISSING', 'no API-key index entry holds the key hash of this record');
  }
  return tenants;
}

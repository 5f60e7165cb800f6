/** Legacy (b4de8cb) tenant records at load: what one of them disagrees with (tenant-record.ts explains why). */
import { parseEntry } from '../entry/index.js';
import { recordKeys, type LedgerRecords } from '../ledger/index.js';
import type { StoredTenant } from './tenant-record.js';

const { decodeIndexValue, digestPrefix } = recordKeys;

/**
 * What a legacy record (no check of its own) disagrees with, if anything: the API-key index must hold the
 * record's key hash, and one of the tenant's entries (the first of its digest keys) must
 * carry the record's name and USCC ('confirmed'). A tenant without entries has only the index to agree with
 * ('unconfirmed': accepted, not upgraded).
 */
export async function legacyDisagreement(records: LedgerRecords, t: StoredTenant, keyIndex: Map<string, string | undefined>): Promise<string | 'confirmed' | 'unconfirmed'> {
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


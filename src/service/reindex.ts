/**
 * `cunzheng fsck --reindex`: every record derived from the entries — the deposit index (`x D`, `x I`), the
 * tenant listings (`x L`) and the document index (`x R`, `x H`, `x N`, `x C`) — recomputed from the entries
 * and written back where it differs: missing and differing records put, stray ones deleted, in synced batches
 * (ledger/repair.ts). Entries, tiles, checkpoints and the tree state are never touched, nor the records no
 * entry implies (tenants, users, API keys, anchors). On a stopped service (STORE_LOCKED otherwise); a run cut
 * short is simply run again. Afterwards fsck finds the derived tables equal to the entries, but for what the
 * entries themselves hold (an entry that does not parse, a digest deposited twice: fsck still names them).
 *
 * The rules are the write path's: `I` for every entry, `D` and `L` for every deposit (of one tenant's SHA-256
 * deposited twice, `D` names the first), the document index as the fold of the entries gives it.
 */
import { fromHex } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { parseEntry } from '../entry/index.js';
import { ExpectedRecords, RepairRecords, diffTable, recordKeys, type Pair } from '../ledger/index.js';
import { DOCUMENT_TABLES, expectedDocumentRecords } from './fsck-documents.js';
import type { ProblemReporter } from './fsck-records.js';

const { digestPrefix, idKey, indexValue, listingKey, listingPrefix, LISTING_VALUE } = recordKeys;

export interface ReindexSummary {
  treeSize: number;
  /** Records put (missing or differing) and deleted (stray), per table. */
  tables: Record<string, { put: number; deleted: number; stored: number }>;
  put: number;
  deleted: number;
}

/** The deposit index and listings the entries [0, n) imply. */
async function expectedDepositRecords(store: RepairRecords, n: number): Promise<Record<'digest' | 'id' | 'listing', ExpectedRecords>> {
  const out = { digest: new ExpectedRecords(), id: new ExpectedRecords(), listing: new ExpectedRecords() };
  const prefixes = new Map<string, { d: Uint8Array; l: Uint8Array }>();
  await store.scanEntries(0, n, (chunk) => {
    for (const [leaf, bytes] of chunk) {
      const v = indexValue(leaf);
      out.id.add(idKey(hashLeaf(bytes)), v);
      let e;
      try {
        e = parseEntry(bytes);
      } catch {
        continue; // no tenant, no digest: fsck names the entry
      }
      if (e.kind !== 'deposit') continue;
      let p = prefixes.get(e.tenant);
      if (p === undefined) prefixes.set(e.tenant, (p = { d: digestPrefix(e.tenant), l: listingPrefix(e.tenant) }));
      const d = new Uint8Array(p.d.length + 32);
      d.set(p.d);
      d.set(fromHex(e.digest.sha256, 32), p.d.length);
      out.digest.add(d, v);
      out.listing.add(listingKey(p.l, leaf), LISTING_VALUE);
    }
  });
  return out;
}

/** Rewrites one table where it differs from `expected`. */
async function rewriteTable(store: RepairRecords, table: recordKeys.TableName, expected: ExpectedRecords, summary: ReindexSummary): Promise<void> {
  const puts: Pair[] = [];
  const dels: Uint8Array[] = [];
  const stored = await diffTable((onChunk) => store.scan(table, onChunk), expected, {
    missing: (k, v) => puts.push([k, v]),
    differs: (k, _stored, v) => puts.push([k, v]),
    stray: (k) => dels.push(k),
  });
  await store.rewrite(puts, dels);
  summary.tables[table] = { put: puts.length, deleted: dels.length, stored };
  summary.put += puts.length;
  summary.deleted += dels.length;
}

/** Rewrites every derived record of the stopped store in `dataDir` from its entries; problems of the entries are reported. */
export async function reindex(dataDir: string, report: ProblemReporter = () => undefined): Promise<ReindexSummary> {
  const store = await RepairRecords.open(dataDir);
  try {
    const n = (await store.storedTreeSize())!;
    const summary: ReindexSummary = { treeSize: n, tables: {}, put: 0, deleted: 0 };
    const deposits = await expectedDepositRecords(store, n);
    for (const table of ['digest', 'id', 'listing'] as const) await rewriteTable(store, table, deposits[table], summary);
    const documents = await expectedDocumentRecords(store, n, report);
    for (const table of DOCUMENT_TABLES) await rewriteTable(store, table, documents[table], summary);
    await store.markComplete();
    return summary;
  } finally {
    await store.close();
  }
}

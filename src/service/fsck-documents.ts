/**
 * fsck of the document index (`x R`, `x H`, `x N`, `x C`; ledger/record-keys.ts): every record recomputed from
 * the entries (the fold of ledger/document-fold.ts: the lifecycle's startDocument/applyEntry over every entry
 * in leaf order) and compared with the stored tables both ways, exactly (ledger/derived-diff.ts). Offline, on a
 * stopped store; never writes. `expectedDocumentRecords` is also what `fsck --reindex` writes (reindex.ts).
 *
 * Problem codes (`where` names the record, or the entry):
 *   DOC_INDEX_MISSING   a record the entries imply is not stored
 *   DOC_INDEX_STRAY     a stored record no entry implies (a damaged key, a leaf beyond the tree, another tenant's)
 *   DOC_INDEX_MISMATCH  a record is stored under the right key with another value (an `x R` or `x N` naming
 *                       another document, a non-empty `x H` value, an `x C` state that passes its check but is
 *                       not the state the entries give)
 *   DOC_STATE_CORRUPT   an `x C` value fails its own check (decodeDocState): a flipped bit, a torn value
 *   DOC_PREV_DANGLING   an entry's prev names no earlier entry of its tenant: it belongs to no document
 *   DOC_ORPHAN_EVENT    an event without prev: it belongs to no document
 *   DOC_RULE_VIOLATION  an entry its document's rules refuse (written by a path that skipped them)
 * An entry that does not parse is fsck-records.ts's ENTRY_UNPARSEABLE (reported there, once).
 */
import { CunzhengError } from '../errors.js';
import { fromHex, toHex } from '../crypto/index.js';
import { decodeDocState, encodeDocState, type DocState } from '../lifecycle/index.js';
import { ExpectedRecords, diffTable, foldDocuments, recordKeys, type LedgerRecords, type Pair } from '../ledger/index.js';
import type { ProblemReporter } from './fsck-records.js';

const { docOfKey, docStateKey, historyKey, historyPrefix, HISTORY_VALUE, parseDocOfKey, parseDocStateKey, parseHistoryKey, parseRootKey, rootKey, rootsPrefix } = recordKeys;

export type DocumentTable = 'docOf' | 'history' | 'roots' | 'docState';
export const DOCUMENT_TABLES: readonly DocumentTable[] = ['docOf', 'history', 'roots', 'docState'];

export interface DocumentRecordsSummary {
  /** Stored document-index records read. */
  records: number;
  /** Documents (root deposits) the entries hold. */
  documents: number;
  /** Of those, documents with more than their root (a state record). */
  changed: number;
}

/** The document index the entries [0, n) imply, one ExpectedRecords per table; problems of the fold reported. */
export async function expectedDocumentRecords(store: LedgerRecords, n: number, report: ProblemReporter): Promise<Record<DocumentTable, ExpectedRecords>> {
  const out: Record<DocumentTable, ExpectedRecords> = { docOf: new ExpectedRecords(), history: new ExpectedRecords(), roots: new ExpectedRecords(), docState: new ExpectedRecords() };
  const prefixes = new Map<string, Uint8Array>();
  const states = await foldDocuments(store, n, {
    root(tenant, id, leaf) {
      let p = prefixes.get(tenant);
      if (p === undefined) prefixes.set(tenant, (p = rootsPrefix(tenant)));
      out.roots.add(rootKey(p, leaf), id);
    },
    member(tenant, id, doc, leaf) {
      out.docOf.add(docOfKey(id), doc);
      out.history.add(historyKey(historyPrefix(tenant, doc), leaf), HISTORY_VALUE);
    },
    problem(leaf, code, message) {
      if (code !== 'ENTRY_UNPARSEABLE') report(`entry ${leaf}`, code, message);
    },
  });
  for (const s of states.values()) out.docState.add(docStateKey(s.tenant, fromHex(s.doc, 16)), encodeDocState(s));
  return out;
}

/** How a record of each table is named in a report (also when its key is damaged). */
export function documentLabel(key: Uint8Array): string {
  const r = parseDocOfKey(key);
  if (r !== undefined) return `document R ${r.id}`;
  const h = parseHistoryKey(key);
  if (h !== undefined) return `document H ${h.tenantId}/${h.doc}/${h.leafIndex}`;
  const nk = parseRootKey(key);
  if (nk !== undefined) return `document N ${nk.tenantId}/${nk.leafIndex}`;
  const c = parseDocStateKey(key);
  if (c !== undefined) return `document C ${c.tenantId}/${c.doc}`;
  return `document ${String.fromCharCode(key[1] ?? 0x3f)} (hex ${toHex(key.subarray(2))})`;
}

function summarize(s: DocState): string {
  return `${s.status}${s.level === undefined ? '' : ` ${s.level}`}, ${s.versions} versions, ${s.events} events, last ${s.last.kind} ${s.last.id}`;
}

function describe(table: DocumentTable, v: Uint8Array): string {
  if (table === 'docOf' || table === 'roots') return v.length === 16 ? `document ${toHex(v)}` : `${v.length} bytes, not a 16-byte doc id`;
  if (table === 'history') return `${v.length} bytes`;
  const d = decodeDocState(v);
  return d.ok ? summarize(d.state) : 'a state that fails its check';
}

/** Checks the document index of a stopped store against its entries, reporting each problem. */
export async function checkDocuments(store: LedgerRecords, report: ProblemReporter): Promise<DocumentRecordsSummary> {
  const n = await store.storedTreeSize();
  if (n === undefined) throw new CunzhengError('STORE_EMPTY', 'no ledger state: this is not a ledger store');
  const expected = await expectedDocumentRecords(store, n, report);
  const summary: DocumentRecordsSummary = { records: 0, documents: expected.roots.size, changed: expected.docState.size };
  for (const table of DOCUMENT_TABLES) {
    summary.records += await diffTable((onChunk: (kv: Pair[]) => void) => store.scan(table, onChunk), expected[table], {
      missing(key, value) {
        report(documentLabel(key), 'DOC_INDEX_MISSING', `the entries imply this record (${describe(table, value)}), which is not stored`);
      },
      stray(key, value) {
        if (table === 'docState' && !decodeDocState(value).ok) report(documentLabel(key), 'DOC_STATE_CORRUPT', 'a stored state fails its check, and no document of the entries has this key');
        else report(documentLabel(key), 'DOC_INDEX_STRAY', `stored (${describe(table, value)}), but no entry implies this record`);
      },
      differs(key, stored, want) {
        if (table === 'docState') {
          const d = decodeDocState(stored);
          if (!d.ok) return report(documentLabel(key), 'DOC_STATE_CORRUPT', `the stored state fails its check (${d.reason}); the entries give: ${describe(table, want)}`);
        }
        report(documentLabel(key), 'DOC_INDEX_MISMATCH', `stored: ${describe(table, stored)}; the entries give: ${describe(table, want)}`);
      },
    });
  }
  return summary;
}

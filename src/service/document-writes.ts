/**
 * The document index's writes of a run of new entries (design §3), computed where the entries are decided:
 * after DepositRuns has kept only the new items, and before the run is appended, so that they travel with
 * the entries in the same synced batch (AppendOptions.leafKeys / records).
 *
 *   root deposit (no prev)          x N <tenant> 0x00 <leaf> → its own id
 *   deposit with prev, every event  x R <its id> → doc;  x H <tenant> 0x00 <doc> <leaf>;  x C <tenant> 0x00 <doc> → new state
 *
 * A document's next state depends on its current one (the lifecycle rules), so the documents a run touches
 * are locked (document-locks.ts, sorted acquisition: a batch with many prevs cannot deadlock with another),
 * their states read once locked, each entry applied in order (applyEntry: a violation throws its
 * LIFECYCLE_* 409 and nothing of the run is written), and the locks kept until the run is durable — the
 * caller releases them once appendRun has settled, whichever way. Root deposits need no lock and no read.
 *
 * What is read back is checked by the ledger's document index (ledger.documents: docOf, state): damage is
 * STORE_CORRUPT, never a client's code.
 */
import { toHex } from '../crypto/index.js';
import { parseEntry, type Entry } from '../entry/index.js';
import { hashLeaf } from '../merkle/index.js';
import { applyEntry, type DocState } from '../lifecycle/index.js';
import { storeCorrupt, type AppendOptions, type Ledger } from '../ledger/index.js';
import { DocumentLocks, type Release } from './document-locks.js';
import type { Derive } from './deposit-runs.js';
import type { DepositInput } from './deposit-entries.js';

/** A new entry of a run: its bytes, and the parsed entry when the caller has it (events; parsed here otherwise). */
export interface RunItem {
  bytes: Uint8Array;
  entry?: Entry;
}

/** What travels with the run (AppendOptions.leafKeys, roots, records), and the locks to give back once it is durable. */
export interface DocumentRun {
  /** Per entry (runs that touch a document); a run of root deposits only gives `roots` instead. */
  leafKeys?: NonNullable<AppendOptions['leafKeys']>;
  roots?: Uint8Array;
  records: NonNullable<AppendOptions['records']>;
  /** The documents' states after the run, by doc id (for the caller's answer). */
  states: Map<string, DocState>;
  release: Release;
}

const NO_LOCK: Release = () => undefined;

export class DocumentWrites {
  readonly locks = new DocumentLocks();
  private readonly prefixes = new Map<string, Uint8Array>();

  constructor(private readonly ledger: Ledger) {}

  /** The document an existing deposit `prev` (already checked: the tenant's, kind deposit) belongs to. */
  async docOfDeposit(tenantId: string, prev: string, prevEntry: Entry): Promise<string> {
    if (prevEntry.prev === undefined) return prev;
    const doc = await this.ledger.documents.docOf(prev);
    if (doc === undefined) throw storeCorrupt(`document R ${prev}`, `deposit ${prev} of ${tenantId} belongs to no document`, 'DOC_INDEX_MISSING');
    return doc;
  }

  /**
   * The document's state now (checked by the index; a writer asks for the history check too: a lost x C must
   * never be built on); STORE_CORRUPT when the tenant has no such document.
   */
  async state(tenantId: string, doc: string): Promise<DocState> {
    const s = await this.ledger.documents.state(tenantId, doc, { history: true });
    if (s === undefined) throw storeCorrupt(`document C ${tenantId}/${doc}`, 'a deposit names a document that is not stored', 'DOC_INDEX_MISSING');
    return s;
  }

  /** The tenant's x N prefix (kept for the tenants seen), for AppendOptions.roots: a run of root deposits only. */
  rootsPrefix(tenantId: string): Uint8Array {
    let p = this.prefixes.get(tenantId);
    if (p === undefined) {
      if (this.prefixes.size >= 65_536) this.prefixes.clear();
      p = this.ledger.documents.rootsPrefix(tenantId);
      this.prefixes.set(tenantId, p);
    }
    return p;
  }

  /**
   * The writes of a run of `tenantId`'s new entries, in run order. `docs`: the document of each item with a
   * prev (docOfDeposit), undefined for a root deposit. Resolves holding the locks of every document touched;
   * throws LIFECYCLE_* (locks given back) when an entry breaks a rule.
   */
  async prepare(tenantId: string, items: readonly RunItem[], docs: readonly (string | undefined)[]): Promise<DocumentRun> {
    const touched = [...new Set(docs.filter((d): d is string => d !== undefined))];
    const states = new Map<string, DocState>();
    if (touched.length === 0) return { roots: this.rootsPrefix(tenantId), records: [], states, release: NO_LOCK };
    const release = await this.locks.acquire(touched.map((d) => `${tenantId}\u0000${d}`));
    try {
      for (const d of touched) states.set(d, await this.state(tenantId, d));
      const plan = items.map((item, j) => {
        const id = hashLeaf(item.bytes).subarray(0, 16);
        const doc = docs[j];
        if (doc === undefined) return { id, doc: id, root: true };
        states.set(doc, applyEntry(states.get(doc)!, item.entry ?? parseEntry(item.bytes), toHex(id)));
        return { id, doc, root: false };
      });
      const w = this.ledger.documents.writesFor(tenantId, plan, [...states.values()]);
      return { leafKeys: w.leafKeys, records: w.records, states, release };
    } catch (e) {
      release();
      throw e;
    }
  }
}

/**
 * DepositRuns' derive step for a deposit run: root deposits write their x N keys; new versions (items with a
 * prev, `prevs`: the entry each prev names, checked by the caller) lock their documents and obey the rules.
 */
export function deriveDeposits(
  docs: DocumentWrites, tenantId: string, items: readonly DepositInput[], entries: readonly Uint8Array[], prevs: Map<string, Entry> | undefined,
): Derive {
  // Root deposits only (the hot path): the ledger writes their x N keys with the ids it hashes anyway.
  if (prevs === undefined) return async () => ({ roots: docs.rootsPrefix(tenantId), release: NO_LOCK });
  return async (fresh) => {
    const docOf = new Map<string, Promise<string>>();
    const ofPrev = (prev: string): Promise<string> => {
      let d = docOf.get(prev);
      if (d === undefined) docOf.set(prev, (d = docs.docOfDeposit(tenantId, prev, prevs.get(prev)!)));
      return d;
    };
    const docIds = await Promise.all(fresh.map((j) => (items[j]!.prev === undefined ? undefined : ofPrev(items[j]!.prev!))));
    return docs.prepare(tenantId, fresh.map((j) => ({ bytes: entries[j]! })), docIds);
  };
}

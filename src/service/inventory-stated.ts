/**
 * Which of a tenant's documents have a state record (`x C`): those with an entry besides their root — a new
 * version or an event — kept in memory in root order (the root's leaf). A filter that no root deposit alone
 * can match (a level; a status other than unclassified) walks these instead of every root: with 1e6 documents
 * of which 5e4 have events, a page by level reads a few hundred states, not 5,000 roots.
 *
 * Built per tenant at its first such query from the keys of its `x C` records (keys only) and the root leaf
 * of each (the id index `x I`, one batched read); then kept up to date from the entries appended since (the
 * ledger never deletes): every entry of the tenant with a `prev` names a document that has a state now. What
 * it reads is checked: a state key that names no stored deposit, a document whose root is not below the tree,
 * are STORE_CORRUPT. About 100 bytes per document with a state.
 */
import { toHex, utf8 } from '../crypto/index.js';
import { parseEntry } from '../entry/index.js';
import { hashLeaf } from '../merkle/index.js';
import { recordKeys, storeCorrupt, type Ledger } from '../ledger/index.js';

interface TenantDocs {
  /** Root leaves, ascending, and the doc id of each. */
  leaves: number[];
  docs: string[];
  known: Set<string>;
  /** Entries below this tree size have been looked at. */
  upTo: number;
}

const PREV = utf8('"prev":"');

export class StatedDocuments {
  private readonly tenants = new Map<string, TenantDocs>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ledger: Ledger) {}

  /** Up to `limit` documents with a state whose root leaf is after `after`, in root order: [leaf, doc]. */
  async after(tenant: string, after: number | undefined, limit: number): Promise<[number, string][]> {
    const t = await this.current(tenant);
    let lo = 0;
    let hi = t.leaves.length;
    const from = after === undefined ? -1 : after;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.leaves[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: [number, string][] = [];
    for (let i = lo; i < t.leaves.length && out.length < limit; i++) out.push([t.leaves[i]!, t.docs[i]!]);
    return out;
  }

  /** The tenant's index, brought up to the released tree (one update at a time). */
  private current(tenant: string): Promise<TenantDocs> {
    const run = this.queue.then(() => this.update(tenant));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async update(tenant: string): Promise<TenantDocs> {
    let t = this.tenants.get(tenant);
    const size = this.ledger.treeSize;
    if (t === undefined) {
      t = { leaves: [], docs: [], known: new Set(), upTo: size };
      const full = this.ledger.documents.stateKey(tenant, '0'.repeat(32));
      const prefix = full.slice(0, full.length - 16);
      const docs: string[] = [];
      await this.ledger.records.scanKeys(prefix, (keys) => {
        for (const k of keys) {
          const at = recordKeys.parseDocStateKey(k);
          if (at === undefined || at.tenantId !== tenant) throw storeCorrupt(`document C ${tenant}`, 'a state key has not the shape of one', 'DOC_INDEX_MISMATCH');
          docs.push(at.doc);
        }
      });
      await this.add(tenant, t, docs);
      this.tenants.set(tenant, t);
    }
    if (t.upTo < size) {
      const from = t.upTo;
      const found = new Set<string>();
      const lookups: Promise<void>[] = [];
      const needle = utf8(`"tenant":${JSON.stringify(tenant)}`);
      await this.ledger.records.scanEntries(from, size, (chunk) => {
        for (const [leaf, bytes] of chunk) {
          // Most entries are root deposits, or another tenant's: two byte searches pass them without parsing.
          const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          if (b.indexOf(PREV) < 0 || b.indexOf(needle) < 0) continue;
          let e;
          try {
            e = parseEntry(bytes);
          } catch (err) {
            throw storeCorrupt(`entry ${leaf}`, 'the stored entry does not parse', 'ENTRY_UNPARSEABLE', err);
          }
          if (e.tenant !== tenant || e.prev === undefined) continue;
          if (t.known.has(e.prev) || found.has(e.prev)) continue;
          const id = toHex(hashLeaf(bytes).subarray(0, 16));
          lookups.push(this.ledger.documents.docOf(id).then((doc) => {
            if (doc === undefined) throw storeCorrupt(`entry ${leaf}`, 'an entry with a prev belongs to no document', 'DOC_INDEX_MISSING');
            found.add(doc);
          }));
        }
      });
      await Promise.all(lookups);
      await this.add(tenant, t, [...found].filter((d) => !t.known.has(d)));
      t.upTo = size;
    }
    return t;
  }

  /** Adds documents (not yet known) with their root leaves, keeping root order (one merge). */
  private async add(tenant: string, t: TenantDocs, docs: readonly string[]): Promise<void> {
    const fresh: [number, string][] = [];
    for (let at = 0; at < docs.length; at += 10_000) {
      const part = docs.slice(at, at + 10_000);
      const values = await this.ledger.records.getMany(part.map((d) => recordKeys.idKey(Buffer.from(d, 'hex'))));
      for (const [j, v] of values.entries()) {
        const leaf = v === undefined ? undefined : recordKeys.decodeIndexValue(v);
        const doc = part[j]!;
        if (leaf === undefined) throw storeCorrupt(`document C ${tenant}/${doc}`, 'the document has a state but its root deposit is not in the id index', 'DOC_INDEX_MISMATCH');
        // A root in a group still being committed: its entries are looked at again once the tree has it.
        if (leaf >= this.ledger.treeSize || t.known.has(doc)) continue;
        t.known.add(doc);
        fresh.push([leaf, doc]);
      }
    }
    if (fresh.length === 0) return;
    fresh.sort((a, b) => a[0] - b[0]);
    const leaves: number[] = [];
    const ids: string[] = [];
    let i = 0;
    let k = 0;
    while (i < t.leaves.length || k < fresh.length) {
      if (k >= fresh.length || (i < t.leaves.length && t.leaves[i]! < fresh[k]![0])) {
        leaves.push(t.leaves[i]!);
        ids.push(t.docs[i++]!);
      } else {
        leaves.push(fresh[k]![0]);
        ids.push(fresh[k++]![1]);
      }
    }
    t.leaves = leaves;
    t.docs = ids;
  }
}

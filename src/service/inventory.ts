/**
 * The tenant's 商业秘密清单: one row per document (a version chain), in the order its root deposits were
 * made (the ledger's document index, `x N`), each with its state (`x C`, or the root deposit alone when the
 * document has no state record: startDocument), filtered and paged.
 *
 * Work per request is bounded: a page examines at most `maxExamined` documents (5,000), so a filter that
 * matches few documents answers a short page, possibly empty, with a `next` cursor to go on from, and
 * `examined` says how many documents it looked at. A document without a state record is its root deposit
 * alone — unclassified, without a level — so a level filter, or a status filter other than unclassified,
 * walks only the documents that have a state record (inventory-stated.ts keeps them in root order) and
 * never reads a root that cannot match. The CSV walks pages here until the end, or until `csvMaxRows`
 * (50,000) rows or `csvMaxExamined` (200,000) documents, and then says where to go on (`next`).
 */
import { CunzhengError } from '../errors.js';
import { decodeDocState, displayStatus, inventoryCsv, inventoryRow, startDocument, type DocState, type InventoryRow } from '../lifecycle/index.js';
import { parseStoredEntry, storeCorrupt, type Ledger } from '../ledger/index.js';
import { StatedDocuments } from './inventory-stated.js';
import { encodeCursor, isUnfiltered, matchesFilter, MAX_PAGE, type InventoryFilter, type InventoryQuery } from './inventory-query.js';

export interface InventoryPage {
  rows: InventoryRow[];
  /** Documents looked at for this page (matched or not). */
  examined: number;
  /** Where the next page starts (same filters), or null when there is no more. */
  next: string | null;
}

export interface InventoryCsv {
  text: string;
  rows: number;
  examined: number;
  /** Set when the CSV stopped at its cap: the cursor of the rest (same filters). */
  next: string | null;
}

export interface InventoryOptions {
  /** Documents examined per page at most (default 5,000). */
  maxExamined?: number;
  /** Rows of one CSV answer at most (default 50,000), and documents examined for it (default 200,000). */
  csvMaxRows?: number;
  csvMaxExamined?: number;
  /** The clock expiry is read against (tests). */
  now?: () => Date;
}

export const MAX_EXAMINED = 5000;
export const CSV_MAX_ROWS = 50_000;
export const CSV_MAX_EXAMINED = 200_000;
/** Roots read at a time when a filter is set (unfiltered: just what the page still needs). */
const FILTERED_CHUNK = 500;

/** The part of the ledger the inventory reads. */
type Documents = Ledger['documents'];

export class Inventory {
  private readonly maxExamined: number;
  private readonly csvMaxRows: number;
  private readonly csvMaxExamined: number;
  private readonly now: () => Date;

  constructor(private readonly ledger: Ledger, options: InventoryOptions = {}) {
    this.maxExamined = options.maxExamined ?? MAX_EXAMINED;
    this.csvMaxRows = options.csvMaxRows ?? CSV_MAX_ROWS;
    this.csvMaxExamined = options.csvMaxExamined ?? CSV_MAX_EXAMINED;
    this.now = options.now ?? (() => new Date());
    this.stated = new StatedDocuments(ledger);
  }

  /** The documents that have a state record, in root order (inventory-stated.ts). */
  private readonly stated: StatedDocuments;

  private get documents(): Documents {
    return this.ledger.documents;
  }

  /** One page: up to `query.limit` rows, at most maxExamined documents looked at. */
  async page(tenant: string, query: InventoryQuery): Promise<InventoryPage> {
    const s = await this.scan(tenant, query, this.now());
    return { rows: s.rows, examined: s.examined, next: s.after === undefined ? null : encodeCursor(tenant, query.filter, s.after) };
  }

  /** The rows of one page and the root leaf it ended at (undefined: nothing after it). */
  private async scan(tenant: string, query: InventoryQuery, now: Date): Promise<{ rows: InventoryRow[]; examined: number; after: number | undefined }> {
    const limit = query.limit;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new CunzhengError('INVENTORY_BAD_FILTER', `limit: expected an integer from 1 to ${MAX_PAGE}`, { details: { field: 'limit' } });
    const filter = query.filter;
    const unfiltered = isUnfiltered(filter);
    // A document without a state record starts unclassified without a level: can such a one match?
    const startCanMatch = filter.level === undefined && (filter.status === undefined || filter.status === 'unclassified');
    const rows: InventoryRow[] = [];
    let after = query.after;
    let examined = 0;
    let done = false;
    while (rows.length < limit && examined < this.maxExamined) {
      const want = Math.min(this.maxExamined - examined, unfiltered ? limit - rows.length : startCanMatch ? Math.max(FILTERED_CHUNK, limit) : Math.max(100, 2 * limit));
      // Only documents with a state record can match a level, or a status but unclassified: walk those alone.
      const roots = startCanMatch
        ? await this.documents.roots(tenant, after, want)
        : (await this.stated.after(tenant, after, want)).map(([leaf, doc]) => ({ leaf, doc }));
      const states = await this.storedStates(tenant, roots.map((r) => r.doc));
      if (!startCanMatch) {
        const lost = states.findIndex((x) => x === undefined);
        if (lost >= 0) throw storeCorrupt(`document C ${tenant}/${roots[lost]!.doc}`, 'the document has entries besides its root but no state record', 'DOC_INDEX_MISSING');
      }
      const starts = await Promise.all(roots.map((r, i) => (states[i] === undefined && startCanMatch ? this.start(tenant, r.leaf, r.doc) : undefined)));
      let stopped = false;
      for (let i = 0; i < roots.length; i++) {
        const root = roots[i]!;
        examined++;
        after = root.leaf;
        const state = states[i] ?? starts[i];
        if (state !== undefined && this.matches(state, filter, now)) rows.push(inventoryRow(state, now));
        if (rows.length >= limit) {
          stopped = i < roots.length - 1 || roots.length === want;
          break;
        }
      }
      if (!stopped && roots.length < want) {
        done = true;
        break;
      }
    }
    return { rows, examined, after: done ? undefined : after };
  }

  /** The CSV of every page from `query.after` on, up to the CSV caps (then `next` says where to go on). */
  async csv(tenant: string, query: InventoryQuery): Promise<InventoryCsv> {
    const now = this.now();
    const rows: InventoryRow[] = [];
    let examined = 0;
    let after = query.after;
    for (;;) {
      const limit = Math.min(MAX_PAGE, this.csvMaxRows - rows.length);
      const page = await this.scan(tenant, { ...query, limit, ...(after === undefined ? {} : { after }) }, now);
      for (const r of page.rows) rows.push(r);
      examined += page.examined;
      after = page.after;
      if (after === undefined || rows.length >= this.csvMaxRows || examined >= this.csvMaxExamined) break;
    }
    const next = after === undefined ? null : encodeCursor(tenant, query.filter, after);
    return { text: inventoryCsv(rows, { header: true, lang: query.lang }), rows: rows.length, examined, next };
  }

  private matches(state: DocState, filter: InventoryFilter, now: Date): boolean {
    return matchesFilter({ status: displayStatus(state, now), level: state.level, labels: state.latest.labels, lastTime: state.last.time }, filter);
  }

  /**
   * The stored states (`x C`) of these documents, read together (one batched read): DocumentIndex.state's
   * checks — the record passes its own check and names its document and tenant — without its fallback, so
   * that a document without a record costs nothing more unless the filters can match its root alone.
   */
  private async storedStates(tenant: string, docs: readonly string[]): Promise<(DocState | undefined)[]> {
    const values = await this.ledger.records.getMany(docs.map((d) => this.documents.stateKey(tenant, d)));
    return values.map((v, i) => {
      if (v === undefined) return undefined;
      const doc = docs[i]!;
      const where = `document C ${tenant}/${doc}`;
      const d = decodeDocState(v);
      if (!d.ok) throw storeCorrupt(where, `the state fails its check (${d.reason})`, 'DOC_STATE_CORRUPT');
      if (d.state.doc !== doc || d.state.tenant !== tenant) throw storeCorrupt(where, `the record holds the state of ${d.state.tenant}/${d.state.doc}`, 'DOC_INDEX_MISMATCH');
      return d.state;
    });
  }

  /** The state of a document without a state record: its root deposit alone (the leaf roots() checked against the id index). */
  private async start(tenant: string, leaf: number, doc: string): Promise<DocState> {
    const bytes = await this.ledger.entry(leaf);
    if (bytes === undefined) throw storeCorrupt(`document N ${tenant}/${leaf}`, `the root leaf ${leaf} is beyond the tree`, 'ENTRY_MISSING');
    const entry = parseStoredEntry(bytes, leaf);
    if (entry.tenant !== tenant || entry.kind !== 'deposit' || entry.prev !== undefined) {
      throw storeCorrupt(`document N ${tenant}/${leaf}`, `names leaf ${leaf}, which is not a root deposit of this tenant`, 'DOC_INDEX_MISMATCH');
    }
    return startDocument(entry, doc);
  }
}

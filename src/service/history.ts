/**
 * Reading a tenant's records back: a document's history (every version and event, in ledger order, each with
 * its refreshed and verified receipt, and the document's state) and the tenant's deposits newest first.
 *
 * Who sees what (design §4): a depositor sees only the entries whose operator is theirs — another's deposit
 * id answers as an unknown one (undefined → 404), another's deposits are not listed; viewers and officers
 * see the tenant's. A depositor's history is that of a document one of their own entries belongs to.
 *
 * Cursors are leaf indexes, as decimal text: a history page continues after its cursor, a listing page
 * before it. Listing pages are bounded in work as well as in rows: at most SCAN_BUDGET entries are read per
 * page (a depositor's few rows among many, a far `until`), and the cursor says where to continue — a page
 * may hold fewer rows than asked and still have a next one.
 */
import { hashLeaf } from '../merkle/index.js';
import { toHex } from '../crypto/index.js';
import { displayStatus, expiry, type DocState, type DisplayStatus } from '../lifecycle/index.js';
import { parseStoredEntry, storeCorrupt } from '../ledger/index.js';
import type { Receipt } from '../receipt/index.js';
import { verifiedForServing } from './stored-deposit.js';
import type { Entry } from '../entry/index.js';
import type { Deposits } from './deposits.js';
import { foundingOfficerId } from './users.js';
import type { Tenant } from './tenants.js';

/** Who asks, for reads: a depositor sees only entries whose operator is theirs; the other roles the tenant's. */
export interface Reader {
  id: string;
  role: string;
}

/** The operator an entry names (a v1 entry's is the tenant's founding officer). */
export function operatorOf(entry: Entry): string {
  return entry.operator ?? foundingOfficerId(entry.tenant);
}

/** True when `reader` may see the entry (no reader: a library caller, who sees the tenant's). */
export function visibleTo(entry: Entry, reader: Reader | undefined): boolean {
  return reader === undefined || reader.role !== 'depositor' || operatorOf(entry) === reader.id;
}

export const MAX_PAGE = 100;
/** Entries read at most for one listing page. */
export const SCAN_BUDGET = 2000;
/** Entry times follow leaf order only roughly (entries are built before they are queued): the slack a `since` cut allows. */
export const TIME_SLACK_MS = 60_000;

export interface HistoryItem {
  id: string;
  leafIndex: number;
  kind: string;
  time: string;
  operator: string;
  receipt: Receipt;
}

export interface HistoryPage {
  doc: string;
  state: DocState & { display: DisplayStatus; expiry?: string };
  items: HistoryItem[];
  cursor?: string;
}

export interface ListingRow {
  id: string;
  leafIndex: number;
  kind: string;
  time: string;
  operator: string;
  sha256: string;
  title?: string;
}

export interface ListingPage {
  deposits: ListingRow[];
  cursor?: string;
}

export interface ListingQuery {
  /** ms since the epoch, inclusive. */
  since?: number;
  until?: number;
  /** List leaves before this one (the previous page's cursor). */
  before?: number;
  limit?: number;
}

function pageSize(limit: number | undefined): number {
  return limit === undefined ? MAX_PAGE : Math.max(1, Math.min(MAX_PAGE, Math.trunc(limit)));
}

export class History {
  constructor(private readonly deposits: Deposits) {}

  private get ledger() {
    return this.deposits.ledger;
  }

  /** The stored entry at `leaf` (checked), with its receipt refreshed and verified. */
  private async item(leaf: number): Promise<HistoryItem> {
    const bytes = await this.ledger.entry(leaf);
    if (bytes === undefined) throw storeCorrupt(`entry ${leaf}`, 'the document index names a leaf beyond the tree', 'DOC_INDEX_MISMATCH');
    const entry = parseStoredEntry(bytes, leaf);
    const receipt = await verifiedForServing(this.ledger, await this.deposits.refreshedReceipt(leaf, bytes), leaf, `entry ${leaf}`);
    return { id: receipt.id, leafIndex: leaf, kind: entry.kind, time: entry.time, operator: operatorOf(entry), receipt };
  }

  /**
   * The history of the document the tenant's entry `id` belongs to, after leaf `after` (a previous page's
   * cursor), at most `limit` items; undefined when the entry is unknown to this reader.
   */
  async history(tenant: Tenant, id: string, reader: Reader | undefined, after?: number, limit?: number): Promise<HistoryPage | undefined> {
    const own = await this.deposits.ownIndex(tenant, id, reader);
    if (own === undefined) return undefined;
    const docs = this.ledger.documents;
    const doc = await docs.docOf(id);
    const state = doc === undefined ? undefined : await docs.state(tenant.id, doc);
    if (doc === undefined || state === undefined) throw storeCorrupt(`document of ${id}`, `entry ${own.index} belongs to no document of its tenant`, 'DOC_INDEX_MISSING');
    const root = doc === id ? { index: own.index } : await this.deposits.ownIndex(tenant, doc);
    if (root === undefined) throw storeCorrupt(`document ${tenant.id}/${doc}`, 'the root deposit is not stored', 'DOC_INDEX_MISSING');
    const n = pageSize(limit);
    const leaves: number[] = [];
    if (after === undefined || after < root.index) leaves.push(root.index);
    const from = after === undefined || after < root.index ? root.index : after;
    if (leaves.length < n + 1) leaves.push(...(await docs.history(tenant.id, doc, from, n + 1 - leaves.length)));
    const more = leaves.length > n;
    const page = leaves.slice(0, n);
    const items: HistoryItem[] = [];
    for (const leaf of page) items.push(await this.item(leaf));
    const shown = { ...state, display: displayStatus(state, new Date()), ...(expiry(state) === undefined ? {} : { expiry: expiry(state)! }) };
    return { doc, state: shown, items, ...(more ? { cursor: String(page[page.length - 1]!) } : {}) };
  }

  /** The tenant's deposits, newest first, within [since, until], that `reader` may see. */
  async listing(tenant: Tenant, reader: Reader | undefined, q: ListingQuery = {}): Promise<ListingPage> {
    const n = pageSize(q.limit);
    const rows: ListingRow[] = [];
    let before = q.before;
    let scanned = 0;
    for (;;) {
      const leaves = await this.ledger.documents.newest(tenant.id, before, Math.min(MAX_PAGE, SCAN_BUDGET - scanned));
      if (leaves.length === 0) return { deposits: rows };
      for (const leaf of leaves) {
        scanned++;
        before = leaf;
        const bytes = await this.ledger.entry(leaf);
        if (bytes === undefined) throw storeCorrupt(`listing ${tenant.id}/${leaf}`, 'the listing names a leaf beyond the tree', 'INDEX_MISMATCH');
        const e = parseStoredEntry(bytes, leaf);
        if (e.tenant !== tenant.id) throw storeCorrupt(`listing ${tenant.id}/${leaf}`, `the entry is ${e.tenant}'s`, 'INDEX_MISMATCH');
        const t = Date.parse(e.time);
        if (q.since !== undefined && t < q.since - TIME_SLACK_MS) return { deposits: rows };
        if ((q.since !== undefined && t < q.since) || (q.until !== undefined && t > q.until) || !visibleTo(e, reader)) continue;
        const title = e.meta?.title;
        rows.push({
          id: toHex(hashLeaf(bytes).subarray(0, 16)), leafIndex: leaf, kind: e.kind, time: e.time, operator: operatorOf(e), sha256: e.digest.sha256,
          ...(typeof title === 'string' ? { title } : {}),
        });
        if (rows.length === n) return { deposits: rows, cursor: String(leaf) };
      }
      if (scanned >= SCAN_BUDGET || before === 0) return { deposits: rows, ...(before === 0 ? {} : { cursor: String(before) }) };
    }
  }
}

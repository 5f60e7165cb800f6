/**
 * The document index (layout in record-keys.ts): which document an entry belongs to (`x R`), a document's
 * entries in leaf order (`x H`), a tenant's documents in the order their roots were deposited (`x N`, the
 * 清单's order) and each changed document's state (`x C`). Like the deposit index these records are data of
 * the run: `writesFor` turns the caller's plan into the run's `leafKeys` and `records`, and the integrator
 * writes them in the same synced batch as the entries (a crash leaves both or neither).
 *
 * What is read back is checked before it is used: an `x R` value must be a 16-byte id naming a stored root
 * deposit of the entry's tenant, an `x N` value the id of the deposit at the key's leaf, an `x C` value must
 * pass its own check (decodeDocState) and name the document and tenant of its key, and a document with history
 * must have its state. Anything else is the store's damage: STORE_CORRUPT with `details.problem` one of
 * DOC_INDEX_MISMATCH, DOC_INDEX_MISSING, DOC_STATE_CORRUPT (or the deposit index's ENTRY_* problems).
 */
import { CunzhengError } from '../errors.js';
import { fromHex, isLowerHex, toHex } from '../crypto/index.js';
import { decodeDocState, encodeDocState, startDocument, type DocState } from '../lifecycle/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/deposit-id.js';
import { storeCorrupt, type DepositIndex, type IndexHost } from './deposit-index.js';
import {
  decodeIndexValue, docOfKey, docStateKey, historyKey, historyPrefix, HISTORY_VALUE, idKey, listingKey, listingPrefix,
  parseHistoryKey, parseListingKey, parseRootKey, rootKey, rootsPrefix,
} from './record-keys.js';
import type { LedgerRecords, Pair } from './records.js';
import type { LeafKey } from './types.js';

/** An entry id or doc id: 16 bytes (the leaf hash prefix, or the whole leaf hash) or 32 lowercase hex digits. */
export type DocId = Uint8Array | string;

/** One entry of a run, as the document index sees it. */
export interface DocumentPlanEntry {
  /** The entry's id (the first 16 bytes of its leaf hash). */
  id: DocId;
  /** The document it belongs to: for a root deposit its own id. */
  doc: DocId;
  /** A deposit without prev: it starts the document `doc` (= `id`). */
  root: boolean;
}

/** What `writesFor` gives a run: its AppendOptions.leafKeys and AppendOptions.records. */
export interface DocumentWrites {
  leafKeys: (LeafKey[] | undefined)[];
  records: Pair[];
}

const badPlan = (message: string): CunzhengError => new CunzhengError('LEDGER_BAD_ENTRY', message);

/** The 16 bytes of an id (LEDGER_BAD_ENTRY when it is neither 16+ bytes nor 32 lowercase hex). */
export function idBytes(id: DocId, what = 'id'): Uint8Array {
  if (typeof id === 'string') {
    if (!isLowerHex(id, 2 * DEPOSIT_ID_BYTES)) throw badPlan(`${what} must be ${2 * DEPOSIT_ID_BYTES} lowercase hex digits`);
    return fromHex(id, DEPOSIT_ID_BYTES);
  }
  if (!(id instanceof Uint8Array) || id.length < DEPOSIT_ID_BYTES) throw badPlan(`${what} must be ${DEPOSIT_ID_BYTES} bytes`);
  return id.subarray(0, DEPOSIT_ID_BYTES);
}

export class DocumentIndex {
  constructor(private readonly records: LedgerRecords, private readonly host: IndexHost, private readonly deposits: DepositIndex) {}

  // Key builders (record-keys.ts has the layout).
  docOfKey(id: DocId): Uint8Array {
    return docOfKey(idBytes(id));
  }
  historyPrefix(tenantId: string, docId: DocId): Uint8Array {
    return historyPrefix(tenantId, idBytes(docId, 'doc'));
  }
  historyKey(tenantId: string, docId: DocId, leafIndex: number): Uint8Array {
    return historyKey(this.historyPrefix(tenantId, docId), leafIndex);
  }
  rootsPrefix(tenantId: string): Uint8Array {
    return rootsPrefix(tenantId);
  }
  rootKey(tenantId: string, leafIndex: number): Uint8Array {
    return rootKey(rootsPrefix(tenantId), leafIndex);
  }
  stateKey(tenantId: string, docId: DocId): Uint8Array {
    return docStateKey(tenantId, idBytes(docId, 'doc'));
  }

  /**
   * The document index's writes of one tenant's run: per entry (in run order) an `x N` leaf key for a root
   * deposit, or an `x H` leaf key and an `x R` record for any other entry; and an `x C` record for each new
   * state. `states` must hold exactly one state for each document that has an entry other than its root in
   * the run (the state after the run's last entry of it), and none for a document that is only its root.
   */
  writesFor(tenantId: string, entries: readonly DocumentPlanEntry[], states: readonly DocState[]): DocumentWrites {
    const leafKeys: (LeafKey[] | undefined)[] = [];
    const records: Pair[] = [];
    const changed = new Set<string>();
    const roots = rootsPrefix(tenantId);
    for (const [j, e] of entries.entries()) {
      const id = idBytes(e.id, `entries[${j}].id`);
      const doc = idBytes(e.doc, `entries[${j}].doc`);
      if (e.root) {
        if (toHex(id) !== toHex(doc)) throw badPlan(`entries[${j}]: a root deposit is its own document`);
        leafKeys.push([[roots, doc.slice()]]);
      } else {
        if (toHex(id) === toHex(doc)) throw badPlan(`entries[${j}]: an entry with a prev is not its document's root`);
        leafKeys.push([[historyPrefix(tenantId, doc), HISTORY_VALUE]]);
        records.push([docOfKey(id), doc.slice()]);
        changed.add(toHex(doc));
      }
    }
    const seen = new Set<string>();
    for (const s of states) {
      if (s.tenant !== tenantId) throw badPlan(`the state of document ${s.doc} belongs to tenant ${s.tenant}, the run to ${tenantId}`);
      const doc = idBytes(s.doc, 'state.doc');
      if (!changed.has(s.doc) || seen.has(s.doc)) throw badPlan(`document ${s.doc}: one state for each document the run adds an entry to (other than its root)`);
      seen.add(s.doc);
      records.push([docStateKey(tenantId, doc), encodeDocState(s)]);
    }
    if (seen.size !== changed.size) throw badPlan('every document the run adds an entry to (other than its root) needs its new state');
    return { leafKeys, records };
  }

  /**
   * The document (its id, 32 hex) the entry `id` belongs to: the `x R` record of an entry with a prev, the
   * entry itself for a root deposit; undefined when no entry of the released tree has that id. Checked: the
   * record names a stored root deposit of the entry's tenant; an entry with a prev has its record.
   */
  async docOf(id: DocId): Promise<string | undefined> {
    const idB = idBytes(id);
    const idHex = toHex(idB);
    const [v, found] = await Promise.all([this.records.get(docOfKey(idB)), this.deposits.findId(idB, idHex)]);
    const where = `document R ${idHex}`;
    if (found === undefined || found === 'committing') {
      if (v !== undefined && found === undefined) throw storeCorrupt(where, 'names a document for an id no entry has', 'DOC_INDEX_MISMATCH');
      return undefined;
    }
    const e = found.entry;
    if (v === undefined) {
      if (e.prev === undefined && e.kind === 'deposit') return idHex;
      throw storeCorrupt(where, `entry ${found.index} has a prev but no document record`, 'DOC_INDEX_MISSING');
    }
    if (v.length !== DEPOSIT_ID_BYTES) throw storeCorrupt(where, `the value holds ${v.length} bytes, not a ${DEPOSIT_ID_BYTES}-byte doc id`, 'DOC_INDEX_MISMATCH');
    const doc = toHex(v);
    const root = await this.deposits.findId(v, doc);
    if (e.prev === undefined || root === undefined || root === 'committing' || root.entry.kind !== 'deposit' || root.entry.prev !== undefined || root.entry.tenant !== e.tenant) {
      throw storeCorrupt(where, `names document ${doc}, which is not a root deposit of entry ${found.index}'s tenant`, 'DOC_INDEX_MISMATCH');
    }
    return doc;
  }

  /**
   * The state of the tenant's document `docId`: its `x C` record, checked; a document without one is its root
   * deposit alone (startDocument). Undefined when the tenant has no such document. A lost `x C` reads as the
   * root alone, like a lost index key reads as absent, unless `{ history: true }`: then a document without a
   * state record is also checked to have no history (one range read more, about as dear as the rest: for
   * writers, which must not build on a wrong state; fsck finds it either way).
   */
  async state(tenantId: string, docId: DocId, opts: { history?: boolean } = {}): Promise<DocState | undefined> {
    const doc = idBytes(docId, 'doc');
    const docHex = toHex(doc);
    const where = `document C ${tenantId}/${docHex}`;
    const v = await this.records.get(docStateKey(tenantId, doc));
    if (v !== undefined) {
      const d = decodeDocState(v);
      if (!d.ok) throw storeCorrupt(where, `the state fails its check (${d.reason})`, 'DOC_STATE_CORRUPT');
      if (d.state.doc !== docHex || d.state.tenant !== tenantId) throw storeCorrupt(where, `the record holds the state of ${d.state.tenant}/${d.state.doc}`, 'DOC_INDEX_MISMATCH');
      return d.state;
    }
    const root = await this.deposits.findId(doc, docHex);
    if (root === undefined || root === 'committing' || root.entry.tenant !== tenantId) return undefined;
    if (root.entry.kind !== 'deposit' || root.entry.prev !== undefined) return undefined; // not a document's root
    if (opts.history === true && (await this.history(tenantId, doc, undefined, 1)).length > 0) throw storeCorrupt(where, 'the document has history but no state record', 'DOC_INDEX_MISSING');
    return startDocument(root.entry, docHex);
  }

  /**
   * Up to `limit` of the tenant's documents after the root at leaf `afterLeaf` (from the first when undefined),
   * in the order their roots were deposited, within the released tree: [{leaf, doc}]. Each value is checked
   * against the id index (the deposit at that leaf has that id).
   */
  async roots(tenantId: string, afterLeaf: number | undefined, limit: number): Promise<{ leaf: number; doc: string }[]> {
    const prefix = rootsPrefix(tenantId);
    const range = await this.records.range(rootKey(prefix, checkLeaf(afterLeaf) === undefined ? 0 : afterLeaf! + 1), rootKey(prefix, this.host.treeSize), checkLimit(limit));
    const out: { leaf: number; doc: string }[] = [];
    for (const [k, v] of range) {
      const at = parseRootKey(k);
      if (at === undefined || at.tenantId !== tenantId) throw storeCorrupt(`document N ${tenantId}`, 'a root key has not the shape of one', 'DOC_INDEX_MISMATCH');
      if (v.length !== DEPOSIT_ID_BYTES) throw storeCorrupt(`document N ${tenantId}/${at.leafIndex}`, `the value holds ${v.length} bytes, not a ${DEPOSIT_ID_BYTES}-byte doc id`, 'DOC_INDEX_MISMATCH');
      out.push({ leaf: at.leafIndex, doc: toHex(v) });
    }
    const leaves = await this.records.getMany(range.map(([, v]) => idKey(v)));
    for (const [j, r] of out.entries()) {
      const iv = leaves[j];
      if (iv === undefined || decodeIndexValue(iv) !== r.leaf) {
        throw storeCorrupt(`document N ${tenantId}/${r.leaf}`, `names document ${r.doc}, which is not the deposit at leaf ${r.leaf}`, 'DOC_INDEX_MISMATCH');
      }
    }
    return out;
  }

  /** Up to `limit` leaves of the document's entries but its root, after `afterLeaf`, in leaf order, within the released tree. */
  async history(tenantId: string, docId: DocId, afterLeaf: number | undefined, limit: number): Promise<number[]> {
    const doc = idBytes(docId, 'doc');
    const prefix = historyPrefix(tenantId, doc);
    const docHex = toHex(doc);
    const out: number[] = [];
    for (const [k, v] of await this.records.range(historyKey(prefix, checkLeaf(afterLeaf) === undefined ? 0 : afterLeaf! + 1), historyKey(prefix, this.host.treeSize), checkLimit(limit))) {
      const at = parseHistoryKey(k);
      if (at === undefined || at.tenantId !== tenantId || at.doc !== docHex || v.length !== 0) {
        throw storeCorrupt(`document H ${tenantId}/${docHex}`, 'a history record has not the shape of one', 'DOC_INDEX_MISMATCH');
      }
      out.push(at.leafIndex);
    }
    return out;
  }

  /**
   * Up to `limit` leaves of the tenant's deposits before leaf `beforeLeaf` (from the newest when undefined),
   * newest first, within the released tree: the tenant's listing (`x L`) read backwards.
   */
  async newest(tenantId: string, beforeLeaf: number | undefined, limit: number): Promise<number[]> {
    const prefix = listingPrefix(tenantId);
    const end = checkLeaf(beforeLeaf) === undefined ? this.host.treeSize : Math.min(beforeLeaf!, this.host.treeSize);
    if (end <= 0) return [];
    const gte = listingKey(prefix, 0).slice();
    const lt = listingKey(prefix, end).slice();
    const out: number[] = [];
    for (const [k] of await this.records.range(gte, lt, checkLimit(limit), true)) {
      const at = parseListingKey(k);
      if (at === undefined || at.tenantId !== tenantId) throw storeCorrupt(`listing ${tenantId}`, 'a listing key has not the shape of one', 'INDEX_MISMATCH');
      out.push(at.leafIndex);
    }
    return out;
  }
}

function checkLeaf(leaf: number | undefined): number | undefined {
  if (leaf !== undefined && (!Number.isSafeInteger(leaf) || leaf < 0)) throw new CunzhengError('LEDGER_BAD_INDEX', 'a leaf index is a non-negative integer');
  return leaf;
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new CunzhengError('LEDGER_BAD_INDEX', 'a page holds at least one record');
  return limit;
}

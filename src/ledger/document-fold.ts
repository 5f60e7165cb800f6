/**
 * The document index recomputed from the entries alone: the fold of every entry in leaf order with the
 * lifecycle's startDocument/applyEntry, as the service computes it one run at a time. It gives, per entry, the
 * records the entry implies (`x N` for a root deposit; `x R` and `x H` for an entry whose prev leads to a
 * document), and at the end the state of every document that has more than its root (`x C`). Used by the
 * backfill at open (documents-backfill.ts), by fsck and by `fsck --reindex`.
 *
 * Two passes, so that memory follows the entries that have a prev, not all entries: the first parses every
 * entry, reports the roots and collects the ids that some prev names; the second hashes every entry again and
 * parses only those with a prev or named by one, joining each to the document of its prev. A prev always names
 * an earlier entry (the service checks it exists; a hash cannot name one not yet written).
 *
 * What cannot be joined is reported, not guessed: an entry whose prev names no earlier entry of its tenant
 * (DOC_PREV_DANGLING), an event without prev (DOC_ORPHAN_EVENT), an entry its document's rules refuse
 * (DOC_RULE_VIOLATION: it stays in the document's history, the state is the one before it), an entry that does
 * not parse (ENTRY_UNPARSEABLE).
 */
import { CunzhengError } from '../errors.js';
import { toHex } from '../crypto/index.js';
import { hashLeaf } from '../merkle/index.js';
import { parseEntry, type Entry } from '../entry/index.js';
import { applyEntry, startDocument, type DocState } from '../lifecycle/index.js';
import { DEPOSIT_ID_BYTES } from '../receipt/deposit-id.js';

/** Where the scan of the entries comes from (LedgerRecords.scanEntries). */
export interface EntrySource {
  scanEntries(from: number, to: number, onChunk: (entries: [number, Uint8Array][]) => void): Promise<void>;
}

export interface FoldSink {
  /** A root deposit (a deposit without prev) at `leaf`: its `x N` record; `id` is also its doc id. */
  root(tenant: string, id: Uint8Array, leaf: number): void;
  /** An entry with a prev joined document `doc`: its `x R` and `x H` records. */
  member(tenant: string, id: Uint8Array, doc: Uint8Array, leaf: number): void;
  /** An entry that cannot be joined or applied (codes above). */
  problem(leaf: number, code: FoldProblem, message: string): void;
}

export type FoldProblem = 'DOC_PREV_DANGLING' | 'DOC_ORPHAN_EVENT' | 'DOC_RULE_VIOLATION' | 'ENTRY_UNPARSEABLE';

/** The state of every document that has an entry besides its root, by doc id (hex), after the fold. */
export type FoldedStates = Map<string, DocState>;

/** Folds the entries [0, n). Sink calls come in leaf order within each pass (roots in the first, members in the second). */
export async function foldDocuments(source: EntrySource, n: number, sink: FoldSink): Promise<FoldedStates> {
  // Pass 1: roots, and the ids that a prev names; which leaves have a prev.
  const named = new Set<string>();
  const hasPrev = new Uint8Array(n);
  await source.scanEntries(0, n, (chunk) => {
    for (const [leaf, bytes] of chunk) {
      let e: Entry;
      try {
        e = parseEntry(bytes);
      } catch (err) {
        sink.problem(leaf, 'ENTRY_UNPARSEABLE', `the entry does not parse (${err instanceof CunzhengError ? err.code : 'ENTRY_MALFORMED'}): its document records cannot be derived`);
        continue;
      }
      if (e.prev !== undefined) {
        named.add(e.prev);
        hasPrev[leaf] = 1;
      } else if (e.kind === 'deposit') sink.root(e.tenant, hashLeaf(bytes).slice(0, DEPOSIT_ID_BYTES), leaf);
      else sink.problem(leaf, 'DOC_ORPHAN_EVENT', `a ${e.kind} entry without prev belongs to no document`);
    }
  });
  // Pass 2: join every entry with a prev to its document, in leaf order.
  const joined = new Map<string, { doc: string; docBytes: Uint8Array; tenant: string }>();
  const states: FoldedStates = new Map();
  const changed = new Set<string>();
  if (named.size > 0) {
    await source.scanEntries(0, n, (chunk) => {
      for (const [leaf, bytes] of chunk) {
        const id = hashLeaf(bytes).slice(0, DEPOSIT_ID_BYTES);
        const idHex = toHex(id);
        const isNamed = named.has(idHex);
        if (hasPrev[leaf] === 0 && !isNamed) continue;
        let e: Entry;
        try {
          e = parseEntry(bytes);
        } catch {
          continue; // reported in pass 1
        }
        if (e.prev === undefined) {
          if (e.kind !== 'deposit') continue; // reported in pass 1
          joined.set(idHex, { doc: idHex, docBytes: id, tenant: e.tenant });
          states.set(idHex, startDocument(e, idHex));
          continue;
        }
        const to = joined.get(e.prev);
        if (to === undefined || to.tenant !== e.tenant) {
          sink.problem(leaf, 'DOC_PREV_DANGLING', `its prev ${e.prev} names no earlier entry of tenant ${e.tenant}: it belongs to no document`);
          continue;
        }
        sink.member(e.tenant, id, to.docBytes, leaf);
        if (isNamed) joined.set(idHex, to);
        changed.add(to.doc);
        try {
          states.set(to.doc, applyEntry(states.get(to.doc)!, e, idHex));
        } catch (err) {
          if (!(err instanceof CunzhengError)) throw err;
          sink.problem(leaf, 'DOC_RULE_VIOLATION', `document ${to.doc} refuses this ${e.kind} entry (${err.code}): its state is the one before it`);
        }
      }
    });
  }
  for (const doc of [...states.keys()]) if (!changed.has(doc)) states.delete(doc);
  return states;
}

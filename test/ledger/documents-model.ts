/**
 * A small reference for the document index tests: entries of format v2 (deposits, versions, events) built
 * with buildEntry, and a naive model that keeps every document's entries in a list and folds them with
 * startDocument/applyEntry — the way the service computes a run's document writes, one run at a time.
 */
import { randomBytes } from 'node:crypto';
import { buildEntry, completeUscc, parseEntry, type Entry, type EntryEvent, type EntryKind } from '../../src/entry/index.js';
import { toHex } from '../../src/crypto/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { applyEntry, startDocument, type DocState } from '../../src/lifecycle/index.js';
import type { AppendOptions, DocumentPlanEntry, Ledger } from '../../src/ledger/index.js';

export const SUBJECT = { name: '甲方科技有限公司', uscc: completeUscc('91430100MA4L16JJ') };
export const OPERATOR = 'u_0123456789abcdef';

export interface Built {
  bytes: Uint8Array;
  entry: Entry;
  id: string;
}

const sha = (): string => toHex(randomBytes(32));

export function built(bytes: Uint8Array): Built {
  return { bytes, entry: parseEntry(bytes), id: toHex(hashLeaf(bytes).subarray(0, 16)) };
}

/** A deposit of format v2 (v1 with `v1: true`), a new version when `prev` is given. */
export function deposit(tenant: string, prev?: string, v1 = false): Built {
  return built(buildEntry({
    kind: 'deposit', tenant, subject: SUBJECT, digest: { sha256: sha() }, hashedBy: 'client',
    ...(v1 ? {} : { operator: OPERATOR }), ...(prev === undefined ? {} : { prev }),
  }).bytes);
}

/** A lifecycle event about the deposit `of` (its digest copied, as the service does). */
export function event(of: Built, kind: Exclude<EntryKind, 'deposit'>, fields: Record<string, unknown>): Built {
  return built(buildEntry({
    kind, tenant: of.entry.tenant, subject: SUBJECT, operator: OPERATOR, digest: of.entry.digest, hashedBy: of.entry.hashedBy,
    event: fields as unknown as EntryEvent, prev: of.id,
  }).bytes);
}

/** Every document as a list of its entries, folded on demand. */
export class Model {
  /** doc id → tenant and its entries (root first). */
  readonly docs = new Map<string, { tenant: string; entries: Built[]; leaves: number[] }>();
  /** entry id → doc id. */
  readonly docOf = new Map<string, string>();

  stateOf(doc: string, extra: Built[] = []): DocState {
    const d = this.docs.get(doc)!;
    const all = [...d.entries, ...extra];
    let s = startDocument(all[0]!.entry, all[0]!.id);
    for (const b of all.slice(1)) s = applyEntry(s, b.entry, b.id);
    return s;
  }

  /** The run's plan and states (throws the lifecycle's 409 when a rule refuses an entry). */
  plan(run: Built[]): { entries: DocumentPlanEntry[]; states: DocState[] } {
    const entries: DocumentPlanEntry[] = [];
    const pending = new Map<string, Built[]>();
    for (const b of run) {
      if (b.entry.prev === undefined) {
        entries.push({ id: b.id, doc: b.id, root: true });
        continue;
      }
      const doc = this.docOf.get(b.entry.prev);
      if (doc === undefined) throw new Error(`prev ${b.entry.prev} unknown to the model`);
      entries.push({ id: b.id, doc, root: false });
      const list = pending.get(doc) ?? [];
      list.push(b);
      pending.set(doc, list);
    }
    const states = [...pending].map(([doc, extra]) => this.stateOf(doc, extra));
    return { entries, states };
  }

  /** Appends a run of one tenant through the ledger with its document writes (and its digest keys and listing, as the service does). */
  async append(ledger: Ledger, tenant: string, run: Built[], extra: AppendOptions = {}): Promise<number> {
    const { entries, states } = this.plan(run);
    const w = ledger.documents.writesFor(tenant, entries, states);
    const deposits = run.every((b) => b.entry.kind === 'deposit');
    const digests = ledger.index.prefix(tenant);
    const appended = await ledger.appendRun(run.map((b) => b.bytes), {
      leafKeys: w.leafKeys, records: w.records, ...(deposits ? { listing: ledger.index.listingPrefix(tenant) } : {}),
      digestKeys: run.map((b) => (b.entry.kind === 'deposit' ? ledger.index.digestKey(digests, b.entry.digest.sha256) : undefined)),
      ...extra,
    });
    this.learn(run, appended.firstIndex);
    return appended.firstIndex;
  }

  /** The run is in the ledger from leaf `first` on. */
  learn(run: Built[], first: number): void {
    run.forEach((b, j) => {
      if (b.entry.prev === undefined) {
        this.docs.set(b.id, { tenant: b.entry.tenant, entries: [b], leaves: [first + j] });
        this.docOf.set(b.id, b.id);
      } else {
        const doc = this.docOf.get(b.entry.prev)!;
        this.docs.get(doc)!.entries.push(b);
        this.docs.get(doc)!.leaves.push(first + j);
        this.docOf.set(b.id, doc);
      }
    });
  }
}

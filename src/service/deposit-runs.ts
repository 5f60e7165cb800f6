/**
 * The idempotent core of deposits: a run of one tenant's entries is looked up and the never-deposited ones
 * appended as consecutive leaves of one group commit.
 *
 * Idempotency: the same tenant depositing the same SHA-256 again gets the original deposit and no new leaf
 * — also when the two requests race, and within one batch: an in-flight map serialises deposits of one
 * (tenant, digest) in this process (the only writer of the log). A digest already in flight is awaited and
 * answered with that deposit; the others are claimed synchronously (no concurrent call can append them
 * too), looked up in the ledger's deposit index, and the new ones appended with their digest keys, which
 * the ledger writes in the same synced batch.
 *
 * Documents (document-writes.ts): once the new items are known, `derive` computes the document index's
 * writes of those only (a digest deposited before writes nothing) — and may refuse the run (LIFECYCLE_*,
 * nothing written); the locks it took are given back once the append has settled, durable or failed.
 *
 * Outcomes, not receipts: a new deposit comes back as what its receipt is made of (entry, leaf, proof,
 * checkpoint), so that its reply can be written by a worker; an existing one as its refreshed receipt.
 */
import { CunzhengError } from '../errors.js';
import type { AppendOptions, Indexed, Ledger } from '../ledger/index.js';
import type { Receipt } from '../receipt/index.js';
import type { FreshReceipt } from '../workers/receipt-job.js';

/** A new leaf (its receipt's inputs at `checkpoint`), or a deposit the tenant made before (its receipt). */
export type Outcome = { created: true; fresh: FreshReceipt; checkpoint: string } | { created: false; receipt: Receipt };

interface Claim {
  run: Promise<Outcome[]>;
  position: number;
}

/** The tenant's key prefixes in the deposit index (made once per tenant). */
export interface TenantPrefixes {
  digest: Uint8Array;
  listing: Uint8Array;
}

/** The derived writes of a run's new items (positions in the run), and the release of what it locked. */
export type Derive = (fresh: readonly number[]) => Promise<Pick<AppendOptions, 'leafKeys' | 'roots' | 'records'> & { release: () => void }>;

export interface RunHost {
  ledger: Ledger;
  /** The refreshed receipt of an existing deposit. */
  refreshed(index: number, entry: Uint8Array): Promise<Receipt>;
  /** A new deposit's outcome as a receipt (for a concurrent caller that waited on it). */
  receiptOf(o: Outcome & { created: true }): Receipt;
}

export class DepositRuns {
  private readonly inflight = new Map<string, Claim>();

  constructor(private readonly host: RunHost) {}

    /** Deposits `entries` (built from `sha256s`) under the tenant's index prefixes; outcomes in input order. */
  async run(tenantId: string, prefix: TenantPrefixes, sha256s: readonly string[], entries: readonly Uint8Array[], derive: Derive): Promise<Outcome[]> {
    const n = sha256s.length;
    const waits: (Claim | undefined)[] = new Array(n);
    const mine: number[] = [];
    const keys: string[] = [];
    let resolveRun!: (r: Outcome[]) => void;
    let rejectRun!: (e: unknown) => void;
    const run = new Promise<Outcome[]>((res, rej) => {
      resolveRun = res;
      rejectRun = rej;
    });
    run.catch(() => undefined); // observed by the callers below; never an unhandled rejection here
    for (let i = 0; i < n; i++) {
      const key = `${tenantId}\u0000${sha256s[i]!}`;
      const claim = this.inflight.get(key);
      if (claim !== undefined) {
        waits[i] = claim;
        continue;
      }
      this.inflight.set(key, { run, position: mine.length });
      mine.push(i);
      keys.push(key);
    }
    let own: Outcome[] = [];
    if (mine.length > 0) {
      try {
        own = await this.claimed(tenantId, prefix, mine.map((i) => sha256s[i]!), mine.map((i) => entries[i]!), (fresh) => derive(fresh.map((j) => mine[j]!)));
        resolveRun(own);
      } catch (e) {
        rejectRun(e);
        throw e;
      } finally {
        for (const k of keys) this.inflight.delete(k);
      }
    }
    const out: Outcome[] = new Array(n);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const w = waits[i];
      if (w === undefined) {
        out[i] = own[next++]!;
      } else {
        const o = (await w.run)[w.position]!;
        out[i] = { created: false, receipt: o.created ? this.host.receiptOf(o) : o.receipt };
      }
    }
    return out;
  }

  /** Looks up the claimed digests and appends the new ones; outcomes in input order. */
  private async claimed(tenantId: string, prefix: TenantPrefixes, sha256s: readonly string[], entries: readonly Uint8Array[], derive: Derive): Promise<Outcome[]> {
    const { ledger } = this.host;
    const index = ledger.index;
    const n = sha256s.length;
    const dKeys = sha256s.map((sha) => index.digestKey(prefix.digest, sha));
    // Every digest found is checked before anything is appended (the index does): the entry must be this
    // tenant's deposit of this digest, else the batch fails whole with STORE_CORRUPT.
    const found = await index.findDigests(tenantId, dKeys, sha256s);
    const existing: [number, Indexed][] = [];
    const fresh: number[] = [];
    for (let j = 0; j < n; j++) {
      const f = found[j];
      if (f === 'committing') throw new CunzhengError('LEDGER_BUSY', 'a deposit of this digest is being committed; retry shortly', { details: { retryAfterSeconds: 1 } });
      if (f === undefined) fresh.push(j);
      else existing.push([j, f]);
    }
    // All of a request's new entries are queued, or none: a partly accepted batch would answer 503 for
    // entries that are in fact being written.
    if (!ledger.hasRoom(fresh.length)) {
      throw new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1 } });
    }
    const out: Outcome[] = new Array(n);
    const docs = fresh.length === 0 ? undefined : await derive(fresh);
    // Deriving may have waited on a document's lock: the room is checked again (all or none, as above).
    if (docs !== undefined && !ledger.hasRoom(fresh.length)) {
      docs.release();
      throw new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1 } });
    }
    const appending = docs === undefined
      ? undefined
      : ledger.appendRun(fresh.map((j) => entries[j]!), {
        proofs: true, digestKeys: fresh.map((j) => dKeys[j]!), listing: prefix.listing,
        ...(docs.leafKeys === undefined ? {} : { leafKeys: docs.leafKeys }), ...(docs.roots === undefined ? {} : { roots: docs.roots }),
        ...(docs.records === undefined || docs.records.length === 0 ? {} : { records: docs.records }),
      }).finally(docs.release);
    const olds = Promise.all(existing.map(async ([j, at]) => {
      out[j] = { created: false, receipt: await this.host.refreshed(at.index, at.bytes) };
    }));
    // Awaited together: a read that fails while the run is appended is observed, never an unhandled rejection.
    const [appended] = await Promise.all([appending, olds]);
    if (appended !== undefined) {
      for (let k = 0; k < fresh.length; k++) {
        const leafIndex = appended.firstIndex + k;
        const proof = appended.proofs?.[k] ?? (await ledger.inclusionProof(leafIndex, appended.treeSize));
        out[fresh[k]!] = { created: true, checkpoint: appended.checkpoint, fresh: { entry: entries[fresh[k]!]!, leafIndex, leafHash: appended.leafHashes[k]!, proof } };
      }
    }
    return out;
  }
}

/**
 * Deposits: turning a tenant's digest into a durable ledger entry and a receipt.
 *
 * Idempotency: the same tenant depositing the same SHA-256 again gets the original receipt (refreshed to
 * the newest checkpoint) and no new leaf — also when the two requests race, and within one batch: an
 * in-flight map serialises deposits of one (tenant, digest) in this process (the only writer of the log).
 * The ledger's deposit index answers the lookups (its digest filter in memory, LevelDB for the rest) and
 * writes the lookup keys, handed over as data with the run, in the same durable batch as the entries.
 *
 * Whatever is read back from storage is checked before it is used: the index checks that a key names the
 * entry it describes and that the entry parses, and a receipt served by GET must verify under the log's
 * key (stored-deposit.ts); anything else is STORE_CORRUPT (500), never a client's ENTRY_* code or another
 * deposit.
 */
import { CunzhengError } from '../errors.js';
import { fromHex, isLowerHex } from '../crypto/index.js';
import { EntryBuilder, type EntryMeta, type HashedBy } from '../entry/index.js';
import { buildReceipt, DEPOSIT_ID_BYTES, proofHashEncoder, type Receipt } from '../receipt/index.js';
import { verifiedForServing } from './stored-deposit.js';
import type { Indexed, Ledger } from '../ledger/index.js';
import type { Tenant } from './tenants.js';
import { receiptAnchors, type Anchorer } from './anchorer.js';

export interface DepositInput {
  sha256: string;
  sm3?: string;
  size?: number;
  meta?: Record<string, unknown>;
  prev?: string;
}

export interface DepositResult {
  /** true: a new leaf; false: the tenant had deposited this digest before (the original receipt). */
  created: boolean;
  receipt: Receipt;
}

export const MAX_BATCH = 10_000;

export interface DepositMetrics {
  created: Record<HashedBy, number>;
  existing: number;
}

/** What a tenant's deposits share: its entry builder (subject validated once) and its digest key prefix. */
interface TenantWriter {
  builder: EntryBuilder;
  keyPrefix: Uint8Array;
}

/** A run of deposits being appended by one call; concurrent calls with the same digest wait for it. */
interface Claim {
  run: Promise<DepositResult[]>;
  position: number;
}

export class Deposits {
  private readonly inflight = new Map<string, Claim>();
  private readonly writers = new WeakMap<Tenant, TenantWriter>();
  readonly metrics: DepositMetrics = { created: { client: 0, server: 0 }, existing: 0 };
  /** Base64 of proof nodes of the newest group (a group's proofs share node objects). */
  private proofText: { checkpoint: string; encode: (h: Uint8Array) => string } = { checkpoint: '', encode: proofHashEncoder() };

  constructor(private readonly ledger: Ledger, private readonly anchorer?: Anchorer) {}

  private writer(tenant: Tenant): TenantWriter {
    let w = this.writers.get(tenant);
    if (w === undefined) {
      w = { builder: new EntryBuilder('deposit', tenant.id, { name: tenant.name, uscc: tenant.uscc }), keyPrefix: this.ledger.index.prefix(tenant.id) };
      this.writers.set(tenant, w);
    }
    return w;
  }

  /**
   * The receipt of an existing deposit (`entry`: its bytes, already checked against the index that found
   * them), refreshed: at the newest anchored checkpoint with its RFC 3161
   * anchors when that checkpoint covers the entry, else at the newest checkpoint (complete, unanchored).
   */
  async refreshedReceipt(index: number, entry: Uint8Array): Promise<Receipt> {
    const anchored = this.anchorer?.latestAnchored;
    if (anchored !== undefined && index < anchored.treeSize) {
      const r = await this.receiptAt(index, entry, { treeSize: anchored.treeSize, note: anchored.checkpoint });
      return { ...r, anchors: receiptAnchors(anchored) };
    }
    return this.receiptAt(index, entry);
  }

  /**
   * The leaf index of the tenant's deposit `id`, or undefined (unknown, another tenant's, or still being
   * committed). STORE_CORRUPT when the id index names an entry that does not parse or has another id.
   */
  private async ownIndex(tenant: Tenant, id: string): Promise<{ index: number; entry: Uint8Array } | undefined> {
    if (!isLowerHex(id, 2 * DEPOSIT_ID_BYTES)) return undefined;
    const found = await this.ledger.index.findId(fromHex(id, DEPOSIT_ID_BYTES), id);
    if (found === undefined || found === 'committing' || found.entry.tenant !== tenant.id) return undefined;
    return { index: found.index, entry: found.bytes };
  }

  /** A receipt for the entry at `index`, at the newest checkpoint (or the one given). */
  async receiptAt(index: number, entry: Uint8Array, checkpoint?: { treeSize: number; note: string }): Promise<Receipt> {
    const cp = checkpoint ?? { treeSize: this.ledger.treeSize, note: this.ledger.checkpoint };
    return buildReceipt({
      entryBytes: entry,
      leafIndex: index,
      inclusionProof: await this.ledger.inclusionProof(index, cp.treeSize),
      checkpoint: cp.note,
      origin: this.ledger.origin,
      logKey: this.ledger.verifierKey,
    });
  }

  /** Validates an input and builds its entry bytes (throws ENTRY_* / DEPOSIT_* codes; nothing is written). */
  private prepare(builder: EntryBuilder, input: DepositInput, hashedBy: HashedBy): Uint8Array {
    if (!isLowerHex(input.sha256, 64)) {
      throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    }
    return builder.build({
      digest: input.sm3 === undefined ? { sha256: input.sha256 } : { sha256: input.sha256, sm3: input.sm3 },
      hashedBy,
      ...(input.size === undefined ? {} : { size: input.size }),
      ...(input.meta === undefined ? {} : { meta: input.meta as EntryMeta }),
      ...(input.prev === undefined ? {} : { prev: input.prev }),
    }).bytes;
  }

  /** Throws DEPOSIT_PREV_NOT_FOUND unless every `prev` names one of the tenant's deposits. */
  private async checkPrevs(tenant: Tenant, inputs: readonly DepositInput[]): Promise<void> {
    const checked = new Set<string>();
    for (const [i, item] of inputs.entries()) {
      if (item.prev === undefined || checked.has(item.prev)) continue;
      if ((await this.ownIndex(tenant, item.prev)) === undefined) {
        const where = inputs.length > 1 ? `items[${i}]: ` : '';
        throw new CunzhengError('DEPOSIT_PREV_NOT_FOUND', `${where}prev must name one of your own deposits`, { details: { item: i } });
      }
      checked.add(item.prev);
    }
  }

  /** Deposits one digest for `tenant`; resolves once the entry is durable. */
  async deposit(tenant: Tenant, input: DepositInput, hashedBy: HashedBy = 'client'): Promise<DepositResult> {
    const entry = this.prepare(this.writer(tenant).builder, input, hashedBy);
    if (input.prev !== undefined) await this.checkPrevs(tenant, [input]);
    return (await this.depositEntries(tenant, [input], [entry], hashedBy))[0]!;
  }

  /**
   * Deposits a batch: every item is validated (and every prev checked) before any is written — one bad item
   * fails the whole batch with its position — then the new ones are appended in input order, as
   * consecutive leaves of one group commit; results are in input order.
   */
  async depositBatch(tenant: Tenant, items: DepositInput[]): Promise<DepositResult[]> {
    if (items.length === 0 || items.length > MAX_BATCH) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const builder = this.writer(tenant).builder;
    let prevs = false;
    const entries = items.map((item, i) => {
      if (item.prev !== undefined) prevs = true;
      try {
        return this.prepare(builder, item, 'client');
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
        throw new CunzhengError(e.code, `items[${i}]: ${e.message}`, { cause: e, details: { ...e.details, item: i } });
      }
    });
    if (prevs) await this.checkPrevs(tenant, items);
    return this.depositEntries(tenant, items, entries, 'client');
  }

  /**
   * The idempotent core. A digest of this tenant already in flight (another request, or earlier in this
   * batch) is awaited and answered with that deposit's receipt; the others are claimed synchronously (so
   * no concurrent call can append them too), looked up, and the never-deposited ones appended as one run.
   */
  private async depositEntries(tenant: Tenant, inputs: readonly DepositInput[], entries: readonly Uint8Array[], hashedBy: HashedBy): Promise<DepositResult[]> {
    const n = inputs.length;
    const waits: (Claim | undefined)[] = new Array(n);
    const mine: number[] = [];
    const keys: string[] = [];
    let resolveRun!: (r: DepositResult[]) => void;
    let rejectRun!: (e: unknown) => void;
    const run = new Promise<DepositResult[]>((res, rej) => {
      resolveRun = res;
      rejectRun = rej;
    });
    run.catch(() => undefined); // observed by the callers below; never an unhandled rejection here
    for (let i = 0; i < n; i++) {
      const key = `${tenant.id}\u0000${inputs[i]!.sha256}`;
      const claim = this.inflight.get(key);
      if (claim !== undefined) {
        waits[i] = claim;
        continue;
      }
      this.inflight.set(key, { run, position: mine.length });
      mine.push(i);
      keys.push(key);
    }
    let own: DepositResult[] = [];
    if (mine.length > 0) {
      try {
        own = await this.claimed(tenant, mine.map((i) => inputs[i]!), mine.map((i) => entries[i]!), hashedBy);
        resolveRun(own);
      } catch (e) {
        rejectRun(e);
        throw e;
      } finally {
        for (const k of keys) this.inflight.delete(k);
      }
    }
    const out: DepositResult[] = new Array(n);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const w = waits[i];
      if (w === undefined) {
        out[i] = own[next++]!;
      } else {
        this.metrics.existing++;
        out[i] = { created: false, receipt: (await w.run)[w.position]!.receipt };
      }
    }
    return out;
  }

  /** Looks up the claimed digests and appends the new ones; results in input order. */
  private async claimed(tenant: Tenant, inputs: readonly DepositInput[], entries: readonly Uint8Array[], hashedBy: HashedBy): Promise<DepositResult[]> {
    const index = this.ledger.index;
    const prefix = this.writer(tenant).keyPrefix;
    const n = inputs.length;
    const shas = inputs.map((input) => input.sha256);
    const dKeys = shas.map((sha) => index.digestKey(prefix, sha));
    // Every digest found is checked before anything is appended (the index does): the entry must be this
    // tenant's deposit of this digest, else the batch fails whole with STORE_CORRUPT.
    const found = await index.findDigests(tenant.id, dKeys, shas);
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
    if (!this.ledger.hasRoom(fresh.length)) {
      throw new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1 } });
    }
    const results: DepositResult[] = new Array(n);
    const appending = fresh.length === 0
      ? undefined
      : this.ledger.appendRun(fresh.map((j) => entries[j]!), { proofs: true, digestKeys: fresh.map((j) => dKeys[j]!) });
    const olds = Promise.all(existing.map(async ([j, at]) => {
      this.metrics.existing++;
      results[j] = { created: false, receipt: await this.refreshedReceipt(at.index, at.bytes) };
    }));
    // Awaited together: a read that fails while the run is appended is observed, never an unhandled rejection.
    const [appended] = await Promise.all([appending, olds]);
    if (appended !== undefined) {
      this.metrics.created[hashedBy] += fresh.length;
      const encode = this.proofEncoder(appended.checkpoint);
      for (let k = 0; k < fresh.length; k++) {
        const j = fresh[k]!;
        const leafIndex = appended.firstIndex + k;
        const proof = appended.proofs?.[k] ?? (await this.ledger.inclusionProof(leafIndex, appended.treeSize));
        results[j] = {
          created: true,
          receipt: buildReceipt({
            entryBytes: entries[j]!,
            leafIndex,
            inclusionProof: proof,
            checkpoint: appended.checkpoint,
            origin: this.ledger.origin,
            logKey: this.ledger.verifierKey,
            leafHash: appended.leafHashes[k]!,
            encodeHash: encode,
          }),
        };
      }
    }
    return results;
  }

  /** Base64 of proof nodes, memoized for the group of `checkpoint` (its proofs share node objects). */
  private proofEncoder(checkpoint: string): (h: Uint8Array) => string {
    if (this.proofText.checkpoint !== checkpoint) this.proofText = { checkpoint, encode: proofHashEncoder() };
    return this.proofText.encode;
  }

  /**
   * The tenant's deposit `id`, refreshed to the newest checkpoint and verified before it is returned;
   * undefined for unknown or foreign ids.
   */
  async get(tenant: Tenant, id: string): Promise<Receipt | undefined> {
    const own = await this.ownIndex(tenant, id);
    if (own === undefined) return undefined;
    return verifiedForServing(this.ledger, await this.refreshedReceipt(own.index, own.entry), own.index, `deposit ${id}`);
  }

  /** The tenant's deposit of this SHA-256, if any, verified before it is returned. */
  async findBySha256(tenant: Tenant, sha256Hex: string): Promise<Receipt | undefined> {
    if (!isLowerHex(sha256Hex, 64)) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    const index = this.ledger.index;
    const [found] = await index.findDigests(tenant.id, [index.digestKey(this.writer(tenant).keyPrefix, sha256Hex)], [sha256Hex]);
    if (found === undefined || found === 'committing') return undefined;
    return verifiedForServing(this.ledger, await this.refreshedReceipt(found.index, found.bytes), found.index, `index D ${tenant.id}/${sha256Hex}`);
  }
}

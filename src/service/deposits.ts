/**
 * Deposits: turning a tenant's digest into a durable ledger entry and a receipt.
 *
 * Idempotency (deposit-runs.ts): the same tenant depositing the same SHA-256 again gets the original
 * receipt (refreshed to the newest checkpoint) and no new leaf. The ledger's deposit index answers the
 * lookups and writes the lookup keys, handed over as data with the run, in the same durable batch as the
 * entries. Replies of new deposits are written by the worker pool when there is one (workers/).
 *
 * Whatever is read back from storage is checked before it is used: the index checks that a key names the
 * entry it describes and that the entry parses, and a receipt served by GET must verify under the log's
 * key (stored-deposit.ts); anything else is STORE_CORRUPT (500), never a client's ENTRY_* code or another
 * deposit.
 */
import { CunzhengError } from '../errors.js';
import { fromHex, isLowerHex } from '../crypto/index.js';
import { DIGEST_HEX_RULE, EntryBuilder, type HashedBy } from '../entry/index.js';
import { batchReplyJson, buildReceipt, DEPOSIT_ID_BYTES, proofHashEncoder, receiptReplyJson, withAnchors, type Receipt } from '../receipt/index.js';
import { verifiedForServing } from './stored-deposit.js';
import type { Ledger } from '../ledger/index.js';
import { DepositRuns, type Outcome, type TenantPrefixes } from './deposit-runs.js';
import { buildDepositEntries, type DepositInput } from './deposit-entries.js';
import type { PreparedDeposits } from '../workers/prepare-job.js';
import { ReceiptWriter } from './receipt-writer.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Tenant } from './tenants.js';
import type { Anchorer } from './anchorer.js';

export type { DepositInput } from './deposit-entries.js';

export interface DepositResult {
  /** true: a new leaf; false: the tenant had deposited this digest before (the original receipt). */
  created: boolean;
  receipt: Receipt;
}

export const MAX_BATCH = 10_000;

export interface DepositMetrics {
  created: Record<HashedBy, number>;
  existing: number;
  /** Main-thread milliseconds: validating inputs and building entries; building receipts here (not by the pool). */
  stageMs: { entries: number; receipts: number };
}

/** What a tenant's deposits share: its entry builder (subject validated once) and its index key prefixes. */
interface TenantWriter {
  builder: EntryBuilder;
  prefixes: TenantPrefixes;
}

/** A reply's bytes, and whether it made a new leaf (201) or found only earlier deposits (200). */
export interface DepositReply {
  created: boolean;
  json: Uint8Array;
}

export class Deposits {
  private readonly writers = new WeakMap<Tenant, TenantWriter>();
  readonly metrics: DepositMetrics = { created: { client: 0, server: 0 }, existing: 0, stageMs: { entries: 0, receipts: 0 } };
  /** Base64 of proof nodes of the newest group (a group's proofs share node objects). */
  private proofText: { checkpoint: string; encode: (h: Uint8Array) => string } = { checkpoint: '', encode: proofHashEncoder() };
  private readonly runs: DepositRuns;
  /** Writes the replies of new deposits, on the worker pool when there is one. */
  readonly replies: ReceiptWriter;

  constructor(private readonly ledger: Ledger, private readonly anchorer?: Anchorer, pool?: WorkerPool) {
    this.replies = new ReceiptWriter(pool, ledger.origin, ledger.verifierKey);
    this.runs = new DepositRuns({
      ledger,
      refreshed: (index, entry) => this.refreshedReceipt(index, entry),
      receiptOf: (o) => this.receiptOf(o),
    });
  }

  private writer(tenant: Tenant): TenantWriter {
    let w = this.writers.get(tenant);
    if (w === undefined) {
      w = { builder: new EntryBuilder('deposit', tenant.id, { name: tenant.name, uscc: tenant.uscc }), prefixes: { digest: this.ledger.index.prefix(tenant.id), listing: this.ledger.index.listingPrefix(tenant.id) } };
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
      return withAnchors(r, anchored);
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
    return this.resultOf((await this.depositOutcomes(tenant, [input], hashedBy))[0]!);
  }

  /** deposit(), answered as the reply's bytes (`JSON.stringify(receipt)`): a new one is written by the pool. */
  async depositReply(tenant: Tenant, input: DepositInput, hashedBy: HashedBy = 'client'): Promise<DepositReply> {
    return this.singleReply((await this.depositOutcomes(tenant, [input], hashedBy))[0]!);
  }

  private async singleReply(o: Outcome): Promise<DepositReply> {
    if (o.created) return { created: true, json: await this.replies.single(o.checkpoint, o.fresh) };
    const t0 = performance.now();
    const json = receiptReplyJson(o.receipt);
    this.metrics.stageMs.receipts += performance.now() - t0;
    return { created: false, json };
  }

  /**
   * Deposits a batch: every item is validated (and every prev checked) before any is written — one bad item
   * fails the whole batch with its position — then the new ones are appended in input order, as
   * consecutive leaves of one group commit; results are in input order.
   */
  async depositBatch(tenant: Tenant, items: DepositInput[]): Promise<DepositResult[]> {
    return (await this.depositOutcomes(tenant, items, 'client', true)).map((o) => this.resultOf(o));
  }

  /** depositBatch(), answered as the reply's bytes (`{"receipts":[…],"created":[…]}`); an all-new batch is written by the pool. */
  async depositBatchReply(tenant: Tenant, items: DepositInput[]): Promise<DepositReply> {
    return this.batchReply(await this.depositOutcomes(tenant, items, 'client', true));
  }

  private async batchReply(outcomes: Outcome[]): Promise<DepositReply> {
    const first = outcomes[0]!;
    if (first.created && outcomes.every((o) => o.created && o.checkpoint === first.checkpoint)) {
      return { created: true, json: await this.replies.batch(first.checkpoint, outcomes.map((o) => (o as Outcome & { created: true }).fresh)) };
    }
    const t0 = performance.now();
    const results = outcomes.map((o) => this.resultOf(o));
    const json = batchReplyJson(results.map((r) => r.receipt), results.map((r) => r.created));
    this.metrics.stageMs.receipts += performance.now() - t0;
    return { created: results.some((r) => r.created), json };
  }

  private async depositOutcomes(tenant: Tenant, items: readonly DepositInput[], hashedBy: HashedBy, batch = false): Promise<Outcome[]> {
    if (batch && (items.length === 0 || items.length > MAX_BATCH)) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const t0 = performance.now();
    const entries = buildDepositEntries(this.writer(tenant).builder, items, hashedBy, batch);
    this.metrics.stageMs.entries += performance.now() - t0;
    return this.outcomesOf(tenant, items, entries, hashedBy);
  }

  /** Deposits inputs whose entries (and leaf hashes) were built already, by the worker pool's prepare job. */
  async depositPrepared(tenant: Tenant, p: PreparedDeposits): Promise<DepositReply> {
    if (p.batch && (p.items.length === 0 || p.items.length > MAX_BATCH)) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const outcomes = await this.outcomesOf(tenant, p.items, p.entries, 'client');
    return p.batch ? this.batchReply(outcomes) : this.singleReply(outcomes[0]!);
  }

  private async outcomesOf(tenant: Tenant, items: readonly DepositInput[], entries: readonly Uint8Array[], hashedBy: HashedBy): Promise<Outcome[]> {
    if (items.some((item) => item.prev !== undefined)) await this.checkPrevs(tenant, items);
    const outcomes = await this.runs.run(tenant.id, this.writer(tenant).prefixes, items.map((i) => i.sha256), entries);
    for (const o of outcomes) {
      if (o.created) this.metrics.created[hashedBy]++;
      else this.metrics.existing++;
    }
    return outcomes;
  }

  private resultOf(o: Outcome): DepositResult {
    return o.created ? { created: true, receipt: this.receiptOf(o) } : { created: false, receipt: o.receipt };
  }

  /** A new deposit's receipt, built on this thread (proof nodes' base64 memoized per group). */
  private receiptOf(o: Outcome & { created: true }): Receipt {
    const f = o.fresh;
    return buildReceipt({
      entryBytes: f.entry,
      leafIndex: f.leafIndex,
      inclusionProof: f.proof,
      checkpoint: o.checkpoint,
      origin: this.ledger.origin,
      logKey: this.ledger.verifierKey,
      leafHash: f.leafHash,
      encodeHash: this.proofEncoder(o.checkpoint),
    });
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
    if (!DIGEST_HEX_RULE.test(sha256Hex)) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    const index = this.ledger.index;
    const [found] = await index.findDigests(tenant.id, [index.digestKey(this.writer(tenant).prefixes.digest, sha256Hex)], [sha256Hex]);
    if (found === undefined || found === 'committing') return undefined;
    return verifiedForServing(this.ledger, await this.refreshedReceipt(found.index, found.bytes), found.index, `index D ${tenant.id}/${sha256Hex}`);
  }
}

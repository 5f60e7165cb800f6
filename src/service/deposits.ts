/**
 * Deposits: turning a tenant's digest into a durable ledger entry and a receipt.
 *
 * Idempotency (deposit-runs.ts): the same tenant depositing the same SHA-256 again gets the original
 * receipt (refreshed to the newest checkpoint) and no new leaf. The ledger's deposit index answers the
 * lookups and writes the lookup keys, handed over as data with the run, in the same durable batch as the
 * entries. Replies of new deposits are written by the worker pool when there is one (workers/).
 *
 * Every entry is format v2 and names its operator: the user who made the request (a library caller that
 * names none: the tenant's founding officer). Each (tenant, operator) has its entry builder, its subject and
 * operator checked once. The document index travels with the run (document-writes.ts): a root deposit writes
 * its `x N` key; a new version (a deposit with prev) locks its document, obeys the lifecycle rules (nothing
 * after destroy: LIFECYCLE_DESTROYED, nothing of the batch written) and writes `x R`, `x H` and `x C`.
 *
 * Whatever is read back from storage is checked before it is used: the index checks that a key names the
 * entry it describes and that the entry parses, and a receipt served by GET must verify under the log's
 * key (stored-deposit.ts); anything else is STORE_CORRUPT (500), never a client's ENTRY_* code or another
 * deposit.
 */
import { CunzhengError } from '../errors.js';
import { fromHex, isLowerHex } from '../crypto/index.js';
import { DIGEST_HEX_RULE, EntryBuilder, type Entry, type HashedBy } from '../entry/index.js';
import { batchReplyJson, buildReceipt, DEPOSIT_ID_BYTES, proofHashEncoder, receiptReplyJson, withAnchors, type Receipt } from '../receipt/index.js';
import { verifiedForServing } from './stored-deposit.js';
import type { Ledger } from '../ledger/index.js';
import { DepositRuns, type Outcome, type TenantPrefixes } from './deposit-runs.js';
import { deriveDeposits, DocumentWrites } from './document-writes.js';
import { foundingOfficerId } from './users.js';
import { visibleTo, type Reader } from './history.js';
import { buildDepositEntries, type DepositInput } from './deposit-entries.js';
import type { PreparedDeposits } from '../workers/prepare-job.js';
import { ReceiptWriter } from './receipt-writer.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Tenant } from './tenants.js';
import type { Anchorer } from './anchorer.js';
import type { Witnesser } from './witnesser.js';

export type { DepositInput } from './deposit-entries.js';
export { operatorOf, visibleTo, type Reader } from './history.js';

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

/** What a tenant's deposits share: its entry builders (one per operator, subject validated once) and its index key prefixes. */
interface TenantWriter {
  builders: Map<string, EntryBuilder>;
  founder: string;
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
  /** The document index's writes and the per-document locks (shared with events). */
  readonly documents: DocumentWrites;

  constructor(readonly ledger: Ledger, private readonly anchorer?: Anchorer, pool?: WorkerPool, private readonly witnesser?: Witnesser) {
    this.documents = new DocumentWrites(ledger);
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
      w = { builders: new Map(), founder: foundingOfficerId(tenant.id), prefixes: { digest: this.ledger.index.prefix(tenant.id), listing: this.ledger.index.listingPrefix(tenant.id) } };
      this.writers.set(tenant, w);
    }
    return w;
  }

  /** The entry builder of (tenant, operator); ENTRY_BAD_FIELD for an operator that is not an id. */
  private builder(tenant: Tenant, operator: string | undefined): EntryBuilder {
    const w = this.writer(tenant);
    const op = operator ?? w.founder;
    let b = w.builders.get(op);
    if (b === undefined) {
      b = new EntryBuilder('deposit', tenant.id, { name: tenant.name, uscc: tenant.uscc }, op);
      if (w.builders.size >= 4096) w.builders.clear();
      w.builders.set(op, b);
    }
    return b;
  }

  /** The operator of a request (a library caller that names none: the founding officer). */
  operatorFor(tenant: Tenant, operator: string | undefined): string {
    return operator ?? this.writer(tenant).founder;
  }

  /**
   * The receipt of an existing deposit (`entry`: its bytes, already checked against the index that found
   * them), refreshed: at the newest anchored checkpoint with its RFC 3161
   * anchors (and, with witnesses, its cosignatures) when that checkpoint covers the entry, else at the
   * newest cosigned checkpoint when that covers it, else at the newest checkpoint (complete, unanchored).
   */
  async refreshedReceipt(index: number, entry: Uint8Array): Promise<Receipt> {
    const anchored = this.anchorer?.latestAnchored;
    if (anchored !== undefined && index < anchored.treeSize) {
      const r = await this.receiptAt(index, entry, { treeSize: anchored.treeSize, note: anchored.checkpoint });
      return withAnchors(r, anchored);
    }
    const cosigned = this.witnesser?.latestCosigned;
    if (cosigned !== undefined && index < cosigned.treeSize) {
      return this.receiptAt(index, entry, { treeSize: cosigned.treeSize, note: cosigned.checkpoint });
    }
    return this.receiptAt(index, entry);
  }

  /**
   * The leaf index of the tenant's deposit `id`, or undefined (unknown, another tenant's, or still being
   * committed). STORE_CORRUPT when the id index names an entry that does not parse or has another id.
   */
  async ownIndex(tenant: Tenant, id: string, reader?: Reader): Promise<{ index: number; entry: Uint8Array; parsed: Entry } | undefined> {
    if (!isLowerHex(id, 2 * DEPOSIT_ID_BYTES)) return undefined;
    const found = await this.ledger.index.findId(fromHex(id, DEPOSIT_ID_BYTES), id);
    if (found === undefined || found === 'committing' || found.entry.tenant !== tenant.id || !visibleTo(found.entry, reader)) return undefined;
    return { index: found.index, entry: found.bytes, parsed: found.entry };
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

  /** The entry each `prev` names; DEPOSIT_PREV_NOT_FOUND unless every one is a deposit (kind deposit) of the tenant. */
  private async checkPrevs(tenant: Tenant, inputs: readonly DepositInput[]): Promise<Map<string, Entry>> {
    const checked = new Map<string, Entry>();
    for (const [i, item] of inputs.entries()) {
      if (item.prev === undefined || checked.has(item.prev)) continue;
      const own = await this.ownIndex(tenant, item.prev);
      if (own === undefined || own.parsed.kind !== 'deposit') {
        const where = inputs.length > 1 ? `items[${i}]: ` : '';
        throw new CunzhengError('DEPOSIT_PREV_NOT_FOUND', `${where}prev must name one of your own deposits`, { details: { item: i } });
      }
      checked.set(item.prev, own.parsed);
    }
    return checked;
  }

  /** Deposits one digest for `tenant`; resolves once the entry is durable. */
  async deposit(tenant: Tenant, input: DepositInput, hashedBy: HashedBy = 'client', operator?: string): Promise<DepositResult> {
    return this.resultOf((await this.depositOutcomes(tenant, [input], hashedBy, false, operator))[0]!);
  }

  /** deposit(), answered as the reply's bytes (`JSON.stringify(receipt)`): a new one is written by the pool. */
  async depositReply(tenant: Tenant, input: DepositInput, hashedBy: HashedBy = 'client', operator?: string): Promise<DepositReply> {
    return this.singleReply((await this.depositOutcomes(tenant, [input], hashedBy, false, operator))[0]!);
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
  async depositBatch(tenant: Tenant, items: DepositInput[], operator?: string): Promise<DepositResult[]> {
    return (await this.depositOutcomes(tenant, items, 'client', true, operator)).map((o) => this.resultOf(o));
  }

  /** depositBatch(), answered as the reply's bytes (`{"receipts":[…],"created":[…]}`); an all-new batch is written by the pool. */
  async depositBatchReply(tenant: Tenant, items: DepositInput[], operator?: string): Promise<DepositReply> {
    return this.batchReply(await this.depositOutcomes(tenant, items, 'client', true, operator));
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

  private async depositOutcomes(tenant: Tenant, items: readonly DepositInput[], hashedBy: HashedBy, batch: boolean, operator: string | undefined): Promise<Outcome[]> {
    if (batch && (items.length === 0 || items.length > MAX_BATCH)) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const t0 = performance.now();
    const entries = buildDepositEntries(this.builder(tenant, operator), items, hashedBy, batch);
    this.metrics.stageMs.entries += performance.now() - t0;
    return this.outcomesOf(tenant, items, entries, hashedBy);
  }

  /** Deposits inputs whose entries were built already (by the worker pool's prepare job, under the request's operator). */
  async depositPrepared(tenant: Tenant, p: PreparedDeposits): Promise<DepositReply> {
    if (p.batch && (p.items.length === 0 || p.items.length > MAX_BATCH)) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const outcomes = await this.outcomesOf(tenant, p.items, p.entries, 'client');
    return p.batch ? this.batchReply(outcomes) : this.singleReply(outcomes[0]!);
  }

  private async outcomesOf(tenant: Tenant, items: readonly DepositInput[], entries: readonly Uint8Array[], hashedBy: HashedBy): Promise<Outcome[]> {
    const prevs = items.some((item) => item.prev !== undefined) ? await this.checkPrevs(tenant, items) : undefined;
    const outcomes = await this.runs.run(tenant.id, this.writer(tenant).prefixes, items.map((i) => i.sha256), entries, deriveDeposits(this.documents, tenant.id, items, entries, prevs));
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
  async get(tenant: Tenant, id: string, reader?: Reader): Promise<Receipt | undefined> {
    const own = await this.ownIndex(tenant, id, reader);
    if (own === undefined) return undefined;
    return verifiedForServing(this.ledger, await this.refreshedReceipt(own.index, own.entry), own.index, `deposit ${id}`);
  }

  /** The tenant's deposit of this SHA-256, if any, verified before it is returned. */
  async findBySha256(tenant: Tenant, sha256Hex: string, reader?: Reader): Promise<Receipt | undefined> {
    if (!DIGEST_HEX_RULE.test(sha256Hex)) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    const index = this.ledger.index;
    const [found] = await index.findDigests(tenant.id, [index.digestKey(this.writer(tenant).prefixes.digest, sha256Hex)], [sha256Hex]);
    if (found === undefined || found === 'committing' || !visibleTo(found.entry, reader)) return undefined;
    return verifiedForServing(this.ledger, await this.refreshedReceipt(found.index, found.bytes), found.index, `index D ${tenant.id}/${sha256Hex}`);
  }
}

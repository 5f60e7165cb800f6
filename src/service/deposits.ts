/**
 * Deposits: turning a tenant's digest into a durable ledger entry and a receipt.
 *
 * Idempotency: the same tenant depositing the same SHA-256 again gets the original receipt (refreshed to
 * the newest checkpoint) and no new leaf — also when the two requests race, and within one batch: an
 * in-flight map serialises deposits of one (tenant, digest) in this process (the only writer of the log).
 * The lookup keys are written in the same durable batch as the entry:
 *   x D <tenant id> 0x00 <sha256 (32)>  → leaf index (8)
 *   x I <deposit id (16)>               → leaf index (8)
 */
import { CunzhengError } from '../errors.js';
import { fromHex, utf8 } from '../crypto/index.js';
import { buildEntry, parseEntry, type EntryMeta, type HashedBy } from '../entry/index.js';
import { buildReceipt, DEPOSIT_ID_BYTES, type Receipt } from '../receipt/index.js';
import { extraKey, readUint64, writeUint64 } from '../storage/keys.js';
import type { Ledger } from '../ledger/index.js';
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
const DEPOSIT_ID_RE = /^[0-9a-f]{32}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

function digestKey(tenantId: string, sha256Hex: string): Uint8Array {
  const t = utf8(`D${tenantId}\u0000`);
  const k = new Uint8Array(t.length + 32);
  k.set(t);
  k.set(fromHex(sha256Hex, 32), t.length);
  return extraKey(k);
}

function idKey(depositId: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + DEPOSIT_ID_BYTES);
  k[0] = 0x49; // 'I'
  k.set(depositId.subarray(0, DEPOSIT_ID_BYTES), 1);
  return extraKey(k);
}

function indexValue(i: number): Uint8Array {
  const v = new Uint8Array(8);
  writeUint64(v, 0, i);
  return v;
}

export interface DepositMetrics {
  created: Record<HashedBy, number>;
  existing: number;
}

export class Deposits {
  private readonly inflight = new Map<string, Promise<DepositResult>>();
  readonly metrics: DepositMetrics = { created: { client: 0, server: 0 }, existing: 0 };

  constructor(private readonly ledger: Ledger, private readonly anchorer?: Anchorer) {}

  /**
   * The receipt of an existing deposit, refreshed: at the newest anchored checkpoint with its RFC 3161
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

  /** The leaf index of the tenant's deposit `id`, or undefined (unknown, or another tenant's). */
  private async ownIndex(tenant: Tenant, id: string): Promise<{ index: number; entry: Uint8Array } | undefined> {
    if (!DEPOSIT_ID_RE.test(id)) return undefined;
    const v = await this.ledger.store.getExtra(idKey(fromHex(id, DEPOSIT_ID_BYTES)));
    if (v === undefined) return undefined;
    const index = readUint64(v, 0);
    const entry = await this.ledger.entry(index);
    if (entry === undefined || parseEntry(entry).tenant !== tenant.id) return undefined;
    return { index, entry };
  }

  /** A receipt for the entry at `index`, at the newest checkpoint (or the one given). */
  async receiptAt(index: number, entry: Uint8Array, checkpoint?: { treeSize: number; note: string }, leafHash?: Uint8Array): Promise<Receipt> {
    const cp = checkpoint ?? { treeSize: this.ledger.treeSize, note: this.ledger.checkpoint };
    return buildReceipt({
      entryBytes: entry,
      leafIndex: index,
      inclusionProof: await this.ledger.inclusionProof(index, cp.treeSize),
      checkpoint: cp.note,
      origin: this.ledger.origin,
      logKey: this.ledger.verifierKey,
      ...(leafHash === undefined ? {} : { leafHash }),
    });
  }

  /** Validates an input and builds its entry bytes (throws ENTRY_* / DEPOSIT_* codes; nothing is written). */
  private prepare(tenant: Tenant, input: DepositInput, hashedBy: HashedBy): Uint8Array {
    if (typeof input.sha256 !== 'string' || !SHA256_RE.test(input.sha256)) {
      throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    }
    return buildEntry({
      kind: 'deposit',
      tenant: tenant.id,
      subject: { name: tenant.name, uscc: tenant.uscc },
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
    const entry = this.prepare(tenant, input, hashedBy);
    await this.checkPrevs(tenant, [input]);
    return (await this.depositEntries(tenant, [input], [entry], hashedBy))[0]!;
  }

  /**
   * Deposits a batch: every item is validated (and every prev checked) before any is written — one bad item
   * fails the whole batch with its position — then the new ones are appended in input order; results are in
   * input order.
   */
  async depositBatch(tenant: Tenant, items: DepositInput[]): Promise<DepositResult[]> {
    if (items.length === 0 || items.length > MAX_BATCH) {
      throw new CunzhengError('DEPOSIT_BAD_BATCH', `a batch holds 1 to ${MAX_BATCH} items`);
    }
    const entries = items.map((item, i) => {
      try {
        return this.prepare(tenant, item, 'client');
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
        throw new CunzhengError(e.code, `items[${i}]: ${e.message}`, { cause: e, details: { ...e.details, item: i } });
      }
    });
    await this.checkPrevs(tenant, items);
    return this.depositEntries(tenant, items, entries, 'client');
  }

  /**
   * The idempotent core. For each item: a deposit of the same (tenant, digest) already in flight is
   * awaited; otherwise this call claims the digest (synchronously, so no concurrent call can append it
   * too), looks up all its claims in one read, and appends the digests never deposited, in input order.
   */
  private async depositEntries(tenant: Tenant, inputs: readonly DepositInput[], entries: readonly Uint8Array[], hashedBy: HashedBy): Promise<DepositResult[]> {
    const results: Promise<DepositResult>[] = new Array(inputs.length);
    const claimed: { i: number; key: string; resolve: (r: DepositResult) => void; reject: (e: unknown) => void }[] = [];
    inputs.forEach((input, i) => {
      const key = `${tenant.id}\u0000${input.sha256}`;
      const running = this.inflight.get(key);
      if (running !== undefined) {
        this.metrics.existing++;
        results[i] = running.then((r) => ({ created: false, receipt: r.receipt }));
        return;
      }
      let resolve!: (r: DepositResult) => void;
      let reject!: (e: unknown) => void;
      const p = new Promise<DepositResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      p.catch(() => undefined); // observed through `results`; never an unhandled rejection here
      const clear = (): void => {
        this.inflight.delete(key);
      };
      p.then(clear, clear);
      this.inflight.set(key, p);
      claimed.push({ i, key, resolve, reject });
      results[i] = p;
    });
    try {
      const dKeys = claimed.map((c) => digestKey(tenant.id, inputs[c.i]!.sha256));
      const found = await this.ledger.store.getExtraMany(dKeys);
      // All of a request's new entries are queued, or none: a partly accepted batch would answer 503 for
      // entries that are in fact being written.
      const fresh = found.filter((v) => v === undefined).length;
      if (!this.ledger.hasRoom(fresh)) {
        throw new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1 } });
      }
      claimed.forEach((c, j) => {
        const existing = found[j];
        if (existing !== undefined) {
          const index = readUint64(existing, 0);
          this.metrics.existing++;
          this.ledger.entry(index).then((e) => this.refreshedReceipt(index, e!)).then((receipt) => c.resolve({ created: false, receipt }), c.reject);
          return;
        }
        const entry = entries[c.i]!;
        const dKey = dKeys[j]!;
        this.ledger
          .append(entry, (leafIndex, leafHash) => [
            [dKey, indexValue(leafIndex)],
            [idKey(leafHash), indexValue(leafIndex)],
          ])
          .then(async (a) => {
            this.metrics.created[hashedBy]++;
            return { created: true, receipt: await this.receiptAt(a.leafIndex, entry, { treeSize: a.treeSize, note: a.checkpoint }, a.leafHash) };
          })
          .then(c.resolve, c.reject);
      });
    } catch (e) {
      for (const c of claimed) c.reject(e);
    }
    return Promise.all(results);
  }

  /** The tenant's deposit `id`, refreshed to the newest checkpoint; undefined for unknown or foreign ids. */
  async get(tenant: Tenant, id: string): Promise<Receipt | undefined> {
    const own = await this.ownIndex(tenant, id);
    return own === undefined ? undefined : this.refreshedReceipt(own.index, own.entry);
  }

  /** The tenant's deposit of this SHA-256, if any. */
  async findBySha256(tenant: Tenant, sha256Hex: string): Promise<Receipt | undefined> {
    if (!SHA256_RE.test(sha256Hex)) throw new CunzhengError('DEPOSIT_BAD_DIGEST', 'sha256 must be 64 lowercase hex characters');
    const v = await this.ledger.store.getExtra(digestKey(tenant.id, sha256Hex));
    if (v === undefined) return undefined;
    const index = readUint64(v, 0);
    return this.refreshedReceipt(index, (await this.ledger.entry(index))!);
  }
}

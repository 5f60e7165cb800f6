/**
 * Replies for new deposits, written by the pool: the receipts asked for in one turn of the event loop (a
 * group commit answers all its callers at once) go to a worker as one job, and each caller gets its reply's
 * bytes. Without a pool, for a turn with fewer than MIN_POOL_ITEMS receipts (a message costs more than it
 * saves), or when the worker fails, the main thread runs the same job; a reply is never lost to a worker.
 */
import type { WorkerPool } from '../workers/pool.js';
import { packReceiptJob, runReceiptJob, type FreshReceipt, type ReceiptJobResult, type ReplyRequest } from '../workers/receipt-job.js';

export const MIN_POOL_ITEMS = 16;

interface Waiting {
  request: ReplyRequest;
  resolve: (bytes: Uint8Array) => void;
  reject: (e: unknown) => void;
}

export class ReceiptWriter {
  private waiting: Waiting[] = [];
  private items = 0;
  private scheduled = false;
  /** Replies written by a worker, and by the main thread (no pool, small turns, a failed worker). */
  readonly stats = { pooled: 0, inline: 0, fallbacks: 0, mainMs: 0 };

  constructor(private readonly pool: WorkerPool | undefined, private readonly origin: string, private readonly logKey: string) {}

  /** The reply bytes of one new deposit (`JSON.stringify(receipt)`). */
  single(checkpoint: string, item: FreshReceipt): Promise<Uint8Array> {
    return this.ask({ shape: 'single', checkpoint, items: [item] });
  }

  /** The reply bytes of a batch whose deposits are all new (`{"receipts":[…],"created":[true,…]}`). */
  batch(checkpoint: string, items: readonly FreshReceipt[]): Promise<Uint8Array> {
    return this.ask({ shape: 'batch', checkpoint, items });
  }

  private ask(request: ReplyRequest): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.items += request.items.length;
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's continuations: every caller of the group has asked by then.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    const items = this.items;
    this.waiting = [];
    this.items = 0;
    this.scheduled = false;
    const requests = waiting.map((w) => w.request);
    let result: ReceiptJobResult | undefined;
    if (this.pool !== undefined && items >= MIN_POOL_ITEMS) {
      const t0 = performance.now();
      const { payload, transfer } = packReceiptJob(this.origin, this.logKey, requests);
      const job = this.pool.run<ReceiptJobResult>({ kind: 'receipts', payload, transfer });
      this.stats.mainMs += performance.now() - t0;
      try {
        result = await job;
        this.stats.pooled += waiting.length;
      } catch {
        this.stats.fallbacks += waiting.length; // the transferred buffers are gone: pack again below
      }
    }
    try {
      if (result === undefined) {
        const t0 = performance.now();
        result = runReceiptJob(packReceiptJob(this.origin, this.logKey, requests).payload);
        this.stats.mainMs += performance.now() - t0;
        this.stats.inline += waiting.length;
      }
    } catch (e) {
      for (const w of waiting) w.reject(e);
      return;
    }
    let start = 0;
    waiting.forEach((w, i) => {
      const end = result.ends[i]!;
      w.resolve(result.bytes.subarray(start, end));
      start = end;
    });
  }
}

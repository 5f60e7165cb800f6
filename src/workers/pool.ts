/**
 * A pool of worker threads for the CPU work of the deposit path that needs no sequencer (receipts built
 * and serialized for a group's callers). One writer stays one writer: workers never touch the ledger; they
 * get bytes in (transferred, not copied) and give bytes back.
 *
 * A job goes to the worker with the fewest jobs in flight. A worker that dies (a crash, an exit) fails only
 * its own jobs, with WORKER_FAILED, and is replaced; callers fall back to doing the work on the main
 * thread, so a deposit that was made durable is still answered. `close()` ends the workers; jobs posted
 * after it are refused with WORKER_CLOSED (callers fall back too).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CunzhengError } from '../errors.js';

export interface PoolJob {
  /** What the worker runs (worker.ts maps kinds to functions). */
  kind: string;
  payload: unknown;
  transfer?: ArrayBuffer[];
}

interface Slot {
  worker: Worker;
  inflight: Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  /** Jobs run by the workers, and workers replaced after a failure (for /metrics). */
  readonly stats = { jobs: 0, failures: 0 };


  constructor(private readonly script: URL, readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > 64) throw new CunzhengError('WORKER_BAD_POOL', 'a worker pool holds 1 to 64 workers');
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.script);
    const slot: Slot = { worker, inflight: new Map() };
    // A worker must never keep the process alive on its own: the server's close ends the pool.
    worker.unref();
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { code: string; message: string; details?: Record<string, unknown> } }) => {
      const job = slot.inflight.get(m.id);
      if (job === undefined) return;
      slot.inflight.delete(m.id);
      this.stats.jobs++;
      if (m.ok) job.resolve(m.value);
      else job.reject(new CunzhengError(m.error?.code ?? 'WORKER_FAILED', m.error?.message ?? 'the worker failed', m.error?.details === undefined ? {} : { details: m.error.details }));
    });
    const fail = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      const e = new CunzhengError('WORKER_FAILED', `a worker thread ${why}`);

      for (const job of slot.inflight.values()) job.reject(e);
      slot.inflight.clear();
      if (this.closed) {
        this.slots.splice(i, 1);
        return;
      }
      this.stats.failures++;
      this.slots[i] = this.spawn();
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }

  /** Runs a job on the least busy worker; resolves with what the worker answered. */
  run<T>(job: PoolJob): Promise<T> {
    if (this.closed) return Promise.reject(new CunzhengError('WORKER_CLOSED', 'the worker pool is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.inflight.size < slot.inflight.size) slot = s;
    return this.runOn(slot, job);
  }

  private runOn<T>(slot: Slot, job: PoolJob): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.inflight.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, kind: job.kind, payload: job.payload }, job.transfer ?? []);
    });
  }

  /** CPU milliseconds of the live workers (Linux; undefined elsewhere), for benchmarks and diagnostics. */
  async cpuMs(): Promise<number | undefined> {
    const each = await Promise.all(this.slots.map((s) => this.runOn<number | null>(s, { kind: 'cpu', payload: null })));
    return each.some((v) => v === null) ? undefined : each.reduce<number>((a, b) => a + b!, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** The pool size `serve` starts with: one worker per core beside the main thread (at least one, at most 8). */
export function autoWorkers(cores: number): number {
  return Math.max(1, Math.min(8, cores - 1));
}

/** The worker script: beside this module once compiled; from the TypeScript sources (tests), the compiled one in dist/. */
export function workerScript(): URL {
  const js = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('../../dist/src/workers/worker.js', import.meta.url);
}

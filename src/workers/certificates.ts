/**
 * Certificates for many receipts at once (an evidence package): makeCertificate on worker threads, the
 * results yielded in input order with a bounded window of jobs in flight (never every PDF held at once).
 * Each job's receipt is copied once into a buffer of its own that is transferred to the worker (the caller's
 * bytes stay intact); the PDF is transferred back, not copied. Every item gets a result: a receipt that gets
 * no certificate is `ok: false` with makeCertificate's own code (CERTIFICATE_RECEIPT_INVALID, …), and a worker
 * that dies fails only the job it was running (WORKER_FAILED) and is replaced by the pool.
 */
import { availableParallelism } from 'node:os';
import { makeCertificate, type MakeCertificateOptions } from '../certificate/make.js';
import { CunzhengError } from '../errors.js';
import { WorkerPool, workerScript } from './pool.js';
import type { CertificateJob, CertificateJobResult } from './certificate-job.js';

export type { MakeCertificateOptions };

export interface CertificateItem {
  receipt: Uint8Array;
  options?: MakeCertificateOptions;
}

export type CertificateResult =
  | { index: number; ok: true; pdf: Uint8Array; id: string; digests?: { sha256: string; sm3: string } }
  | { index: number; ok: false; code: string; message: string };

export interface ParallelOptions {
  /** Worker threads to start (default: the available parallelism); 1 makes the certificates on this thread. */
  threads?: number;
  /** Jobs in flight or done but not yet yielded (default: 4 per thread). */
  window?: number;
  /** Run on this pool instead of starting one (it is not closed at the end). */
  pool?: WorkerPool;
}

/** Below this many items (of an array) the certificates are made on this thread: starting workers costs more. */
export const MIN_PARALLEL_ITEMS = 8;

function failure(index: number, e: unknown): CertificateResult {
  if (e instanceof CunzhengError) return { index, ok: false, code: e.code, message: e.message };
  return { index, ok: false, code: 'WORKER_FAILED', message: e instanceof Error ? e.message : String(e) };
}

async function inline(index: number, item: CertificateItem): Promise<CertificateResult> {
  try {
    const { pdf, id } = await makeCertificate(item.receipt, item.options ?? {});
    return { index, ok: true, pdf, id };
  } catch (e) {
    return failure(index, e);
  }
}

function onPool(pool: WorkerPool, index: number, item: CertificateItem): Promise<CertificateResult> {
  // A copy the worker owns: the caller's buffer is not detached (and may be a slice of a shared one).
  const receipt = item.receipt instanceof Uint8Array ? new Uint8Array(item.receipt) : item.receipt;
  const payload: CertificateJob = { receipt, options: item.options ?? {} };
  const transfer = receipt instanceof Uint8Array ? [receipt.buffer as ArrayBuffer] : [];
  return pool.run<CertificateJobResult>({ kind: 'certificate', payload, transfer }).then(
    // The worker hashed the PDF it made: an evidence package's manifest takes these instead of hashing it again.
    (r): CertificateResult => ({ index, ok: true, pdf: r.pdf, id: r.id, digests: { sha256: r.sha256, sm3: r.sm3 } }),
    (e: unknown) => failure(index, e),
  );
}

/**
 * One certificate per item, yielded in input order. `items` is an array or any (async) iterable, read
 * lazily as the window frees. Closing the iteration early (break) ends the workers it started.
 */
export async function* makeCertificatesParallel(
  items: readonly CertificateItem[] | Iterable<CertificateItem> | AsyncIterable<CertificateItem>,
  opts: ParallelOptions = {},
): AsyncIterable<CertificateResult> {
  const threads = opts.pool?.size ?? opts.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > 64) throw new CunzhengError('WORKER_BAD_POOL', 'certificates are made on 1 to 64 threads');
  const window = opts.window ?? 4 * threads;
  if (!Number.isSafeInteger(window) || window < 1 || window > 4096) throw new CunzhengError('WORKER_BAD_POOL', 'a window of 1 to 4096 certificates in flight');
  const small = Array.isArray(items) && items.length < MIN_PARALLEL_ITEMS;
  let index = 0;
  if (opts.pool === undefined && (threads === 1 || small)) {
    for await (const item of items) yield await inline(index++, item);
    return;
  }
  const pool = opts.pool ?? new WorkerPool(workerScript(), threads);
  const source = Symbol.asyncIterator in items ? (items as AsyncIterable<CertificateItem>)[Symbol.asyncIterator]() : (items as Iterable<CertificateItem>)[Symbol.iterator]();
  const queue: Promise<CertificateResult>[] = [];
  let done = false;
  try {
    for (;;) {
      while (!done && queue.length < window) {
        const next = await source.next();
        if (next.done === true) done = true;
        else queue.push(onPool(pool, index++, next.value));
      }
      const head = queue.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!done) await source.return?.();
    if (opts.pool === undefined) await pool.close();
  }
}

/**
 * Hashes many files on every core: a pool of worker threads (hash-worker-source.ts), each computing
 * SHA-256 and SM3 of a file in one streaming pass. Results come back in input order.
 *
 *   input (array or async iterable, e.g. walkFiles)
 *     │  pulled at most WINDOW files ahead of the last result handed out (memory stays bounded)
 *     ▼
 *   pending ──batches──► worker 1 ─┐   a batch: up to 32 files or 4 MiB, so small files do not
 *           ──batches──► worker 2 ─┤   pay one message each; each worker holds ≤ 2 batches, so
 *                                  ▼   it never waits for the main thread between batches
 *   results by index ──► yielded in input order
 *
 * Workers start lazily (one file starts one worker) up to `concurrency`, and are stopped when the
 * iteration ends, early exits included. A worker that dies fails only the files it held
 * (HASH_WORKER_FAILED); the pool starts another for the rest.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CunzhengError } from '../../src/errors.js';
import { HASH_CHUNK_BYTES, fileError, type HashResult } from './hash-file.js';
import { HASH_WORKER_SOURCE } from './hash-worker-source.js';

export { HASH_CHUNK_BYTES, hashFile, isHashError, type FileDigest, type FileHashError, type HashResult, type HashErrorCode } from './hash-file.js';

export interface HashProgress {
  /** Files finished (hashed or failed). */
  files: number;
  /** Bytes hashed so far, inside large files too. */
  bytes: number;
}

export interface HashFilesOptions {
  onProgress?: (p: HashProgress) => void;
  /** Worker threads at most; default os.availableParallelism(). */
  concurrency?: number;
}

/** A path, or anything with one (a WalkedFile): a known size helps batching. */
export type HashInput = string | { path: string; size?: number };

const BATCH_FILES = 32;
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCHES_PER_WORKER = 2;
const WINDOW = 4096;

interface Task {
  index: number;
  path: string;
  size: number;
}

interface Slot {
  worker: Worker;
  inflight: Map<number, Task[]>;
  dead: boolean;
}

interface WorkerResult {
  sha256?: string;
  sm3?: string;
  size?: number;
  errno?: string;
  message?: string;
  reported: number;
}

type WorkerMessage = { type: 'bytes'; bytes: number } | { type: 'done'; batch: number; results: WorkerResult[] };

/**
 * Hashes `files` and yields one result per input, in input order: a digest, or `{path, error}` for a
 * file that could not be read (never a rejection for one bad file). Throws HASH_BAD_OPTION at once for
 * a bad `concurrency`; an error thrown by the input iterable or by `onProgress` ends the iteration.
 */
export function hashFiles(files: Iterable<HashInput> | AsyncIterable<HashInput>, opts: HashFilesOptions = {}): AsyncGenerator<HashResult> {
  const concurrency = opts.concurrency ?? availableParallelism();
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
    throw new CunzhengError('HASH_BAD_OPTION', `concurrency must be an integer from 1 to 1024, got ${String(concurrency)}`, {
      details: { got: concurrency },
    });
  }
  return run(files, concurrency, opts.onProgress);
}

async function* run(
  files: Iterable<HashInput> | AsyncIterable<HashInput>,
  concurrency: number,
  onProgress: ((p: HashProgress) => void) | undefined,
): AsyncGenerator<HashResult> {
  const results = new Map<number, HashResult>();
  let pending: Task[] = [];
  let pendingHead = 0;
  let pulled = 0;
  let nextOut = 0;
  let inputDone = false;
  let fatal: { error: unknown } | undefined;
  let stopping = false;
  let batchIds = 0;
  const slots: Slot[] = [];
  const progress: HashProgress = { files: 0, bytes: 0 };

  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let room: (() => void) | undefined;
  const signalRoom = (): void => {
    const r = room;
    room = undefined;
    r?.();
  };

  const report = (): void => {
    if (onProgress === undefined) return;
    try {
      onProgress({ files: progress.files, bytes: progress.bytes });
    } catch (error) {
      fatal ??= { error };
      signal();
    }
  };

  const takeBatch = (): Task[] => {
    const batch: Task[] = [];
    let bytes = 0;
    while (pendingHead < pending.length && batch.length < BATCH_FILES && (batch.length === 0 || bytes < BATCH_BYTES)) {
      const t = pending[pendingHead++]!;
      batch.push(t);
      bytes += t.size;
    }
    if (pendingHead > 1024 && pendingHead * 2 > pending.length) {
      pending = pending.slice(pendingHead);
      pendingHead = 0;
    }
    return batch;
  };

  const fail = (slot: Slot, why: string): void => {
    if (slot.dead) return;
    slot.dead = true;
    slots.splice(slots.indexOf(slot), 1);
    for (const tasks of slot.inflight.values()) {
      for (const t of tasks) {
        results.set(t.index, { path: t.path, error: new CunzhengError('HASH_WORKER_FAILED', `${t.path}: the hashing worker failed (${why})`, { details: { path: t.path } }) });
        progress.files++;
      }
    }
    slot.inflight.clear();
    report();
    dispatch();
    signal();
  };

  const onMessage = (slot: Slot, m: WorkerMessage): void => {
    if (m.type === 'bytes') {
      progress.bytes += m.bytes;
      report();
      return;
    }
    const tasks = slot.inflight.get(m.batch);
    if (tasks === undefined) return;
    slot.inflight.delete(m.batch);
    if (slot.inflight.size === 0) slot.worker.unref(); // idle: an abandoned iteration must not keep the process alive
    for (const [k, t] of tasks.entries()) {
      const r = m.results[k];
      if (r !== undefined && r.sha256 !== undefined && r.sm3 !== undefined && r.size !== undefined) {
        results.set(t.index, { path: t.path, sha256: r.sha256, sm3: r.sm3, size: r.size });
        progress.bytes += r.size - r.reported;
      } else {
        results.set(t.index, { path: t.path, error: fileError(t.path, r?.errno, r?.message ?? 'no result from the worker') });
      }
      progress.files++;
    }
    report();
    dispatch();
    signal();
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(HASH_WORKER_SOURCE, { eval: true }), inflight: new Map(), dead: false };
    slot.worker.on('message', (m: WorkerMessage) => onMessage(slot, m));
    slot.worker.on('error', (e: unknown) => fail(slot, e instanceof Error ? e.message : String(e)));
    slot.worker.on('exit', (code: number) => {
      if (!stopping) fail(slot, `exit code ${code}`);
    });
    slots.push(slot);
    return slot;
  };

  /** Idle workers first, then a new worker (more parallelism), then a second batch for a busy one. */
  const pickSlot = (): Slot | undefined =>
    slots.find((s) => s.inflight.size === 0) ??
    (slots.length < concurrency ? spawn() : slots.find((s) => s.inflight.size < BATCHES_PER_WORKER));

  function dispatch(): void {
    while (!stopping && pendingHead < pending.length) {
      const slot = pickSlot();
      if (slot === undefined) return;
      const tasks = takeBatch();
      const batch = batchIds++;
      if (slot.inflight.size === 0) slot.worker.ref();
      slot.inflight.set(batch, tasks);
      slot.worker.postMessage({ batch, paths: tasks.map((t) => t.path) });
    }
  }

  const feed = async (): Promise<void> => {
    try {
      for await (const item of files) {
        if (stopping) break;
        const path = typeof item === 'string' ? item : item.path;
        const size = typeof item === 'string' || typeof item.size !== 'number' ? HASH_CHUNK_BYTES : item.size;
        pending.push({ index: pulled++, path, size });
        dispatch();
        while (!stopping && pulled - nextOut >= WINDOW) await new Promise<void>((r) => (room = r));
      }
    } catch (error) {
      fatal ??= { error };
    } finally {
      inputDone = true;
      signal();
    }
  };

  // Not awaited on exit: the feeder notices `stopping` at its next item and closes the input then.
  void feed();
  try {
    for (;;) {
      while (fatal === undefined && results.has(nextOut)) {
        const r = results.get(nextOut)!;
        results.delete(nextOut++);
        signalRoom();
        yield r;
      }
      if (fatal !== undefined) throw fatal.error;
      if (inputDone && nextOut === pulled) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stopping = true;
    signalRoom();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

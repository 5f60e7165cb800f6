/**
 * Hashing files in the browser: SHA-256 and SM3 of each file, streamed in slices inside Web Workers, so
 * memory stays flat for multi-gigabyte files and the page stays responsive. Nothing leaves the machine.
 *
 * Two workers run side by side, one per algorithm (SM3 and SHA-256 cost about the same in JavaScript, so a
 * file is hashed at the speed of one algorithm alone on a machine with two cores). Each reads the file itself:
 * a File is passed by reference, and the browser serves the second read from its cache. Where no worker can
 * start (an app built without worker.ts, a browser that refuses Blob workers), the same code runs on the page,
 * one slice per turn of the event loop.
 */
import { hashBlob, type Digests, type HashAlgorithm } from './hash-core.js';
import type { HashReply, HashRequest } from './hash-protocol.js';

export interface FileDigests {
  name: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  /** Lower-case hex. */
  sm3: string;
}

export type ProgressCallback = (done: number, total: number) => void;

class WorkerUnavailable extends Error {}

interface Lane {
  algorithms: HashAlgorithm[];
  worker: Worker;
  /** The job in flight, at most one: a worker that interleaved several files would hold a slice of each. */
  tail: Promise<unknown>;
}

let lanes: Lane[] | null | undefined;
let nextId = 1;

function startWorker(): Worker {
  if (typeof __WORKER_SOURCE__ !== 'string' || typeof Worker === 'undefined') throw new WorkerUnavailable('no worker');
  const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  try {
    return new Worker(url);
  } finally {
    // The worker has fetched its script once it runs; revoking now is safe in every current browser.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

function getLanes(): Lane[] | null {
  if (lanes !== undefined) return lanes;
  try {
    const cores = typeof navigator !== 'undefined' && typeof navigator.hardwareConcurrency === 'number' ? navigator.hardwareConcurrency : 2;
    const split: HashAlgorithm[][] = cores >= 2 ? [['sha256'], ['sm3']] : [['sha256', 'sm3']];
    lanes = split.map((algorithms) => ({ algorithms, worker: startWorker(), tail: Promise.resolve() }));
  } catch {
    lanes = null;
  }
  return lanes;
}

function runOnWorker(lane: Lane, file: Blob, onBytes: (done: number) => void): Promise<Digests> {
  const run = (): Promise<Digests> =>
    new Promise<Digests>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (ev: MessageEvent<HashReply>): void => {
        const r = ev.data;
        if (r.id !== id) return;
        if (r.type === 'progress') return onBytes(r.done);
        cleanup();
        if (r.type === 'done') resolve(r.digests);
        else reject(new Error(r.message));
      };
      const onError = (ev: Event): void => {
        ev.preventDefault();
        cleanup();
        reject(new WorkerUnavailable('the hashing worker failed to start'));
      };
      const cleanup = (): void => {
        lane.worker.removeEventListener('message', onMessage);
        lane.worker.removeEventListener('error', onError);
      };
      lane.worker.addEventListener('message', onMessage);
      lane.worker.addEventListener('error', onError);
      const req: HashRequest = { id, file, algorithms: lane.algorithms };
      lane.worker.postMessage(req);
    });
  const job = lane.tail.then(run, run);
  lane.tail = job.catch(() => undefined);
  return job;
}

const yieldToPage = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * SHA-256 and SM3 of every file, in the order given. `onProgress(done, total)` counts bytes (both
 * algorithms' progress averaged), and is called at least once per slice and once at the end.
 */
export async function hashFiles(files: File[], onProgress?: ProgressCallback): Promise<FileDigests[]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  let finished = 0;
  const report = (extra: number): void => onProgress?.(Math.min(total, Math.round(finished + extra)), total);
  const out: FileDigests[] = [];
  for (const file of files) {
    let digests: Digests | undefined;
    const ls = getLanes();
    if (ls !== null) {
      const done = ls.map(() => 0);
      try {
        const parts = await Promise.all(ls.map((lane, i) => runOnWorker(lane, file, (n) => {
          done[i] = n;
          report(done.reduce((a, b) => a + b, 0) / ls.length);
        })));
        digests = Object.assign({}, ...parts) as Digests;
      } catch (e) {
        if (!(e instanceof WorkerUnavailable)) throw e;
        for (const l of ls) l.worker.terminate();
        lanes = null;
      }
    }
    digests ??= await hashBlob(file, ['sha256', 'sm3'], (n) => report(n), yieldToPage);
    finished += file.size;
    report(0);
    out.push({ name: file.name, size: file.size, sha256: digests.sha256!, sm3: digests.sm3! });
  }
  return out;
}

/** Stops the hashing workers (they start again on the next call). */
export function stopHashWorkers(): void {
  for (const l of lanes ?? []) l.worker.terminate();
  lanes = undefined;
}

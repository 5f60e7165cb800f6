/**
 * Hashing files in the browser: SHA-256 and SM3 of each file, streamed in slices inside Web Workers, so
 * memory stays flat for multi-gigabyte files and the page stays responsive. Nothing leaves the machine.
 *
 * Two workers run side by side, one per algorithm (in WebAssembly SM3 is the slower; on two cores the pair
 * beats one worker doing both, bench/README.md): the first reads the file (a File is passed by reference),
 * computes SHA-256 and hands each slice on to the second. Where no worker can
 * start (an app built without worker.ts, a browser that refuses Blob workers), the same code runs on the page,
 * one slice per turn of the event loop.
 */
import { hashBlob, type Digests, type HashAlgorithm, type HashEngine } from './hash-core.js';
import type { HashReply, HashRequest } from './hash-protocol.js';
import { fileFailure, type FileFailure } from './file-failure.js';

export interface FileDigests {
  name: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  /** Lower-case hex. */
  sm3: string;
  /** What computed them: WebAssembly, or the portable JavaScript where WebAssembly cannot compile. */
  engine: HashEngine;
}

export { fileFailure, type FileErrorCode, type FileFailure } from './file-failure.js';

export const isFileFailure = (r: FileDigests | FileFailure): r is FileFailure => 'error' in r;

export type ProgressCallback = (done: number, total: number) => void;

class WorkerUnavailable extends Error {}

/** A worker's answer that the file could not be read, with the DOMException's name. */
class ReadFailed extends Error {
  constructor(message: string, readonly errorName: string | undefined) {
    super(message);
  }
}

interface Lane {
  algorithms: HashAlgorithm[];
  worker: Worker;
}

let lanes: Lane[] | null | undefined;
let nextId = 1;
/** Files are hashed one at a time, across calls too: a worker that interleaved several would hold a slice of each. */
let queue: Promise<unknown> = Promise.resolve();

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

/**
 * Two cores or more: a pair — the first worker reads the file and computes SHA-256, handing each slice to the
 * second (a MessageChannel between them), which computes SM3. One core: one worker computes both.
 */
function getLanes(): Lane[] | null {
  if (lanes !== undefined) return lanes;
  try {
    const cores = typeof navigator !== 'undefined' && typeof navigator.hardwareConcurrency === 'number' ? navigator.hardwareConcurrency : 2;
    if (cores >= 2) {
      const [reader, other] = [startWorker(), startWorker()];
      const channel = new MessageChannel();
      reader.postMessage({ type: 'pair', port: channel.port1 }, [channel.port1]);
      other.postMessage({ type: 'pair', port: channel.port2 }, [channel.port2]);
      lanes = [{ algorithms: ['sha256'], worker: reader }, { algorithms: ['sm3'], worker: other }];
    } else lanes = [{ algorithms: ['sha256', 'sm3'], worker: startWorker() }];
  } catch {
    lanes = null;
  }
  return lanes;
}

/** The reply of `lane` to request `id`: progress reported, then its digests. */
function reply(lane: Lane, id: number, onBytes: (done: number) => void): Promise<Digests> {
  return new Promise<Digests>((resolve, reject) => {
    const onMessage = (ev: MessageEvent<HashReply>): void => {
      const r = ev.data;
      if (r.id !== id) return;
      if (r.type === 'progress') return onBytes(r.done);
      cleanup();
      if (r.type === 'done') resolve(r.digests);
      else reject(new ReadFailed(r.message, r.name));
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
  });
}

async function hashOnWorkers(ls: Lane[], file: Blob, onBytes: (done: number) => void): Promise<Digests> {
  const id = nextId++;
  const replies = ls.map((lane, i) => reply(lane, id, i === 0 ? onBytes : () => undefined));
  const req: HashRequest = { id, file, algorithms: ls[0]!.algorithms, forward: ls.length > 1 };
  ls[0]!.worker.postMessage(req);
  // The reader's failure rejects at once; the SM3 worker's reply is then never coming.
  const first = await replies[0]!;
  const rest = await Promise.all(replies.slice(1));
  const all = [first, ...rest];
  return { ...Object.assign({}, ...all), engine: all.every((d) => d.engine === 'wasm') ? 'wasm' : 'portable' } as Digests;
}

const yieldToPage = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * SHA-256 and SM3 of every file, in the order given, or why a file could not be read (the others are hashed
 * all the same). `onProgress(done, total)` counts bytes, and is called at least once per slice and once at the end.
 */
export async function hashFilesSettled(files: File[], onProgress?: ProgressCallback): Promise<(FileDigests | FileFailure)[]> {
  const run = async (): Promise<(FileDigests | FileFailure)[]> => {
    const total = files.reduce((n, f) => n + f.size, 0);
    let finished = 0;
    const report = (extra: number): void => onProgress?.(Math.min(total, finished + extra), total);
    const out: (FileDigests | FileFailure)[] = [];
    for (const file of files) {
      let digests: Digests | undefined;
      let failure: FileFailure | undefined;
      const ls = getLanes();
      if (ls !== null) {
        try {
          digests = await hashOnWorkers(ls, file, report);
        } catch (e) {
          if (e instanceof ReadFailed) failure = fileFailure(file, e.errorName, e.message);
          else if (!(e instanceof WorkerUnavailable)) throw e;
          else {
            for (const l of ls) l.worker.terminate();
            lanes = null;
          }
        }
      }
      if (digests === undefined && failure === undefined) {
        try {
          digests = await hashBlob(file, ['sha256', 'sm3'], (n) => report(n), yieldToPage);
        } catch (e) {
          failure = fileFailure(file, e instanceof Error ? e.name : undefined, e instanceof Error ? e.message : String(e));
        }
      }
      finished += file.size;
      report(0);
      out.push(failure ?? { name: file.name, size: file.size, sha256: digests!.sha256!, sm3: digests!.sm3!, engine: digests!.engine ?? 'portable' });
    }
    return out;
  };
  const job = queue.then(run, run);
  queue = job.catch(() => undefined);
  return job;
}

/** SHA-256 and SM3 of every file, in the order given; the first file that could not be read throws its FILE_* error. */
export async function hashFiles(files: File[], onProgress?: ProgressCallback): Promise<FileDigests[]> {
  const all = await hashFilesSettled(files, onProgress);
  const failed = all.find(isFileFailure);
  if (failed !== undefined) throw failed.error;
  return all as FileDigests[];
}

/** Stops the hashing workers (they start again on the next call). */
export function stopHashWorkers(): void {
  for (const l of lanes ?? []) l.worker.terminate();
  lanes = undefined;
}

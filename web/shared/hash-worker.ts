/**
 * The hashing worker: each request names a File (structured-cloned, never copied into memory whole) and the
 * algorithms to compute; it answers with progress after every slice, then the digests or an error. An app's
 * web/<app>/worker.ts imports this file; web/build.mjs inlines it as a Blob worker.
 */
import { hashBlob } from './hash-core.js';
import type { HashReply, HashRequest } from './hash-protocol.js';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: HashReply): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (ev) => {
  const { id, file, algorithms } = ev.data;
  hashBlob(file, algorithms, (done) => scope.postMessage({ id, type: 'progress', done })).then(
    (digests) => scope.postMessage({ id, type: 'done', digests }),
    (e: unknown) => scope.postMessage({ id, type: 'error', message: e instanceof Error ? e.message : String(e) }),
  );
};

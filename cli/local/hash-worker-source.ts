/**
 * The hashing worker's program, as plain JavaScript text, started with `new Worker(source, {eval: true})`.
 *
 * Why a string and not a worker file: the command line runs from `dist/` (compiled JavaScript) while the
 * tests run the TypeScript sources under vitest, and a Worker can only start a file Node itself can load.
 * A `hash-worker.ts` resolved by `new URL('./hash-worker.js', import.meta.url)` exists only in `dist/`, so
 * the tests would either need a fresh build or take an in-thread fallback and leave the worker untested.
 * Text needs no file at all: the very same worker runs in both places, and the tests exercise it. The
 * cost is that this text is not type-checked; it is kept short, mirrors hash-file.ts step for step, and
 * the tests compare the two (and openssl) on the same files.
 *
 * Protocol (structured clone over the worker's port):
 *   main → worker  { batch: number, paths: string[] }
 *   worker → main  { type: 'bytes', bytes }           progress inside a large file, every 16 MiB
 *                  { type: 'done', batch, results }    results[k] for paths[k]:
 *                        { sha256, sm3, size, reported }  or  { errno, message, reported }
 *                  (`reported`: bytes of that file already announced by 'bytes' messages)
 * Reads are synchronous: this thread does nothing else, and a sync read into one reused buffer is the
 * cheapest way to feed the hashes.
 */
import { HASH_CHUNK_BYTES, HASH_OPEN_FLAGS } from './hash-file.js';

export const PROGRESS_EVERY_BYTES = 16 * HASH_CHUNK_BYTES;

export const HASH_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync, fstatSync } = require('node:fs');
const { createHash } = require('node:crypto');
const CHUNK = ${HASH_CHUNK_BYTES};
const FLAGS = ${HASH_OPEN_FLAGS};
const PROGRESS_EVERY = ${PROGRESS_EVERY_BYTES};
const buf = new Uint8Array(CHUNK);

function failure(e, what, reported) {
  const errno = e && typeof e.code === 'string' ? e.code : undefined;
  return { errno, message: what + ' (' + (errno || String(e && e.message)) + ')', reported };
}

function hashOne(path) {
  let fd;
  try {
    fd = openSync(path, FLAGS);
  } catch (e) {
    return failure(e, 'cannot open', 0);
  }
  let reported = 0;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { errno: 'NOT_REGULAR', message: 'not a regular file', reported };
    const sha = createHash('sha256');
    const sm = createHash('sm3');
    let size = 0;
    for (;;) {
      let n;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        return failure(e, 'read failed', reported);
      }
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      sha.update(chunk);
      sm.update(chunk);
      size += n;
      if (size - reported >= PROGRESS_EVERY) {
        parentPort.postMessage({ type: 'bytes', bytes: size - reported });
        reported = size;
      }
      if (n < CHUNK && size >= st.size) break;
    }
    return { sha256: sha.digest('hex'), sm3: sm.digest('hex'), size, reported };
  } finally {
    try { closeSync(fd); } catch (e) { /* the digest is already computed */ }
  }
}

parentPort.on('message', (msg) => {
  parentPort.postMessage({ type: 'done', batch: msg.batch, results: msg.paths.map(hashOne) });
});
`;

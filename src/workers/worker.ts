/**
 * A worker thread of the pool (pool.ts): runs jobs by kind and answers `{id, ok, value}` or
 * `{id, ok: false, error: {code, message}}`; the result's buffers are transferred back. Jobs are synchronous
 * but `certificate`, which answers when its promise settles, and the first `prepare` (its module is loaded then).
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CunzhengError } from '../errors.js';
import { runReceiptJob, type ReceiptJobPayload } from './receipt-job.js';
import type { PrepareRequest } from './prepare-job.js';
import { runCertificateJob, type CertificateJob } from './certificate-job.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts runs in a worker thread');

// The prepare job (the request schema: Ajv and TypeBox, ~0.3 s of CPU to load) is loaded with the first
// large body: every pool starts with the service, and most only ever write receipts.
let prepareJob: Promise<typeof import('./prepare-job.js')> | undefined;

function fail(id: number, e: unknown): void {
  const code = e instanceof CunzhengError ? e.code : 'WORKER_FAILED';
  const details = e instanceof CunzhengError ? e.details : undefined;
  port!.postMessage({ id, ok: false, error: { code, message: e instanceof Error ? e.message : String(e), ...(details === undefined ? {} : { details }) } });
}

port.on('message', (m: { id: number; kind: string; payload: unknown }) => {
  try {
    if (m.kind === 'certificate') {
      // The one asynchronous job: answered when the certificate is made; the worker takes further jobs meanwhile.
      runCertificateJob(m.payload as CertificateJob).then(
        (r) => port.postMessage({ id: m.id, ok: true, value: r }, [r.pdf.buffer as ArrayBuffer]),
        (e: unknown) => fail(m.id, e),
      );
      return;
    }
    if (m.kind === 'receipts') {
      const r = runReceiptJob(m.payload as ReceiptJobPayload);
      port.postMessage({ id: m.id, ok: true, value: r }, [r.bytes.buffer as ArrayBuffer, r.ends.buffer as ArrayBuffer]);
      return;
    }
    if (m.kind === 'prepare') {
      (prepareJob ??= import('./prepare-job.js')).then(({ runPrepareJob }) => {
        const r = runPrepareJob(m.payload as PrepareRequest);
        port.postMessage({ id: m.id, ok: true, value: r }, [r.entries.buffer as ArrayBuffer, r.ends.buffer as ArrayBuffer]);
      }).catch((e: unknown) => fail(m.id, e));
      return;
    }
    if (m.kind === 'cpu') {
      port.postMessage({ id: m.id, ok: true, value: threadCpuMs() });
      return;
    }
    throw new CunzhengError('WORKER_UNKNOWN_JOB', `no job of kind ${JSON.stringify(m.kind)}`);
  } catch (e) {
    fail(m.id, e);
  }
});

/** This thread's CPU time in ms (Linux: /proc/thread-self/stat, utime + stime in clock ticks of 10 ms), or null elsewhere. */
function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

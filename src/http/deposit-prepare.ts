/**
 * POST /v1/deposits' body, from bytes to entries: on the worker pool when it is large enough for a message
 * to pay (POOL_BODY_BYTES), on the main thread otherwise or when there is no pool — the same job either
 * way (workers/prepare-job.ts). A worker that fails leaves the main thread to do it; a refusal of the body
 * is the request's answer, whichever thread found it.
 */
import { CunzhengError } from '../errors.js';
import type { WorkerPool } from '../workers/pool.js';
import { runPrepareJob, unpackPrepared, type PreparedDeposits, type PreparedPayload, type PrepareRequest } from '../workers/prepare-job.js';

/** Bodies from this size on are parsed and built on the pool (a batch of about 50 items). */
export const POOL_BODY_BYTES = 16 * 1024;

const WORKER_FAULTS = new Set(['WORKER_FAILED', 'WORKER_CLOSED', 'WORKER_UNKNOWN_JOB']);

/** `body`: the raw JSON bytes, or what another content-type parser made of the body (text/plain: a string). */
/** `operator`: the requesting user's id, named by every entry. */
export async function prepareDeposits(pool: WorkerPool | undefined, body: unknown, tenant: PrepareRequest['tenant'], operator: string): Promise<PreparedDeposits> {
  if (!(body instanceof Uint8Array)) return unpackPrepared(runPrepareJob({ body, tenant, operator }));
  if (pool !== undefined && body.length >= POOL_BODY_BYTES) {
    // A copy the worker owns (the request's buffer may share its memory with other requests).
    const own = new Uint8Array(body);
    try {
      return unpackPrepared(await pool.run<PreparedPayload>({ kind: 'prepare', payload: { body: own, tenant: { id: tenant.id, name: tenant.name, uscc: tenant.uscc }, operator }, transfer: [own.buffer] }));
    } catch (e) {
      if (!(e instanceof CunzhengError) || !WORKER_FAULTS.has(e.code)) throw e;
    }
  }
  return unpackPrepared(runPrepareJob({ body, tenant, operator }));
}

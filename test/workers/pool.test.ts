/**
 * The worker pool that writes new deposits' replies: the job's bytes are exactly those the main thread
 * writes (JSON.stringify of the receipts buildReceipt makes), on a real worker thread as inline; a worker
 * that dies fails only its own job, is replaced, and the writer falls back to the main thread; and through
 * the service, pooled replies are receipts that verify.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../src/crypto/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { buildReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { WorkerPool, workerScript } from '../../src/workers/pool.js';
import { packReceiptJob, runReceiptJob, type FreshReceipt, type ReceiptJobResult, type ReplyRequest } from '../../src/workers/receipt-job.js';
import { MIN_POOL_ITEMS, ReceiptWriter } from '../../src/service/receipt-writer.js';
import { closeService, openService } from '../../src/service/open.js';
import { completeUscc } from '../../src/entry/index.js';

const SCRIPT = workerScript();
const ORIGIN = 'test.example/workers';
const LOG_KEY = 'test.example/workers+01234567+AUo+9G796QOt7cjUpUiyD/uQs75fN0IQZhnqV0mFU+zS';
const pools: WorkerPool[] = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

function pool(size = 1): WorkerPool {
  const p = new WorkerPool(SCRIPT, size);
  pools.push(p);
  return p;
}

/** Replies whose proofs share node objects, as a group's do. */
const repliesArb = fc.array(
  fc.record({
    shape: fc.constantFrom<'single' | 'batch'>('single', 'batch'),
    checkpoint: fc.constantFrom('a.example/log\n5\nAAAA\n\n— sig\n', 'a.example/log\n9\n"quoted"\\\n\n— sig\n'),
    items: fc.array(fc.record({ entry: fc.uint8Array({ minLength: 1, maxLength: 300 }), leafIndex: fc.nat({ max: 2 ** 40 }), proofLength: fc.nat({ max: 12 }) }), { minLength: 1, maxLength: 6 }),
  }),
  { minLength: 1, maxLength: 5 },
);

function materialize(spec: { shape: 'single' | 'batch'; checkpoint: string; items: { entry: Uint8Array; leafIndex: number; proofLength: number }[] }[]): ReplyRequest[] {
  const shared = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(32)));
  return spec.map((r) => ({
    shape: r.shape,
    checkpoint: r.checkpoint,
    items: (r.shape === 'single' ? r.items.slice(0, 1) : r.items).map((it, k): FreshReceipt => ({
      entry: it.entry,
      leafIndex: it.leafIndex,
      leafHash: hashLeaf(it.entry),
      proof: Array.from({ length: it.proofLength }, (_, j) => ((j + k) % 3 === 0 ? new Uint8Array(randomBytes(32)) : shared[(j * 5 + k) % shared.length]!)),
    })),
  }));
}

/** What the main thread would write for each reply. */
function expected(replies: readonly ReplyRequest[]): string[] {
  return replies.map((r) => {
    const receipts: Receipt[] = r.items.map((it) => buildReceipt({ entryBytes: it.entry, leafIndex: it.leafIndex, inclusionProof: it.proof, checkpoint: r.checkpoint, origin: ORIGIN, logKey: LOG_KEY }));
    return r.shape === 'single' ? JSON.stringify(receipts[0]) : JSON.stringify({ receipts, created: receipts.map(() => true) });
  });
}

function split(result: ReceiptJobResult): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of result.ends) {
    out.push(new TextDecoder().decode(result.bytes.subarray(start, end)));
    start = end;
  }
  return out;
}

describe('the receipt job', () => {
  it('writes, inline, exactly the bytes of JSON.stringify of the receipts buildReceipt makes', () => {
    fc.assert(fc.property(repliesArb, (spec) => {
      const replies = materialize(spec);
      expect(split(runReceiptJob(packReceiptJob(ORIGIN, LOG_KEY, replies).payload))).toEqual(expected(replies));
    }), { numRuns: 150 });
  });

  it('writes the same bytes on a worker thread, with the packed buffers transferred (detached here)', async () => {
    const p = pool();
    await fc.assert(fc.asyncProperty(repliesArb, async (spec) => {
      const replies = materialize(spec);
      const { payload, transfer } = packReceiptJob(ORIGIN, LOG_KEY, replies);
      const result = await p.run<ReceiptJobResult>({ kind: 'receipts', payload, transfer });
      expect(payload.entries.byteLength).toBe(0); // transferred, not copied
      expect(split(result)).toEqual(expected(replies));
    }), { numRuns: 40 });
  });
});

describe('a worker that dies', () => {
  it('fails only its own job with WORKER_FAILED, and is replaced', async () => {
    const p = pool();
    const replies = materialize([{ shape: 'batch', checkpoint: 'c\n1\nAAAA\n\n— s\n', items: Array.from({ length: 3000 }, (_, i) => ({ entry: new Uint8Array(200).fill(i % 256), leafIndex: i, proofLength: 20 })) }]);
    const { payload, transfer } = packReceiptJob(ORIGIN, LOG_KEY, replies);
    const job = p.run({ kind: 'receipts', payload, transfer });
    await (p as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!.worker.terminate();
    await expect(job).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    const again = packReceiptJob(ORIGIN, LOG_KEY, replies.map((r) => ({ ...r, items: r.items.slice(0, 2) })));
    expect(split(await p.run<ReceiptJobResult>({ kind: 'receipts', payload: again.payload, transfer: again.transfer }))).toEqual(expected(replies.map((r) => ({ ...r, items: r.items.slice(0, 2) }))));
    expect(p.stats.failures).toBe(1);
    // Each live worker reports its own CPU time (Linux /proc/thread-self), which only grows.
    const cpu = await p.cpuMs();
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(await p.cpuMs()).toBeGreaterThanOrEqual(cpu!);
  });

  it('leaves the writer to write the replies itself: every caller still gets its bytes', async () => {
    const p = pool();
    const w = new ReceiptWriter(p, ORIGIN, LOG_KEY);
    const replies = materialize([{ shape: 'batch', checkpoint: 'c\n1\nAAAA\n\n— s\n', items: Array.from({ length: MIN_POOL_ITEMS * 4 }, (_, i) => ({ entry: new Uint8Array([i + 1]), leafIndex: i, proofLength: 5 })) }]);
    const asked = w.batch(replies[0]!.checkpoint, replies[0]!.items);
    await (p as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!.worker.terminate();
    expect(new TextDecoder().decode(await asked)).toBe(expected(replies)[0]);
    expect(w.stats.pooled + w.stats.fallbacks).toBe(1);
  });

  it('refuses jobs after close with WORKER_CLOSED', async () => {
    const p = new WorkerPool(SCRIPT, 1);
    await p.close();
    await expect(p.run({ kind: 'receipts', payload: {} })).rejects.toMatchObject({ code: 'WORKER_CLOSED' });
    expect(() => new WorkerPool(SCRIPT, 0)).toThrow(expect.objectContaining({ code: 'WORKER_BAD_POOL' }));
  });
});

describe('through the service, with two workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-workers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a group of single deposits and batches with receipts that verify, written on the pool', async () => {
    const ctx = await openService({ dataDir: dir, origin: ORIGIN, adminToken: 'workers-admin-token-0123456789abcdef', workers: 2 });
    try {
      const { tenant } = await ctx.tenants.create({ name: 'Workers Co.', uscc: completeUscc('91430100MA4L16JJ') });
      const shas = Array.from({ length: 400 }, () => toHex(randomBytes(32)));
      const singles = await Promise.all(shas.slice(0, 100).map((sha256) => ctx.deposits.depositReply(tenant, { sha256 })));
      const batches = await Promise.all([0, 1, 2].map((b) => ctx.deposits.depositBatchReply(tenant, shas.slice(100 + 100 * b, 200 + 100 * b).map((sha256) => ({ sha256 })))));
      const receipts = [
        ...singles.map((r) => JSON.parse(new TextDecoder().decode(r.json)) as Receipt),
        ...batches.flatMap((r) => (JSON.parse(new TextDecoder().decode(r.json)) as { receipts: Receipt[]; created: boolean[] }).receipts),
      ];
      expect([...singles, ...batches].every((r) => r.created)).toBe(true);
      expect(new Set(receipts.map((r) => r.index)).size).toBe(400);
      for (const r of receipts) await verifyReceipt(r, [ctx.ledger.verifierKey]);
      expect(ctx.deposits.replies.stats.pooled).toBeGreaterThan(0);
      // A repeat is the original, answered from the main thread with created false.
      const again = await ctx.deposits.depositBatchReply(tenant, shas.slice(100, 120).map((sha256) => ({ sha256 })));
      const body = JSON.parse(new TextDecoder().decode(again.json)) as { receipts: Receipt[]; created: boolean[] };
      expect(again.created).toBe(false);
      expect(body.created.every((c) => !c)).toBe(true);
      expect(body.receipts.map((r) => r.id)).toEqual(receipts.slice(100, 120).map((r) => r.id));
    } finally {
      await closeService(ctx);
    }
  });
});

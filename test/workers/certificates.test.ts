/**
 * Certificates on worker threads (src/workers/certificates.ts): every PDF is byte for byte the one
 * makeCertificate makes on the main thread, results come in input order whatever fails, a receipt that gets
 * no certificate fails with makeCertificate's own code, and a worker killed mid-run fails only the job it
 * was running.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCertificate, type MakeCertificateOptions } from '../../src/certificate/index.js';
import { CunzhengError } from '../../src/errors.js';
import { makeCertificatesParallel, type CertificateItem, type CertificateResult } from '../../src/workers/certificates.js';
import { WorkerPool, workerScript, type PoolJob } from '../../src/workers/pool.js';

const RECEIPTS = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin', 'battery-formula-v1.txt.at-size-1'].map((n) => new Uint8Array(readFileSync(`fixtures/receipts/${n}.receipt.json`)));
const OPTIONS: MakeCertificateOptions[] = [{}, { lang: 'en' }, { checkedFile: '配方.docx' }, { lang: 'en', verifierUrl: 'https://court.example/verify' }];

/** A receipt changed after it was signed: no certificate (CERTIFICATE_RECEIPT_INVALID). */
function tampered(r: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(r);
  return new TextEncoder().encode(text.replace(/"index":\s*(\d+)/, (_m, n: string) => `"index":${Number(n) + 1}`));
}

/** Items with failures mixed in: garbage, a tampered receipt, digests that are not the document's. */
function mixed(n: number): CertificateItem[] {
  return Array.from({ length: n }, (_, i): CertificateItem => {
    const receipt = RECEIPTS[i % RECEIPTS.length]!;
    if (i % 7 === 3) return { receipt: new TextEncoder().encode(`not a receipt ${i}`) };
    if (i % 7 === 5) return { receipt: tampered(receipt), options: { lang: 'en' } };
    if (i % 11 === 9) return { receipt, options: { checkedFile: 'x.txt', digests: { sha256: '00'.repeat(32) } } };
    return { receipt, options: OPTIONS[i % OPTIONS.length]! };
  });
}

/** What makeCertificate on this thread gives for each item. */
async function sequential(items: readonly CertificateItem[]): Promise<CertificateResult[]> {
  const out: CertificateResult[] = [];
  for (const [index, it] of items.entries()) {
    try {
      const { pdf, id } = await makeCertificate(it.receipt, it.options);
      out.push({ index, ok: true, pdf: new Uint8Array(pdf), id });
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      out.push({ index, ok: false, code: e.code, message: e.message });
    }
  }
  return out;
}

/** The results, each worker's digests checked against node:crypto's of the PDF and then set aside for comparing. */
async function collect(results: AsyncIterable<CertificateResult>): Promise<CertificateResult[]> {
  const out: CertificateResult[] = [];
  for await (const r of results) {
    if (!r.ok) {
      out.push(r);
      continue;
    }
    const { digests, ...rest } = r;
    if (digests !== undefined) expect(digests).toEqual({ sha256: createHash('sha256').update(r.pdf).digest('hex'), sm3: createHash('sm3').update(r.pdf).digest('hex') });
    out.push({ ...rest, pdf: new Uint8Array(r.pdf) });
  }
  return out;
}

const pools: WorkerPool[] = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

describe('makeCertificatesParallel', () => {
  const items = mixed(16);
  let want: CertificateResult[];

  it('makes on two worker threads, in input order, exactly the bytes makeCertificate makes, failures included', async () => {
    want = await sequential(items);
    const codes = new Set(want.filter((r) => !r.ok).map((r) => (r as { code: string }).code));
    expect([...codes].sort()).toEqual(['CERTIFICATE_DOCUMENT_MISMATCH', 'CERTIFICATE_RECEIPT_INVALID']);
    expect(want.filter((r) => r.ok).length).toBeGreaterThan(8);
    const copies = items.map((it) => new Uint8Array(it.receipt));
    const got = await collect(makeCertificatesParallel(items, { threads: 2, window: 3 }));
    expect(got.map((r) => r.index)).toEqual(items.map((_, i) => i));
    expect(got).toEqual(want);
    // The caller's receipts were copied for the workers, not detached.
    expect(items.map((it) => it.receipt)).toEqual(copies);
  }, 120_000);

  it('gives the same results on one thread (inline), from an async iterable', async () => {
    async function* gen(): AsyncIterable<CertificateItem> {
      for (const it of items) yield it;
    }
    expect(await collect(makeCertificatesParallel(gen(), { threads: 1 }))).toEqual(want);
    // Tiny arrays run inline too.
    expect(await collect(makeCertificatesParallel(items.slice(0, 3)))).toEqual(want.slice(0, 3));
  }, 120_000);

  it('fails only the job of a worker killed mid-run, and the pool replaces it', async () => {
    const pool = new WorkerPool(workerScript(), 2);
    pools.push(pool);
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> }; inflight: Map<number, unknown> }[] }).slots;
    // With a window as large as the pool, each worker runs at most one job; the 5th job's worker is ended
    // as soon as the job is posted.
    let posted = 0;
    let killed = false;
    const run = pool.run.bind(pool);
    pool.run = <T>(job: PoolJob): Promise<T> => {
      const p = run<T>(job);
      if (++posted === 5) {
        const slot = slots.find((s) => s.inflight.size > 0 && Math.max(...s.inflight.keys()) === Math.max(...slots.flatMap((x) => [...x.inflight.keys()])))!;
        expect(slot.inflight.size).toBe(1);
        void slot.worker.terminate().then(() => (killed = true));
      }
      return p;
    };
    const good = items.filter((_, i) => want[i]!.ok).slice(0, 8);
    const expected = want.filter((r) => r.ok).slice(0, 8).map((r, index) => ({ ...r, index }));
    const got = await collect(makeCertificatesParallel(good, { pool, window: 2 }));
    expect(killed).toBe(true);
    expect(got.map((r) => r.index)).toEqual(good.map((_, i) => i));
    const failed = got.filter((r) => !r.ok);
    expect(failed).toEqual([expect.objectContaining({ index: 4, ok: false, code: 'WORKER_FAILED' })]);
    got.forEach((r, i) => {
      if (i !== 4) expect(r).toEqual(expected[i]);
    });
    expect(pool.stats.failures).toBe(1);
    // The replacement worker makes certificates.
    expect(await collect(makeCertificatesParallel(good.slice(0, 2), { pool }))).toEqual(expected.slice(0, 2));
  }, 120_000);

  it('reads its input lazily within the window and ends its workers when the caller stops early', async () => {
    let pulled = 0;
    function* endless(): Iterable<CertificateItem> {
      for (;;) yield { receipt: RECEIPTS[pulled++ % RECEIPTS.length]! };
    }
    let seen = 0;
    for await (const r of makeCertificatesParallel(endless(), { threads: 2, window: 4 })) {
      expect(r).toMatchObject({ index: seen, ok: true });
      expect(pulled).toBeLessThanOrEqual(seen + 1 + 4);
      if (++seen === 6) break;
    }
    expect(seen).toBe(6);
  }, 120_000);

  it('refuses a pool of no threads', async () => {
    await expect(collect(makeCertificatesParallel(items, { threads: 0 }))).rejects.toMatchObject({ code: 'WORKER_BAD_POOL' });
  });
});

/**
 * Certificates (src/certificate/): how many 存证证书 a process makes per second from a receipt, on one
 * thread and through makeCertificatesParallel (src/workers/certificates.ts: a worker per core, results in
 * order, the window of the evidence package's command), and how many `verify cert.pdf` checks (the attached
 * receipt extracted, the certificate made again and compared). Beside each rate, certificates per CPU-second
 * (this process's CPU on one thread; the workers' own CPU through the pool), which a loaded machine disturbs
 * less than wall time. The receipts are the checked-in fixtures (fixtures/receipts, two pages each); the first
 * certificates of a thread also unwrap and parse the font (~0.5 s) and fill the memos, so every thread warms
 * first, as a long package does.
 *
 *   node dist/bench/certificate-main.js
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { checkCertificate, makeCertificate } from '../src/certificate/index.js';
import { makeCertificatesParallel, type CertificateItem } from '../src/workers/certificates.js';
import { WorkerPool, workerScript } from '../src/workers/pool.js';
import { measure, summarize, type BenchResult } from './harness.js';

const GROUP = 'certificate';
const ROOT = new URL('../../', import.meta.url);
const RECEIPTS = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'].map((n) => readFileSync(new URL(`fixtures/receipts/${n}.receipt.json`, ROOT)));

export interface CertificateBenchOptions {
  runs?: number;
  minMs?: number;
  /** Certificates per parallel run. */
  batch?: number;
}

const items = (n: number): CertificateItem[] => Array.from({ length: n }, (_, i) => ({ receipt: RECEIPTS[i % RECEIPTS.length]! }));

/** Certificates/s and certificates per worker CPU-second of one batch through the pool. */
async function parallelRun(pool: WorkerPool, n: number): Promise<{ rate: number; perCpu: number }> {
  const cpu0 = (await pool.cpuMs()) ?? NaN;
  const t0 = performance.now();
  let made = 0;
  for await (const r of makeCertificatesParallel(items(n), { pool })) {
    if (!r.ok) throw new Error(`certificate ${r.index}: ${r.code}`);
    made++;
  }
  const ms = performance.now() - t0;
  const cpu = ((await pool.cpuMs()) ?? NaN) - cpu0;
  return { rate: (made * 1000) / ms, perCpu: (made * 1000) / cpu };
}

export async function benchCertificate(options: CertificateBenchOptions = {}): Promise<BenchResult[]> {
  const runs = options.runs ?? 5;
  const minMs = options.minMs ?? 2000;
  const batch = options.batch ?? 600;
  // The font is unwrapped and parsed once per process, and the memos fill: warm for 3 s first.
  let i = 0;
  for (const end = performance.now() + 3000; performance.now() < end;) {
    await makeCertificate(RECEIPTS[i % RECEIPTS.length]!);
    await makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!, { lang: 'en' });
  }
  const one = await measure(GROUP, 'certificates, one thread (zh, 2 pages)', () => makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!), 1, { runs, minMs, unit: 'certificates/s' });
  const perCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const n = 100;
    for (let k = 0; k < n; k++) await makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!);
    const c = process.cpuUsage(c0);
    perCpu.push((n * 1e6) / (c.user + c.system));
  }
  const oneCpu = summarize(GROUP, 'certificates per CPU-second, one thread (zh; the process\'s CPU, GC included)', perCpu, 'certificates/CPU-s');
  const en = await measure(GROUP, 'certificates, one thread (en)', () => makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!, { lang: 'en' }), 1, { runs, minMs, unit: 'certificates/s' });
  const pdfs = await Promise.all(RECEIPTS.map(async (r) => (await makeCertificate(r)).pdf));
  const check = await measure(GROUP, 'verify cert.pdf: extract, make again, compare', () => checkCertificate(pdfs[i++ % pdfs.length]!), 1, { runs, minMs, unit: 'checks/s' });

  const threads = cpus().length;
  const pool = new WorkerPool(workerScript(), threads);
  try {
    await parallelRun(pool, 40 * threads); // each worker loads pdfkit and the font, and fills its memos
    await parallelRun(pool, 40 * threads);
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { rate, perCpu: c } = await parallelRun(pool, batch);
      rates.push(rate);
      cpuRates.push(c);
    }
    const multi = summarize(GROUP, `makeCertificatesParallel, ${threads} worker threads (zh, ${batch} per run, in order)`, rates, 'certificates/s', `10,000 receipts ≈ ${Math.round(10_000 / [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]!)} s; target ≥ 167/s (< 60 s)`);
    const multiCpu = summarize(GROUP, `makeCertificatesParallel, per worker CPU-second (${threads} workers)`, cpuRates, 'certificates/CPU-s');
    return [one, oneCpu, en, check, multi, multiCpu];
  } finally {
    await pool.close();
  }
}

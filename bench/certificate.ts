/**
 * Certificates (src/certificate/): how many 存证证书 a process makes per second from a receipt, on one
 * thread and on one worker thread per core, and how many `verify cert.pdf` checks (the attached receipt
 * extracted, the certificate made again and compared). The receipts are the checked-in fixtures
 * (fixtures/receipts, two pages each); the first certificates of a process also unwrap and parse the font
 * (~0.5 s) and fill the shaping memo, so every thread warms for 3 s before it is timed, as a server does once.
 *
 *   node dist/bench/certificate-main.js
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkCertificate, makeCertificate } from '../src/certificate/index.js';
import { measure, summarize, type BenchResult } from './harness.js';

const GROUP = 'certificate';
const ROOT = new URL('../../', import.meta.url);
const RECEIPTS = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'].map((n) => readFileSync(new URL(`fixtures/receipts/${n}.receipt.json`, ROOT)));

export interface CertificateBenchOptions {
  runs?: number;
  minMs?: number;
}

/** Certificates/s of `threads` workers together, each making certificates for `ms`. */
async function parallel(threads: number, ms: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./certificate-worker.js', import.meta.url), { workerData: { ms } }));
  const counts = await Promise.all(workers.map((w) => new Promise<{ made: number; elapsed: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  })));
  await Promise.all(workers.map((w) => w.terminate()));
  return counts.reduce((sum, c) => sum + (c.made * 1000) / c.elapsed, 0);
}

export async function benchCertificate(options: CertificateBenchOptions = {}): Promise<BenchResult[]> {
  const runs = options.runs ?? 5;
  const minMs = options.minMs ?? 2000;
  // The font is unwrapped and parsed once per process, and the shaping memo fills: warm for 3 s first.
  let i = 0;
  for (const end = performance.now() + 3000; performance.now() < end;) {
    await makeCertificate(RECEIPTS[i % RECEIPTS.length]!);
    await makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!, { lang: 'en' });
  }
  const one = await measure(GROUP, 'certificates, one thread (zh, 2 pages)', () => makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!), 1, { runs, minMs, unit: 'certificates/s' });
  const en = await measure(GROUP, 'certificates, one thread (en)', () => makeCertificate(RECEIPTS[i++ % RECEIPTS.length]!, { lang: 'en' }), 1, { runs, minMs, unit: 'certificates/s' });
  const pdfs = await Promise.all(RECEIPTS.map(async (r) => (await makeCertificate(r)).pdf));
  const check = await measure(GROUP, 'verify cert.pdf: extract, make again, compare', () => checkCertificate(pdfs[i++ % pdfs.length]!), 1, { runs, minMs, unit: 'checks/s' });
  const threads = cpus().length;
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await parallel(threads, minMs));
  const multi = summarize(GROUP, `certificates, ${threads} worker threads (one per core)`, rates, 'certificates/s', 'target ≥ 50/s');
  return [one, en, check, multi];
}

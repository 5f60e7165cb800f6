/** A worker of the certificate bench: makes certificates of the fixture receipts for `ms`, then reports. */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { makeCertificate } from '../src/certificate/index.js';

const ROOT = new URL('../../', import.meta.url);
const receipts = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'].map((n) => readFileSync(new URL(`fixtures/receipts/${n}.receipt.json`, ROOT)));
const { ms } = workerData as { ms: number };
let made = 0;
for (const end = performance.now() + 3000; performance.now() < end;) {
  await makeCertificate(receipts[made % receipts.length]!);
  await makeCertificate(receipts[made++ % receipts.length]!, { lang: 'en' });
}
made = 0;
const start = performance.now();
while (performance.now() - start < ms) await makeCertificate(receipts[made++ % receipts.length]!);
parentPort!.postMessage({ made, elapsed: performance.now() - start });

/**
 * Hashing a large file in the browser verifier (headless Debian Chromium, the built dist/web/verifier.html from
 * file://, the document chosen in the page: SHA-256 and SM3 in its Web Workers) against the CLI's hashing of
 * the same file (cli/local/hash-file.ts: one streaming pass on node:crypto, one thread), in MB/s, with the
 * peak resident memory of all Chromium processes (sampled every 100 ms from /proc) and the page's peak JS heap.
 * Each run times the CLI and then the page back to back (the load average before it is printed: the machine is
 * shared). Not part of the test suite.
 *
 *   npx tsc -p tsconfig.json && node web/build.mjs && node dist/bench/browser-hash.js [--mib 1024] [--runs 3]
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { hashFile } from '../cli/local/hash-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mibArg = process.argv.indexOf('--mib');
const MIB = mibArg >= 0 ? Number(process.argv[mibArg + 1]) : 1024;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Resident memory (bytes) of this process's descendants: the Chromium processes. */
function chromiumRss(): number {
  const pid = process.pid;
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      rss.set(Number(d), m === null ? 0 : Number(m[1]) * 1024);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone
    }
  }
  let total = -(rss.get(pid) ?? 0);
  const walk = (p: number): void => {
    total += rss.get(p) ?? 0;
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-browser-hash-'));
  const file = join(dir, 'big.bin');
  const fd = openSync(file, 'w');
  const block = new Uint8Array(8 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  for (let i = 0; i < MIB / 8; i++) {
    block[0] = i;
    writeSync(fd, block);
  }
  closeSync(fd);
  const bytes = MIB * 1024 * 1024;
  const mbs = (ms: number): number => Math.round(bytes / 1e6 / (ms / 1000));
  try {
    // Warm the page cache for both readers alike.
    await hashFile(file);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(pathToFileURL(join(root, 'dist/web/verifier.html')).href);
    await page.setInputFiles('#receipts', join(root, 'fixtures/receipts/empty.bin.receipt.json'));
    await page.locator('#receipt-list li').first().waitFor();
    await page.fill('#keys', readFileSync(join(root, 'fixtures/log.vkey'), 'utf8').trim());
    await page.setInputFiles('#documents', file);
    const runs = [];
    // Each run: the CLI, then the page, back to back, so that both meet about the same load on a shared machine.
    for (let run = 0; run < RUNS; run++) {
      const load = loadavg()[0]!.toFixed(1);
      let t = performance.now();
      const cli = await hashFile(file);
      const cliMs = performance.now() - t;
      const baseRss = chromiumRss();
      let peakRss = baseRss;
      let peakHeap = 0;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, chromiumRss());
        void cdp.send('Performance.getMetrics').then((m) => {
          const h = m.metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
          peakHeap = Math.max(peakHeap, h);
        }, () => undefined);
      }, 100);
      await page.locator('#results').evaluate((el) => el.removeAttribute('data-state'));
      t = performance.now();
      await page.click('#verify');
      await page.waitForSelector('#results[data-state="done"]', { state: 'attached', timeout: 600_000 });
      const webMs = performance.now() - t;
      clearInterval(sampler);
      // The one document was compared with the one receipt: it does not match (it is not empty.bin), which
      // shows the digests were computed.
      const code = await page.getAttribute('article.result', 'data-code');
      const engine = await page.getAttribute('#results', 'data-hash-engine');
      runs.push({
        loadBefore: load,
        cli: { mbPerS: mbs(cliMs), seconds: +(cliMs / 1000).toFixed(2), sha256: cli.sha256.slice(0, 16) },
        browser: { mbPerS: mbs(webMs), seconds: +(webMs / 1000).toFixed(2), verdictCode: code, engine },
        ratio: +(cliMs / webMs).toFixed(2),
        chromiumRssMiB: { before: Math.round(baseRss / 1048576), growth: Math.round((peakRss - baseRss) / 1048576) },
        pageJsHeapPeakMiB: Math.round(peakHeap / 1048576),
      });
    }
    await browser.close();
    console.log(JSON.stringify({ machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared`, fileMiB: MIB, runs }, null, 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

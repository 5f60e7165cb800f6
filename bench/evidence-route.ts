/**
 * POST /v1/evidence against the deposit path: a listening service with a worker pool, N documents deposited,
 * then single deposits one after the other (POST /v1/deposits over HTTP) for a few seconds alone, and again
 * while a package of all N documents is made and read; their latency (p50, p99, max) in both, the package's
 * time, size and exhibits, and the process's peak RSS (the package is streamed, never held). Not in
 * `npm run bench` (a minute or more):
 *
 *   npx tsc -p . && node web/build.mjs && node dist/bench/evidence-route.js [documents=200] [workers=1]
 */
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/http/app.js';
import { closeService, openService } from '../src/service/open.js';
import { completeUscc } from '../src/entry/index.js';
import { sha256, sm3, toHex, utf8 } from '../src/crypto/index.js';

const ADMIN = 'bench-evidence-admin-token-0123456789abcdef';
const documents = Number(process.argv[2] ?? 200);
const workers = Number(process.argv[3] ?? 1);

function post(base: string, path: string, key: string, body: unknown, sink?: (n: number) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => (sink === undefined ? chunks.push(c) : sink(c.length)));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const digest = (label: string): { sha256: string; sm3: string } => {
  const d = utf8(label);
  return { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)) };
};

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): string => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(1);
  return `${s.length} deposits | p50 ${q(0.5)} ms | p99 ${q(0.99)} ms | max ${(s[s.length - 1] ?? NaN).toFixed(1)} ms`;
}

async function depositsWhile(base: string, key: string, until: () => boolean, label: string): Promise<number[]> {
  const ms: number[] = [];
  let i = 0;
  while (!until()) {
    const t0 = performance.now();
    const r = await post(base, '/v1/deposits', key, digest(`${label} ${i++} ${Math.random()}`));
    if (r.status !== 201) throw new Error(`deposit: ${r.status} ${r.text}`);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-evidence-'));
const ctx = await openService({ dataDir: dir, origin: 'bench.example/cunzheng', adminToken: ADMIN, workers });
const app = await buildApp(ctx, { docs: false });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
try {
  const t = await post(base, '/v1/admin/tenants', ADMIN, { name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') });
  const key = (JSON.parse(t.text) as { apiKey: string }).apiKey;
  const batch = await post(base, '/v1/deposits', key, { items: Array.from({ length: documents }, (_, i) => ({ ...digest(`document ${i}`), meta: { title: `文件 ${i}` } })) });
  const ids = (JSON.parse(batch.text) as { receipts: { id: string }[] }).receipts.map((r) => r.id);
  process.stderr.write(`${documents} documents deposited; ${workers} worker(s)\n`);
  await depositsWhile(base, key, ((end) => () => performance.now() > end)(performance.now() + 1000), 'warm');
  const alone = await depositsWhile(base, key, ((end) => () => performance.now() > end)(performance.now() + 5000), 'alone');
  console.log(`| deposits alone (5 s) | ${stats(alone)} |`);
  // Twice: the first package of a process also parses the certificate font on the main thread (the 证据目录).
  for (const round of ['first', 'second']) {
    let done = false;
    let bytes = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const pkg = post(base, '/v1/evidence', key, { ids, title: '基准' }, (n) => (bytes += n)).finally(() => (done = true));
    const during = await depositsWhile(base, key, () => done, 'during');
    const answer = await pkg;
    const packageMs = performance.now() - t0;
    clearInterval(sampler);
    loop.disable();
    if (answer.status !== 200) throw new Error(`evidence: ${answer.status} ${answer.text}`);
    console.log(`| deposits while a ${round} package of ${documents} exhibits is made | ${stats(during)} |`);
    console.log(`| the ${round} package | ${(packageMs / 1000).toFixed(1)} s, ${(bytes / 1e6).toFixed(1)} MB, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; main-thread event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms |`);
  }
} finally {
  await app.close();
  await closeService(ctx);
  rmSync(dir, { recursive: true, force: true });
}

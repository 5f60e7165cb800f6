/**
 * The evidence package (src/evidence/): how long `buildEvidencePackage` takes for a package of N receipts
 * (10,000 in the full run, 300 at the ci scale), and its size. The receipts are real and distinct: N deposits
 * made in batches on an in-process service, each refreshed receipt formatted as `cunzheng deposit` writes it;
 * the package is made exactly as `cunzheng evidence` makes it after gathering (certificates on one worker
 * thread per core with makeCertificatesParallel, the exhibit list, the manifest, the roots deposited on that
 * service), streamed into a file. Gathering over HTTP (history pages, proofs) is not in the figure.
 *
 *   node dist/bench/evidence-main.js [receipts]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { buildApp } from '../src/http/app.js';
import { closeService, openService } from '../src/service/open.js';
import { completeUscc } from '../src/entry/index.js';
import { sha256, sm3, toHex, utf8 } from '../src/crypto/index.js';
import { formatReceipt, type Receipt } from '../src/receipt/index.js';
import { buildEvidencePackage } from '../src/evidence/index.js';
import { makeCertificatesParallel } from '../src/workers/certificates.js';
import { summarize, type BenchResult } from './harness.js';

const GROUP = 'evidence';
const ADMIN = 'bench-evidence-admin-token-0123456789abcdef';

export interface EvidenceBenchOptions {
  receipts?: number;
  runs?: number;
}

export async function benchEvidence(options: EvidenceBenchOptions = {}): Promise<BenchResult[]> {
  const n = options.receipts ?? 10_000;
  const runs = options.runs ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-evidence-'));
  const ctx = await openService({ dataDir: join(dir, 'data'), origin: 'bench.example/evidence', adminToken: ADMIN, tsaUrls: [], tsaRoots: [], anchorIntervalMs: 3_600_000 });
  const app = await buildApp(ctx, { docs: false });
  try {
    const t = await app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') } });
    const auth = { authorization: `Bearer ${(t.json() as { apiKey: string }).apiKey}` };
    const receipts: Uint8Array[] = [];
    for (let at = 0; at < n; at += 1000) {
      const items = Array.from({ length: Math.min(1000, n - at) }, (_, i) => {
        const d = utf8(`bench document ${at + i}\n`);
        return { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)), size: d.length, meta: { title: `配方文件 ${at + i}`, level: '核心商密' } };
      });
      const res = await app.inject({ method: 'POST', url: '/v1/deposits', headers: auth, payload: { items } });
      for (const r of (res.json() as { receipts: Receipt[] }).receipts) receipts.push(utf8(formatReceipt(r)));
    }
    // Refreshed to the newest checkpoint, as the history answers them.
    const checkpoint = (await app.inject({ method: 'GET', url: '/checkpoint' })).body;
    const treeSize = Number(checkpoint.split('\n')[1]);
    const refreshed: Uint8Array[] = [];
    for (const r of receipts) {
      const id = (JSON.parse(new TextDecoder().decode(r)) as { id: string }).id;
      refreshed.push(utf8(formatReceipt((await app.inject({ method: 'GET', url: `/v1/deposits/${id}`, headers: auth })).json() as Receipt)));
    }
    const log = (await app.inject({ method: 'GET', url: '/v1/log' })).json() as { key: string };
    const seconds: number[] = [];
    let bytes = 0;
    // The resident set while the package is made: the package itself must never be held (a window of it is).
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    for (let run = 0; run < runs; run++) {
      const out = join(dir, `case-${run}.zip`);
      const t0 = performance.now();
      const { stream, result } = buildEvidencePackage({
        title: `（2026）湘01民初${run}号`, lang: 'zh', receipts: refreshed, checkpoint, consistency: { treeSize, proofs: new Map([[treeSize, []]]) },
        verifierKeys: [log.key], keysFromLog: false,
        certificates: (items) => makeCertificatesParallel(items, { threads: cpus().length }),
        async deposit(item) {
          return new Uint8Array((await app.inject({ method: 'POST', url: '/v1/deposits', headers: auth, payload: item })).rawPayload);
        },
      });
      await pipeline(stream, createWriteStream(out));
      await result;
      seconds.push((performance.now() - t0) / 1000);
      bytes = statSync(out).size;
      rmSync(out);
    }
    clearInterval(sampler);
    const median = [...seconds].sort((a, b) => a - b)[seconds.length >> 1]!;
    return [summarize(GROUP, `package of ${n.toLocaleString('en')} receipts (certificates on ${cpus().length} threads, exhibit list, manifest, deposit)`, seconds.map((s) => n / s), 'receipts/s',
      `${median.toFixed(1)} s a package, ${(bytes / 1e6).toFixed(1)} MB, peak RSS ${(peak / 1e6).toFixed(0)} MB; goal: 10,000 receipts in < 60 s`)];
  } finally {
    await app.close();
    await closeService(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

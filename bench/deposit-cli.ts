/**
 * An enterprise depositing a folder end to end: `cunzheng deposit` (a child process, as a user runs it)
 * against `cunzheng serve` (another child) on loopback: 10,000 small files hashed locally and deposited in
 * batches, receipts written beside them. Target: under 10 s. Each run uses a fresh folder of new files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, summarize, type BenchResult } from './harness.js';
import { completeUscc } from '../src/entry/index.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export async function benchDepositCli(opts: { files?: number; runs?: number } = {}): Promise<BenchResult[]> {
  const files = opts.files ?? 10_000;
  const runs = opts.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-deposit-'));
  const admin = `bench-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const server = spawn(process.execPath, ['--max-semi-space-size=64', CLI, 'serve', '--data', join(dir, 'data'), '--port', String(port), '--admin-token', admin, '--log-level', 'warn'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        if (i > 300) throw new Error('the server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const t = await fetch(`${url}/v1/admin/tenants`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '基准测试有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
    });
    const apiKey = ((await t.json()) as { apiKey: string }).apiKey;
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const folder = join(dir, `run-${r}`);
      for (let d = 0; d < 100; d++) {
        mkdirSync(join(folder, `dir-${d}`), { recursive: true });
        for (let f = 0; f < files / 100; f++) writeFileSync(join(folder, `dir-${d}`, `file-${f}.txt`), randomBytes(1024 + ((d * 131 + f * 17) % 7168)));
      }
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [CLI, 'deposit', folder, '--json'], {
        env: { PATH: process.env.PATH ?? '', CUNZHENG_URL: url, CUNZHENG_API_KEY: apiKey }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
      });
      seconds.push((performance.now() - t0) / 1000);
      const out = JSON.parse(res.stdout) as { deposited: number; failed: number };
      if (res.status !== 0 || out.deposited !== files) throw new Error(`deposit run ${r} failed: exit ${res.status}, ${res.stderr.slice(0, 500)}`);
      rmSync(folder, { recursive: true, force: true });
    }
    return [
      summarize('cli', `cunzheng deposit: ${files} small files (1–8 KiB), hashed, deposited, receipts written`, seconds, 's (wall)', 'target < 10 s'),
      summarize('cli', 'the same, as files per second', seconds.map((s) => files / s), 'files/s'),
    ];
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

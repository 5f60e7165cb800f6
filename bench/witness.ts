/**
 * Witnesses: what cosigning costs the log. Real processes on loopback: three `cunzheng witness serve`, a
 * `cunzheng serve --witness-policy` (2 of 3) and a plain `cunzheng serve` beside it, the load generator in
 * this process.
 *
 *   - cosigning lag: one deposit, then GET /v1/deposits/<id> every 10 ms until its receipt's checkpoint carries
 *     ≥ 2 cosignatures that verify under the policy (≥ 20 rounds, a random pause between them so the rounds
 *     fall anywhere in the witnesser's 1 s period); beside it the witnesser's own run time
 *     (cunzheng_witness_run_seconds: the three add-checkpoint exchanges and the synced writes), and the same
 *     GET on the plain log, whose receipt is final at once;
 *   - single deposits/s at 50 connections on each log, alternating runs (witnessing runs every second on the
 *     witnessed one meanwhile: the deposit path awaits none of it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, summarize, type BenchResult } from './harness.js';
import { completeUscc } from '../src/entry/index.js';
import { loadOrCreateLogKey } from '../src/ledger/index.js';
import { openCheckpoint } from '../src/checkpoint/index.js';
import { parsePolicy, policyVerifiers } from '../src/policy/index.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const ORIGIN = 'bench.example/witnessed';
const VKEY = /([^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{40,}={0,2})/;

interface LoadResult { requests: { total: number }; duration: number; errors: number; non2xx: number; latency: { p99: number } }
type Autocannon = (o: object) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function log(m: string): void {
  process.stderr.write(`[bench witness] ${m}\n`);
}

interface Proc { child: ChildProcess; out: string }

function start(args: string[]): Proc {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const p: Proc = { child, out: '' };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

async function until<T>(what: string, p: Proc, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`${what} exited ${p.child.exitCode}: ${p.out.slice(-1500)}`);
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (performance.now() - t0 > ms) throw new Error(`${what} did not come up: ${p.out.slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

async function tenant(url: string, admin: string): Promise<string> {
  const t = await fetch(`${url}/v1/admin/tenants`, {
    method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '见证基准有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
  });
  return ((await t.json()) as { apiKey: string }).apiKey;
}

function digest(): string {
  return randomBytes(32).toString('hex');
}

async function deposit(url: string, apiKey: string): Promise<string> {
  const r = await fetch(`${url}/v1/deposits`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sha256: digest() }) });
  if (r.status !== 201) throw new Error(`deposit answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

async function depositsPerSecond(url: string, apiKey: string, seconds: number): Promise<number> {
  const prefix = randomBytes(8).toString('hex');
  let n = 0;
  const r = await autocannon({
    url, connections: 50, duration: seconds, timeout: 30,
    requests: [{
      method: 'POST', path: '/v1/deposits', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      setupRequest: (req: object) => ({ ...req, body: `{"sha256":"${prefix}${(n++).toString(16).padStart(48, '0')}"}` }),
    }],
  });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`deposit load: ${r.errors} errors, ${r.non2xx} non-2xx`);
  return r.requests.total / r.duration;
}

export async function benchWitness(opts: { rounds?: number; seconds?: number; runs?: number } = {}): Promise<BenchResult[]> {
  const rounds = opts.rounds ?? 25;
  const seconds = opts.seconds ?? 10;
  const runs = opts.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-witness-'));
  const procs: Proc[] = [];
  try {
    const logData = join(dir, 'log');
    mkdirSync(logData, { mode: 0o700 });
    const logKey = (await loadOrCreateLogKey(join(logData, 'log.key'), ORIGIN)).verifierKey;
    const witnesses: { name: string; url: string; vkey: string }[] = [];
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const name = `w${i}.bench.example/witness`;
      // Each a real `cunzheng witness serve`: LevelDB state, a synced write before every 200.
      const p = start(['witness', 'serve', '--data', join(dir, `w${i}`), '--name', name, '--log', logKey, '--port', String(port), '--log-level', 'warn']);
      procs.push(p);
      const vkey = await until(`witness ${i}`, p, async () => VKEY.exec(p.out.split('\n').find((l) => l.includes(`${name}+`)) ?? '')?.[1]);
      witnesses.push({ name, url: `http://127.0.0.1:${port}`, vkey });
    }
    const policyFile = join(dir, 'policy.txt');
    const policyText = [`log ${logKey}`, ...witnesses.map((w) => `witness ${w.name} ${w.vkey} ${w.url}`), `group g 2 ${witnesses.map((w) => w.name).join(' ')}`, 'quorum g', ''].join('\n');
    writeFileSync(policyFile, policyText);
    const verifiers = policyVerifiers(parsePolicy(policyText));
    const admin = `bench-${randomBytes(16).toString("hex")}`;
    const logs: Record<'with' | 'without', { url: string; apiKey: string }> = {} as never;
    for (const which of ['with', 'without'] as const) {
      const port = await freePort();
      const data = which === 'with' ? logData : join(dir, 'plain');
      const p = start(['serve', '--data', data, '--port', String(port), '--admin-token', admin, '--log-level', 'warn', '--origin', ORIGIN,
        ...(which === 'with' ? ['--witness-policy', policyFile] : [])]);
      procs.push(p);
      const url = `http://127.0.0.1:${port}`;
      await until(`serve (${which})`, p, async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined));
      logs[which] = { url, apiKey: await tenant(url, admin) };
    }

    // Cosigning lag.
    const lag: number[] = [];
    const run: number[] = [];
    const plain: number[] = [];
    const { url, apiKey } = logs.with;
    for (let r = 0; r < rounds; r++) {
      await new Promise((res) => setTimeout(res, Math.random() * 700));
      const id = await deposit(url, apiKey);
      const t0 = performance.now();
      for (;;) {
        const receipt = (await (await fetch(`${url}/v1/deposits/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { checkpoint: string };
        if (openCheckpoint(receipt.checkpoint, verifiers).cosignatures.length >= 2) break;
        if (performance.now() - t0 > 30_000) throw new Error(`no cosigned receipt after 30 s: ${JSON.stringify(await (await fetch(`${url}/v1/log`)).json())}`);
        await new Promise((res) => setTimeout(res, 10));
      }
      lag.push(performance.now() - t0);
      const m = /^cunzheng_witness_run_seconds (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text());
      run.push(Number(m?.[1] ?? NaN) * 1000);
      const pid = await deposit(logs.without.url, logs.without.apiKey);
      const p0 = performance.now();
      await (await fetch(`${logs.without.url}/v1/deposits/${pid}`, { headers: { authorization: `Bearer ${logs.without.apiKey}` } })).text();
      plain.push(performance.now() - p0);
    }
    log(`lag ms: ${lag.map((x) => x.toFixed(0)).join(' ')}`);

    // Deposits per second, alternating.
    const rates: Record<'with' | 'without', number[]> = { with: [], without: [] };
    for (let r = 0; r < runs; r++) {
      for (const which of ['without', 'with'] as const) {
        const rate = await depositsPerSecond(logs[which].url, logs[which].apiKey, seconds);
        rates[which].push(rate);
        log(`single deposits @50, ${which} witnesses: ${rate.toFixed(0)}/s`);
      }
    }
    const lastLog = (await (await fetch(`${url}/v1/log`)).json()) as { treeSize: number; cosignedTreeSize: number; quorumMet: boolean };
    log(`after the load: tree ${lastLog.treeSize}, cosigned ${lastLog.cosignedTreeSize}, quorum met ${lastLog.quorumMet}`);
    return [
      summarize('witness', 'cosigning lag: deposit → receipt with ≥2 of 3 cosignatures', lag, 'ms', `${rounds} rounds; witnesses: 3 × cunzheng witness serve`),
      summarize('witness', 'witnesser run: 3 add-checkpoint + synced x W writes', run, 'ms'),
      summarize('witness', 'plain log: deposit → its receipt (final at once)', plain, 'ms'),
      summarize('witness', 'single deposits @50, without witnesses', rates.without, 'deposits/s'),
      summarize('witness', 'single deposits @50, with 3 witnesses', rates.with, 'deposits/s'),
    ];
  } finally {
    for (const p of procs.reverse()) await stop(p).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

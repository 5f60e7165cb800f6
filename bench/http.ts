/**
 * The HTTP front under load, in one run, against its ceiling:
 *
 *   this process: autocannon ──loopback──▶ child: dist/bench/http-server.js (deposit app + bare echo app)
 *
 *   1. the ceiling: a bare fastify `POST /echo` → {ok:true} in the same server process, driven by the same
 *      client with the same request (a JSON {sha256} body and a Bearer header), at 50 and 500 connections;
 *   2. single deposits `POST /v1/deposits {sha256}` at 50 and 500 connections, every digest new (a repeated
 *      digest is an idempotent 200 and would measure a lookup, not a deposit);
 *   3. batches of 1,000 digests at 8 connections;
 *   4. inclusion proofs `GET /v1/proof/inclusion` of random leaves in the prefilled log (1e6 leaves at
 *      'full'), run first so that the log holds exactly the prefilled leaves.
 *
 * Each case runs for a fixed time after one unmeasured warm-up; at 'full' three times, interleaved (echo,
 * single, echo, single, batch; again), and the tables give the median and range. Every response must carry
 * the expected status (201 for deposits, 200 otherwise): any other status, connection error or timeout fails
 * the run loudly, with one replayed request to show why. Each run also records the server's CPU and the
 * client's (% of one core) and the mean group commit, so a reader can tell which side was the bottleneck.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatRate, summarize, type BenchResult } from './harness.js';
import { spawnServer, type Server, type ServerStats } from './http-server.js';

export type HttpScale = 'ci' | 'full';

export interface HttpBenchOptions {
  scale: HttpScale;
  /** Measured runs per case (default 3 at 'full', 1 at 'ci'). */
  runs?: number;
  /** Seconds per run (default 10 at 'full', 2 at 'ci'). */
  seconds?: number;
  /** Case keys to run (echo50, single50, echo500, single500, batch, proof); default all. */
  only?: string[];
  /** Extra node arguments for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=prof']. */
  serverNodeArgs?: string[];
}

const PLANS: Record<HttpScale, { runs: number; seconds: number; warmup: number }> = {
  ci: { runs: 1, seconds: 2, warmup: 1 },
  full: { runs: 3, seconds: 10, warmup: 3 },
};
const BATCH = 1000;

// The part of autocannon 9 we use (it ships no types).
interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: LoadRequest) => LoadRequest;
}
interface LoadResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (o: { url: string; connections: number; duration: number; timeout: number; requests: LoadRequest[] }) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Case {
  key: string;
  group: string;
  name: string;
  echo: boolean;
  connections: number;
  /** Deposits per request (0: not a deposit). */
  items: number;
  expect: number;
  request: LoadRequest;
  /** Checks one answer's body once before the load starts; returns what is wrong, if anything. */
  check(body: unknown): string | undefined;
}

interface Sample {
  reqPerS: number;
  depositsPerS: number;
  p50: number;
  p99: number;
  serverCpu: number;
  /** Server CPU time per completed request, µs: the figure least moved by other load on the machine. */
  serverUs: number;
  clientCpu: number;
  group: number;
  commitMs: number;
  /** Server µs per deposit by stage (deposit cases): see stageLine. */
  stages?: Record<string, number>;
}

/**
 * Where a deposit's server CPU went, µs per deposit: main-thread stages measured in the service (entries:
 * validation and entry building; hash: leaf hashes and the tree; write: the batch handed to LevelDB;
 * proofs; receipts: built or packed on the main thread), `http` (the rest of the main thread: fastify,
 * parsing, schema validation, auth, the socket), `workers` (receipts on the pool), and `other` (the rest of
 * the process: LevelDB's threads, V8's GC helpers, libuv).
 */
function stagesOf(before: ServerStats, after: ServerStats, serverCpuUs: number, deposits: number): Record<string, number> | undefined {
  if (deposits <= 0) return undefined;
  // Stages are timed on the main thread's clock; scaled to its CPU time (they are wall time while it runs).
  const main = (after.mainCpuMs - before.mainCpuMs) * 1000;
  const busy = after.mainBusyMs - before.mainBusyMs;
  const scale = busy > 0 ? Math.min(1, (main / 1000) / busy) : 1;
  const d = (k: keyof ServerStats['stageMs']): number => (after.stageMs[k] - before.stageMs[k]) * 1000 * scale;
  const workers = (after.workersCpuMs - before.workersCpuMs) * 1000;
  const staged = d('entries') + d('hash') + d('write') + d('proofs') + d('receipts');
  const out: Record<string, number> = {
    http: main - staged, entries: d('entries'), hash: d('hash'), write: d('write'), proofs: d('proofs'), receipts: d('receipts'),
    workers, other: serverCpuUs - main - workers,
  };
  for (const k of Object.keys(out)) out[k] = out[k]! / deposits;
  return out;
}

function stageLine(st: Record<string, number> | undefined): string {
  if (st === undefined) return '';
  return ` [µs/deposit: ${Object.entries(st).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}]`;
}

function log(message: string): void {
  process.stderr.write(`[bench http] ${message}\n`);
}

/** Distinct lowercase SHA-256 hex digests: a random prefix for this run, then a counter. */
function digestSource(): () => string {
  const prefix = randomBytes(8).toString('hex');
  let n = 0;
  return () => prefix + (n++).toString(16).padStart(48, '0');
}

function makeCases(s: Server): Case[] {
  const next = digestSource();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${s.apiKey}` };
  const one = (path: string): LoadRequest => ({
    method: 'POST', path, headers,
    setupRequest: (req) => ({ ...req, body: `{"sha256":"${next()}"}` }),
  });
  const batch: LoadRequest = {
    method: 'POST', path: '/v1/deposits', headers,
    setupRequest: (req) => {
      const items = new Array<string>(BATCH);
      for (let i = 0; i < BATCH; i++) items[i] = `{"sha256":"${next()}"}`;
      return { ...req, body: `{"items":[${items.join(',')}]}` };
    },
  };
  const size = s.treeSize;
  const proof: LoadRequest = {
    method: 'GET', path: '/',
    setupRequest: (req) => ({ ...req, path: `/v1/proof/inclusion?index=${Math.floor(Math.random() * size)}&size=${size}` }),
  };
  const isObject = (b: unknown): b is Record<string, unknown> => typeof b === 'object' && b !== null;
  const echo = (c: number): Case => ({
    key: `echo${c}`, group: 'http ceiling', name: `echo @${c}`, echo: true, connections: c, items: 0, expect: 200, request: one('/echo'),
    check: (b) => (isObject(b) && b.ok === true ? undefined : 'expected {ok:true}'),
  });
  const single = (c: number): Case => ({
    key: `single${c}`, group: 'http deposit', name: `single @${c}`, echo: false, connections: c, items: 1, expect: 201, request: one('/v1/deposits'),
    check: (b) => (isObject(b) && typeof b.index === 'number' ? undefined : 'expected a receipt'),
  });
  return [
    {
      key: 'proof', group: 'http proof', name: `inclusion @50, ${sizeLabel(size)} leaves`, echo: false, connections: 50, items: 0, expect: 200, request: proof,
      check: (b) => (isObject(b) && Array.isArray(b.proof) && b.proof.length > 0 ? undefined : 'expected a non-empty proof'),
    },
    echo(50), single(50), echo(500), single(500),
    {
      key: 'batch', group: 'http deposit', name: `batch of ${BATCH} @8`, echo: false, connections: 8, items: BATCH, expect: 201, request: batch,
      check: (b) => (isObject(b) && Array.isArray(b.receipts) && b.receipts.length === BATCH ? undefined : `expected ${BATCH} receipts`),
    },
  ];
}

function sizeLabel(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) && e >= 3 ? `1e${e}` : String(n);
}

/** Sends one request of the case's shape outside the load; returns its status and parsed body. */
async function once(c: Case, s: Server): Promise<{ status: number; text: string }> {
  const req = c.request.setupRequest ? c.request.setupRequest({ ...c.request }) : c.request;
  const init: RequestInit = { method: req.method };
  if (req.headers !== undefined) init.headers = req.headers;
  if (req.body !== undefined) init.body = req.body;
  const res = await fetch(`http://127.0.0.1:${c.echo ? s.echoPort : s.port}${req.path}`, init);
  return { status: res.status, text: await res.text() };
}

async function preflight(c: Case, s: Server): Promise<void> {
  const r = await once(c, s);
  let body: unknown;
  try {
    body = JSON.parse(r.text);
  } catch {
    body = undefined;
  }
  const wrong = r.status !== c.expect ? `status ${r.status}, expected ${c.expect}` : c.check(body);
  if (wrong !== undefined) throw new Error(`[bench http] ${c.name}: the first request is wrong (${wrong}): ${r.text.slice(0, 400)}`);
}

async function serverStats(s: Server): Promise<ServerStats> {
  const res = await fetch(`http://127.0.0.1:${s.echoPort}/stats`);
  return (await res.json()) as ServerStats;
}

/** Fails loudly unless every response had the expected status and no connection failed. */
async function assertClean(c: Case, s: Server, r: LoadResult): Promise<void> {
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  const unexpected = Object.keys(statuses).filter((k) => Number(k) !== c.expect);
  if (unexpected.length === 0 && r.errors === 0 && r.timeouts === 0 && r.mismatches === 0 && r.resets === 0 && r.requests.total > 0) return;
  const replay = await once(c, s).then((x) => `${x.status} ${x.text.slice(0, 300)}`, (e: unknown) => String(e));
  throw new Error(
    `[bench http] ${c.name}: ${r.requests.total} responses by status ${JSON.stringify(statuses)} (expected only ${c.expect}), ` +
      `${r.errors} connection errors, ${r.timeouts} timeouts; a replayed request answers: ${replay}`,
  );
}

async function runOnce(c: Case, s: Server, seconds: number): Promise<Sample> {
  const before = await serverStats(s);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: `http://127.0.0.1:${c.echo ? s.echoPort : s.port}`,
    connections: c.connections,
    duration: seconds,
    timeout: 30,
    requests: [c.request],
  });
  const wallUs = (performance.now() - t0) * 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = await serverStats(s);
  await assertClean(c, s, r);
  const reqPerS = r.requests.total / r.duration;
  const groups = after.groupsCommitted - before.groupsCommitted;
  const serverCpuUs = after.cpuUserUs - before.cpuUserUs + after.cpuSystemUs - before.cpuSystemUs;
  const commits = after.commitMs.slice(-Math.min(groups, after.commitMs.length));
  const deposits = c.items > 0 ? r.requests.total * c.items : 0;
  const stages = stagesOf(before, after, serverCpuUs, deposits);
  return {
    ...(stages === undefined ? {} : { stages }),
    reqPerS,
    depositsPerS: reqPerS * c.items,
    p50: r.latency.p50,
    p99: r.latency.p99,
    serverCpu: (100 * serverCpuUs) / wallUs,
    serverUs: serverCpuUs / r.requests.total,
    clientCpu: (100 * (cpu.user + cpu.system)) / wallUs,
    group: groups > 0 ? (after.entriesCommitted - before.entriesCommitted) / groups : 0,
    commitMs: commits.length > 0 ? commits.reduce((a, b) => a + b, 0) / commits.length : 0,
  };
}

/** Server CPU per request, or per deposit for batches. */
function cpuPer(c: Case, usPerReq: number): string {
  return c.items > 1 ? `${(usPerReq / c.items).toFixed(0)} µs/deposit` : `${usPerReq.toFixed(0)} µs/req`;
}

function describe(c: Case, x: Sample): string {
  const group = c.items > 0 ? `, ${x.group.toFixed(0)} entries/group commit of ${x.commitMs.toFixed(1)} ms` : '';
  return (
    `${formatRate(x.reqPerS)} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms, ` +
    `CPU server ${x.serverCpu.toFixed(0)}% (${cpuPer(c, x.serverUs)}) client ${x.clientCpu.toFixed(0)}%${group}${stageLine(x.stages)}`
  );
}

function pairedRatios(singles: Sample[] | undefined, echoes: Sample[] | undefined): number[] {
  if (singles === undefined || echoes === undefined) return [];
  return singles.map((x, i) => x.reqPerS / echoes[i]!.reqPerS).filter((v) => Number.isFinite(v));
}

function rows(c: Case, xs: Sample[]): BenchResult[] {
  const pick = (f: (x: Sample) => number): number[] => xs.map(f);
  const med = (f: (x: Sample) => number): number => summarize('', '', pick(f), '').median;
  const group = c.items > 0 ? `; ${med((x) => x.group).toFixed(0)} entries/group commit of ${med((x) => x.commitMs).toFixed(1)} ms` : '';
  const stageKeys = Object.keys(xs[0]?.stages ?? {});
  const stages = stageKeys.length === 0 ? undefined : Object.fromEntries(stageKeys.map((k) => [k, med((x) => x.stages?.[k] ?? 0)]));
  const note = `CPU server ${med((x) => x.serverCpu).toFixed(0)}% (${cpuPer(c, med((x) => x.serverUs))}), client ${med((x) => x.clientCpu).toFixed(0)}%${group}${stageLine(stages)}`;
  const out = [summarize(c.group, c.name, pick((x) => x.reqPerS), 'req/s', note)];
  if (c.items > 0) {
    const target = c.items > 1 ? 'target ≥ 100k/s' : undefined;
    out.push(summarize(c.group, c.name, pick((x) => x.depositsPerS), 'deposits/s', target));
  }
  out.push(summarize(c.group, c.name, pick((x) => x.p50), 'ms p50'));
  out.push(summarize(c.group, c.name, pick((x) => x.p99), 'ms p99', c.key === 'single500' ? 'target ≤ 50 ms' : undefined));
  return out;
}

export async function benchHttp(opts: HttpBenchOptions): Promise<BenchResult[]> {
  const plan = PLANS[opts.scale];
  if (plan === undefined) throw new Error(`unknown scale ${JSON.stringify(opts.scale)}: use ci or full`);
  const runs = opts.runs ?? plan.runs;
  const seconds = opts.seconds ?? plan.seconds;
  const started = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'cunzheng-bench-http-'));
  let stop: (() => Promise<void>) | undefined;
  const results: BenchResult[] = [];
  try {
    log(`starting the server (${opts.scale}: prefilling the log)`);
    const spawned = await spawnServer(opts.scale, dataDir, opts.serverNodeArgs ?? []);
    stop = spawned.stop;
    const s = spawned.server;
    log(`server up: ${s.treeSize} leaves prefilled in ${(s.prefillMs / 1000).toFixed(1)} s; ${runs} run(s) of ${seconds} s per case`);
    const all = makeCases(s);
    const unknown = (opts.only ?? []).filter((k) => !all.some((c) => c.key === k));
    if (unknown.length > 0) throw new Error(`unknown case ${unknown.join(', ')}: use ${all.map((c) => c.key).join(', ')}`);
    const cases = all.filter((c) => opts.only === undefined || opts.only.includes(c.key));
    for (const c of cases) await preflight(c, s);
    const samples = new Map<string, Sample[]>();
    // Proofs first, while the log holds exactly the prefilled leaves; then the rest, interleaved run by run.
    for (const phase of [cases.filter((c) => c.key === 'proof'), cases.filter((c) => c.key !== 'proof')]) {
      for (const c of phase) {
        log(`${c.name}: warm-up ${describe(c, await runOnce(c, s, plan.warmup))}`);
      }
      for (let r = 1; r <= runs; r++) {
        for (const c of phase) {
          const x = await runOnce(c, s, seconds);
          log(`${c.name} run ${r}/${runs}: ${describe(c, x)}`);
          samples.set(c.key, [...(samples.get(c.key) ?? []), x]);
        }
      }
    }
    for (const c of cases) {
      results.push(...rows(c, samples.get(c.key)!));
      const ratios = c.items === 1 ? pairedRatios(samples.get(c.key), samples.get(`echo${c.connections}`)) : [];
      if (ratios.length > 0) results.push(summarize(c.group, c.name, ratios, '× echo', 'target ≥ 0.5'));
    }
    const end = await serverStats(s);
    log(`log at ${end.treeSize} leaves, server RSS ${(end.rssBytes / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await stop?.();
    await rm(dataDir, { recursive: true, force: true });
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return results;
}

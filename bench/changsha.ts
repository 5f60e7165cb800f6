/**
 * Changsha scale: the real service at the size of one city's trade-secret deposit programme (1.91 million
 * documents for 324 enterprises), end to end, in two processes on loopback:
 *
 *   this process (client: fetch, keep-alive)          child: node dist/bench/changsha.js serve <dataDir>
 *   1. POST /v1/admin/tenants × T          ─────────▶  openService + buildApp (logger off, docs off,
 *   2. POST /v1/deposits {items:[≤1,000]}  ─────────▶  production rate limit), 127.0.0.1:0
 *      (K requests in flight, skewed tenants)
 *   3. GET /v1/deposits/:id × V, then verifyReceipt offline against the log's verifier key
 *   4. runAudit --full: every public tile downloaded, the root recomputed
 *   5. child stopped; `du -sb` of the data dir; a full LevelDB compactRange; `du -sb` again
 *
 * The child prints one JSON line when it listens (port, admin token, verifier key) and answers the line
 * `stats` on stdin with one JSON line (its CPU time, the ledger's group commits, RSS); it closes gracefully
 * when stdin ends, so `--cpu-prof` given to it writes its profile.
 *
 * The corpus is synthetic but shaped like the real thing: enterprises registered in Hunan divisions with valid
 * unified social credit codes and Chinese company names; a Zipf (s = 1) share of the deposits per enterprise
 * (the largest holds about 1/6, the smallest a few hundred); per item a Chinese title, a level (核心商密 /
 * 普通商密), a category (技术信息 / 经营信息), labels, a file name with its extension, a version and a size, and
 * the SHA-256 and SM3 of a distinct synthetic document. Batches of one enterprise go out in a shuffled order
 * so that large and small enterprises interleave. Every answer is checked: 201, one receipt per item, all
 * created, indexes rising within a batch and, over the run, every leaf index 0…N-1 exactly once.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { hash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Level } from 'level';
import { buildApp } from '../src/http/app.js';
import { openService } from '../src/service/open.js';
import { completeUscc, USCC_CHARSET } from '../src/entry/index.js';
import { verifyReceipt, type Receipt } from '../src/receipt/index.js';
import { runAudit, type AuditResult } from '../cli/commands/audit.js';
import { benchWorkers, summarize, type BenchResult } from './harness.js';

/** The server runs with the flags `cunzheng serve` and `npm start` use (a 64 MiB young generation). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

export interface ChangshaOptions {
  /** Deposits in all (default 1,910,000). */
  deposits?: number;
  /** Enterprises (default 324). */
  tenants?: number;
  /** Receipts fetched back and verified offline (default 10,000). */
  verify?: number;
  /** Batch requests in flight (default 4: at 600k deposits, 2/3/4/6/9 in flight gave 30.3k/32.1k/31.7k/27.8k/28.3k per second). */
  inFlight?: number;
  /** Items per batch request (default 1,000). */
  batch?: number;
  /** Extra node arguments for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=prof']. */
  serverNodeArgs?: string[];
  /** Keep the data directory (its path is in the summary); by default it is removed. */
  keepData?: boolean;
  /** Seed of the synthetic corpus (default 20240601). */
  seed?: number;
}

/** What the child answers to `stats`. */
interface ServerStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  treeSize: number;
  groupsCommitted: number;
  entriesCommitted: number;
  rssBytes: number;
  /** CPU time per thread (Linux: /proc/self/task), µs, by thread id; the main thread's id is `pid`. */
  threads: Record<string, number>;
  pid: number;
}

/** Per-thread CPU time from /proc (Linux); empty elsewhere. Every thread of node is named "node", so ids it is. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[11] and [12] are utime and stime (stat fields 14 and 15), in clock ticks of 10 ms.
      out[tid] = (Number(fields[11]) + Number(fields[12])) * 10_000;
    }
  } catch {
    // not Linux
  }
  return out;
}

export interface ChangshaSummary {
  deposits: number;
  tenants: number;
  batches: number;
  inFlight: number;
  largestTenant: number;
  smallestTenant: number;
  tenantsMs: number;
  deposit: {
    wallMs: number; perSecond: number; /** Generating the request bodies, before the clock started. */ generateMs: number; batchP50Ms: number; batchP99Ms: number; batchMaxMs: number; serverCpuUsPerDeposit: number;
    /** Of the server's CPU: its main (JavaScript) thread, all other threads, and the busiest other thread (µs per deposit). */
    serverThreadsUsPerDeposit: { main: number; others: number; busiestOther: number };
    clientCpuUsPerDeposit: number; meanGroup: number; requestBytes: number; responseBytes: number };
  verify: { receipts: number; fetchMs: number; fetchP50Ms: number; fetchP99Ms: number; verifyMs: number; verifyUsPerReceipt: number };
  audit: { ms: number; tilesChecked: number; treeSize: number; rootHash: string };
  disk: { dataDir: string; kept: boolean; writtenBytes: number; compactedBytes: number; writtenAllocatedBytes: number; compactedAllocatedBytes: number; compactMs: number; bytesPerDepositWritten: number; bytesPerDepositCompacted: number };
  serverRssBytes: number;
  targets: { depositsWithin60s: boolean; bytesPerDepositAtMost512: { written: boolean; compacted: boolean }; everyReceiptVerifies: boolean };
}

export interface ChangshaReport {
  results: BenchResult[];
  summary: ChangshaSummary;
}

function log(message: string): void {
  process.stderr.write(`[bench changsha] ${message}\n`);
}

// ─── the synthetic corpus ────────────────────────────────────────────────────────────────────────────────

/** mulberry32: a small seeded generator, so that a rerun deposits the same shape of corpus. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface Industry {
  words: string[];
  products: string[];
}
const INDUSTRIES: Industry[] = [
  { words: ['重工', '智能装备', '机械'], products: ['混凝土泵车臂架', '履带起重机回转机构', '旋挖钻机动力头', '液压多路阀', '塔机变幅系统', '盾构机刀盘'] },
  { words: ['新材料', '材料科技', '粉末冶金'], products: ['高纯氧化铝粉体', '锂电正极前驱体', '碳化硅涂层', '硬质合金刀片', '特种陶瓷基板', '铜箔表面处理'] },
  { words: ['生物医药', '药业', '生物科技'], products: ['缓释片剂', '单抗纯化工艺', '中药提取物', '诊断试剂盒', '细胞培养基', '原料药结晶'] },
  { words: ['电子', '信息技术', '软件'], products: ['工业控制器固件', '北斗定位模组', '车载显示屏驱动', '功率半导体模块', '嵌入式操作系统', '视觉检测算法'] },
  { words: ['汽车零部件', '新能源科技', '动力科技'], products: ['电驱动桥总成', '电池管理系统', '热管理模块', '高压连接器', '充电桩控制板', '轮毂电机'] },
  { words: ['轨道交通装备', '电气', '交通科技'], products: ['牵引变流器', '转向架构架', '列车网络控制系统', '受电弓', '制动控制单元', '辅助供电系统'] },
  { words: ['食品', '农业科技', '茶业'], products: ['酱板鸭卤料', '剁辣椒发酵', '茶油精炼', '米粉生产线', '黑茶发花', '槟榔卤水'] },
];
const PLACES = ['长沙', '湖南', '湘江', '长沙市'];
const BRAND_A = ['华', '中', '恒', '博', '远', '瑞', '鑫', '宏', '科', '联', '正', '天', '金', '新', '卓', '汇', '智', '领', '盛', '达'];
const BRAND_B = ['信', '创', '泰', '通', '源', '德', '安', '辰', '拓', '润', '峰', '宇', '誉', '航', '晟', '邦', '驰', '锐', '致', '宸'];
const PROJECT_LETTERS = 'ABCDEFGHJKLMNPQRSTWXYZ';
const FORMS = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司'];
/** Four digits after "43" (Hunan) in GB/T 2260; Changsha's districts and counties first, as a city programme would. */
const DIVISIONS = ['0102', '0103', '0104', '0105', '0111', '0112', '0121', '0181', '0182', '0104', '0111', '0121', '0200', '0300', '0600', '0700'];

interface DocType {
  name: string;
  category: '技术信息' | '经营信息';
  ext: string;
  labels: string[];
  core: number; // share deposited as 核心商密
}
const DOC_TYPES: DocType[] = [
  { name: '设计说明书', category: '技术信息', ext: 'docx', labels: ['研发', '设计'], core: 0.3 },
  { name: '装配图', category: '技术信息', ext: 'dwg', labels: ['图纸'], core: 0.2 },
  { name: '三维模型', category: '技术信息', ext: 'step', labels: ['图纸', '研发'], core: 0.2 },
  { name: '工艺流程卡', category: '技术信息', ext: 'xlsx', labels: ['工艺'], core: 0.3 },
  { name: '配方表', category: '技术信息', ext: 'xlsx', labels: ['配方', '工艺'], core: 0.8 },
  { name: '检测报告', category: '技术信息', ext: 'pdf', labels: ['试验', '质量'], core: 0.05 },
  { name: '源代码', category: '技术信息', ext: 'zip', labels: ['源代码', '研发'], core: 0.6 },
  { name: '技术方案', category: '技术信息', ext: 'pptx', labels: ['研发'], core: 0.3 },
  { name: '试验数据', category: '技术信息', ext: 'csv', labels: ['试验'], core: 0.2 },
  { name: '专利技术交底书', category: '技术信息', ext: 'docx', labels: ['专利前置', '研发'], core: 0.5 },
  { name: '作业指导书', category: '技术信息', ext: 'pdf', labels: ['工艺', '质量'], core: 0.05 },
  { name: '客户名单', category: '经营信息', ext: 'xlsx', labels: ['客户'], core: 0.7 },
  { name: '报价策略', category: '经营信息', ext: 'xlsx', labels: ['客户', '投标'], core: 0.6 },
  { name: '供应商清单', category: '经营信息', ext: 'xlsx', labels: ['供应链'], core: 0.3 },
  { name: '投标方案', category: '经营信息', ext: 'docx', labels: ['投标'], core: 0.4 },
];

interface Enterprise {
  name: string;
  uscc: string;
  industry: Industry;
  /** Project codes the enterprise files its documents under. */
  projects: string[];
}

function makeEnterprises(count: number, r: () => number): Enterprise[] {
  const out: Enterprise[] = [];
  const names = new Set<string>();
  const codes = new Set<string>();
  const brands = BRAND_A.length * BRAND_B.length;
  for (let i = 0; out.length < count; i++) {
    const industry = INDUSTRIES[i % INDUSTRIES.length]!;
    const b = (i * 7919) % brands; // a permutation of the brands (7919 is prime to 400)
    const brand = BRAND_A[Math.floor(b / BRAND_B.length)]! + BRAND_B[b % BRAND_B.length]!;
    const place = PLACES[Math.floor(i / brands) % PLACES.length]!;
    let name = `${place}${brand}${pick(r, industry.words)}${pick(r, FORMS)}`;
    if (names.has(name)) name = `${place}${brand}${pick(r, industry.words)}（${i}）有限公司`;
    let uscc: string;
    do {
      let body = '';
      for (let k = 0; k < 4; k++) body += USCC_CHARSET.charAt(Math.floor(r() * USCC_CHARSET.length));
      uscc = completeUscc(`9143${pick(r, DIVISIONS)}MA4L${body}`);
    } while (codes.has(uscc));
    names.add(name);
    codes.add(uscc);
    const year = 2019 + Math.floor(r() * 6);
    const prefix = PROJECT_LETTERS.charAt(i % PROJECT_LETTERS.length) + PROJECT_LETTERS.charAt(Math.floor(i / PROJECT_LETTERS.length) % PROJECT_LETTERS.length);
    const projects = Array.from({ length: 3 + Math.floor(r() * 6) }, (_, k) => `${prefix}-${year}-${String(k + 1).padStart(3, '0')}`);
    out.push({ name, uscc, industry, projects });
  }
  return out;
}

/** Zipf (s = 1) shares of `total` over `count` enterprises, at least one each, summing exactly to `total`. */
export function zipfShares(total: number, count: number): number[] {
  let h = 0;
  for (let k = 1; k <= count; k++) h += 1 / k;
  const spare = total - count;
  const exact = Array.from({ length: count }, (_, k) => spare / (k + 1) / h);
  const shares = exact.map((x) => 1 + Math.floor(x));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0]);
  for (let j = 0; left > 0; j++, left--) shares[byRemainder[j % count]![1]]! += 1;
  return shares;
}

interface Item {
  sha256: string;
  sm3: string;
  size: number;
  meta: { title: string; level: string; category: string; labels: string[]; filename: string; version: string };
}

/** One deposit item: seq makes the synthetic document (and so both digests) distinct across the run. */
function makeItem(e: Enterprise, seq: number, runTag: string, r: () => number): Item {
  const doc = pick(r, DOC_TYPES);
  const product = pick(r, e.industry.products);
  const project = pick(r, e.projects);
  const major = 1 + Math.floor(r() * 4);
  const version = `V${major}.${Math.floor(r() * 10)}`;
  const title = `${product}${doc.name}`;
  const content = `${runTag}\n${seq}\n${e.uscc}\n${project}\n${title}\n${version}`;
  const labels = r() < 0.5 ? [...doc.labels, project] : doc.labels;
  return {
    sha256: hash('sha256', content, 'hex'),
    sm3: hash('sm3', content, 'hex'),
    size: Math.max(1, Math.round(Math.exp(11 + 1.8 * (r() + r() + r() - 1.5)))),
    meta: {
      title,
      level: r() < doc.core ? '核心商密' : '普通商密',
      category: doc.category,
      labels,
      filename: `${project}_${title}_${version}.${doc.ext}`,
      version,
    },
  };
}

interface Batch {
  tenant: number;
  /** Sequence number of the first item: items are numbered in the order their batches are sent. */
  firstSeq: number;
  count: number;
}

function planBatches(shares: number[], batchSize: number, r: () => number): Batch[] {
  const out: Batch[] = [];
  shares.forEach((n, tenant) => {
    for (let done = 0; done < n; done += batchSize) out.push({ tenant, firstSeq: 0, count: Math.min(batchSize, n - done) });
  });
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  let seq = 0;
  for (const b of out) {
    b.firstSeq = seq;
    seq += b.count;
  }
  return out;
}

/** `count` distinct integers in [0, n), uniformly. */
function sampleSeqs(n: number, count: number, r: () => number): Set<number> {
  const s = new Set<number>();
  const want = Math.min(n, count);
  while (s.size < want) s.add(Math.floor(r() * n));
  return s;
}

// ─── the server process ──────────────────────────────────────────────────────────────────────────────────

interface Ready {
  port: number;
  adminToken: string;
  verifierKey: string;
}

async function serve(dataDir: string): Promise<void> {
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const ctx = await openService({ dataDir, origin: 'changsha.example/cunzheng', adminToken, workers: benchWorkers() });
  // Production settings but for the logger (off) and the docs UI (off); the production rate limit.
  const app = await buildApp(ctx, { docs: false, rateLimitPerMinute: 1_000_000 }, {
    logger: false, requestTimeout: 15 * 60_000, connectionTimeout: 0, keepAliveTimeout: 72_000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('no TCP address');
  const ready: Ready = { port: addr.port, adminToken, verifierKey: ctx.ledger.verifierKey };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    void (async () => {
      await app.close();
      await ctx.ledger.close();
      process.exit(0);
    })().catch((err: unknown) => {
      process.stderr.write(`[bench changsha server] close failed: ${String(err)}\n`);
      process.exit(3);
    });
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const cpu = process.cpuUsage();
    const s = ctx.ledger.stats;
    const stats: ServerStats = {
      cpuUserUs: cpu.user, cpuSystemUs: cpu.system, treeSize: ctx.ledger.treeSize,
      groupsCommitted: s.groupsCommitted, entriesCommitted: s.entriesCommitted, rssBytes: process.memoryUsage.rss(),
      threads: threadCpu(), pid: process.pid,
    };
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  });
  lines.on('close', close);
  process.on('SIGTERM', close);
}

interface Child {
  ready: Ready;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function spawnChild(dataDir: string, nodeArgs: string[]): Promise<Child> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, fileURLToPath(import.meta.url), 'serve', dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> =>
    Promise.race([
      new Promise<string>((resolve) => waiting.push(resolve)),
      exited.then((how) => Promise.reject(new Error(`[bench changsha] the server exited (${how})`))),
    ]);
  const stop = async (): Promise<void> => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    const how = await exited;
    clearTimeout(timer);
    lines.close();
    if (how !== 0) throw new Error(`[bench changsha] the server exited with ${how}`);
  };
  try {
    const ready = JSON.parse(await nextLine()) as Ready;
    return {
      ready,
      stop,
      stats: async () => {
        const line = nextLine();
        child.stdin.write('stats\n');
        return JSON.parse(await line) as ServerStats;
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

// ─── the client ──────────────────────────────────────────────────────────────────────────────────────────

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function call(url: string, init: RequestInit, expect: number, what: string): Promise<{ json: unknown; bytes: number }> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${what}: answered ${res.status}, want ${expect}: ${text.slice(0, 500)}`);
  return { json: JSON.parse(text) as unknown, bytes: Buffer.byteLength(text) };
}

/** Runs `work(i)` for i in [0, n) with at most `width` in flight; the first failure stops the rest. */
async function pool(n: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async (): Promise<void> => {
    while (failed === undefined && next < n) {
      const i = next++;
      try {
        await work(i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  if (failed !== undefined) throw failed;
}

function du(dir: string): { apparent: number; allocated: number } {
  const size = (args: string[]): number => Number(execFileSync('du', [...args, dir], { encoding: 'utf8' }).split('\t')[0]);
  return { apparent: size(['-sb']), allocated: size(['-s', '--block-size=1']) };
}

async function compact(ledgerDir: string): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(ledgerDir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    // Every table tag is below 0xff: this range is the whole database.
    await (db as unknown as { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }).compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
  } finally {
    await db.close();
  }
}

function threadShares(before: ServerStats, after: ServerStats, n: number): { main: number; others: number; busiestOther: number } {
  let main = 0;
  let others = 0;
  let busiestOther = 0;
  for (const [tid, us] of Object.entries(after.threads)) {
    const d = us - (before.threads[tid] ?? 0);
    if (tid === String(after.pid)) main = d;
    else {
      others += d;
      busiestOther = Math.max(busiestOther, d);
    }
  }
  return { main: main / n, others: others / n, busiestOther: busiestOther / n };
}

interface Sampled {
  tenant: number;
  sha256: string;
  sm3: string;
  id: string;
  entry: string;
}

export async function benchChangsha(opts: ChangshaOptions = {}): Promise<ChangshaReport> {
  const N = opts.deposits ?? 1_910_000;
  const T = opts.tenants ?? 324;
  const V = Math.min(opts.verify ?? 10_000, N);
  const inFlight = opts.inFlight ?? 4;
  const batchSize = opts.batch ?? 1000;
  if (!Number.isSafeInteger(N) || !Number.isSafeInteger(T) || T < 1 || N < T) throw new Error(`need deposits ≥ tenants ≥ 1, got ${N} and ${T}`);
  const r = rng(opts.seed ?? 20240601);
  const runTag = randomBytes(16).toString('hex');

  const root = await mkdtemp(join(tmpdir(), 'cunzheng-changsha-'));
  const dataDir = join(root, 'data');
  const child = await spawnChild(dataDir, opts.serverNodeArgs ?? []);
  const base = `http://127.0.0.1:${child.ready.port}`;
  const verifierKey = child.ready.verifierKey;
  log(`server on ${base}, data in ${dataDir}`);
  try {
    // 1. tenants
    const enterprises = makeEnterprises(T, r);
    const keys: string[] = [];
    const ids: string[] = [];
    const t0 = performance.now();
    for (const e of enterprises) {
      const { json } = await call(`${base}/v1/admin/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${child.ready.adminToken}` },
        body: JSON.stringify({ name: e.name, uscc: e.uscc }),
      }, 201, `tenant ${e.name}`);
      const t = json as { id: string; apiKey: string };
      keys.push(t.apiKey);
      ids.push(t.id);
    }
    const tenantsMs = performance.now() - t0;
    log(`${T} tenants in ${tenantsMs.toFixed(0)} ms (e.g. ${enterprises[0]!.name} ${enterprises[0]!.uscc})`);

    // 2. deposits
    const shares = zipfShares(N, T);
    const batches = planBatches(shares, batchSize, r);
    const sample = sampleSeqs(N, V, r);
    const sampled = new Map<number, Sampled>();
    const seen = new Uint8Array(N);
    const latencies: number[] = [];
    let done = 0;
    let requestBytes = 0;
    let responseBytes = 0;
    let nextReport = 100_000;
    // The request bodies are generated before the clock starts, as a load generator prepares its requests:
    // generating them (two hashes and the metadata per item) would otherwise take a sixth of the two
    // cores the server runs on. The time it took is reported beside the deposit time.
    const g0 = performance.now();
    const bodies: (Buffer | undefined)[] = new Array(batches.length);
    const sampledItems = new Map<number, Item>();
    batches.forEach((b, bi) => {
      const e = enterprises[b.tenant]!;
      const items = Array.from({ length: b.count }, (_, k) => makeItem(e, b.firstSeq + k, runTag, r));
      items.forEach((item, k) => {
        if (sample.has(b.firstSeq + k)) sampledItems.set(b.firstSeq + k, item);
      });
      bodies[bi] = Buffer.from(JSON.stringify({ items }), 'utf8');
    });
    const generateMs = performance.now() - g0;
    log(`${N} items in ${batches.length} request bodies generated in ${(generateMs / 1000).toFixed(1)} s (before the clock)`);
    const sBefore = await child.stats();
    const cBefore = process.cpuUsage();
    const start = performance.now();
    await pool(batches.length, inFlight, async (bi) => {
      const b = batches[bi]!;
      const body = bodies[bi]!;
      bodies[bi] = undefined;
      requestBytes += body.length;
      const sent = performance.now();
      const { json, bytes } = await call(`${base}/v1/deposits`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[b.tenant]!}` }, body,
      }, 201, `batch ${bi} (${b.count} items for tenant ${b.tenant})`);
      latencies.push(performance.now() - sent);
      responseBytes += bytes;
      const reply = json as { receipts?: Receipt[]; created?: boolean[] };
      if (!Array.isArray(reply.receipts) || reply.receipts.length !== b.count || !Array.isArray(reply.created) || reply.created.length !== b.count) {
        throw new Error(`batch ${bi}: want ${b.count} receipts, got ${reply.receipts?.length}`);
      }
      let last = -1;
      reply.receipts.forEach((rc, k) => {
        if (reply.created![k] !== true) throw new Error(`batch ${bi} item ${k}: not created (a repeated digest?)`);
        if (!Number.isSafeInteger(rc.index) || rc.index <= last || rc.index >= N || seen[rc.index] !== 0) {
          throw new Error(`batch ${bi} item ${k}: leaf index ${rc.index} out of order, out of range or seen before`);
        }
        seen[rc.index] = 1;
        last = rc.index;
        const seq = b.firstSeq + k;
        const item = sampledItems.get(seq);
        if (item !== undefined) sampled.set(seq, { tenant: b.tenant, sha256: item.sha256, sm3: item.sm3, id: rc.id, entry: rc.entry });
      });
      done += b.count;
      if (done >= nextReport) {
        nextReport += 100_000;
        const s = (performance.now() - start) / 1000;
        log(`${done}/${N} deposits in ${s.toFixed(1)} s (${(done / s).toFixed(0)}/s)`);
      }
    });
    const wallMs = performance.now() - start;
    const cCpu = process.cpuUsage(cBefore);
    const sAfter = await child.stats();
    if (sAfter.treeSize !== N || seen.some((x) => x !== 1)) throw new Error(`the log holds ${sAfter.treeSize} leaves, want every index of 0…${N - 1} once`);
    latencies.sort((a, b) => a - b);
    const serverCpuUs = sAfter.cpuUserUs + sAfter.cpuSystemUs - sBefore.cpuUserUs - sBefore.cpuSystemUs;
    const deposit = {
      wallMs, perSecond: (N * 1000) / wallMs, generateMs,
      batchP50Ms: percentile(latencies, 0.5), batchP99Ms: percentile(latencies, 0.99), batchMaxMs: latencies[latencies.length - 1] ?? 0,
      serverCpuUsPerDeposit: serverCpuUs / N, serverThreadsUsPerDeposit: threadShares(sBefore, sAfter, N), clientCpuUsPerDeposit: (cCpu.user + cCpu.system) / N,
      meanGroup: (sAfter.entriesCommitted - sBefore.entriesCommitted) / Math.max(1, sAfter.groupsCommitted - sBefore.groupsCommitted),
      requestBytes, responseBytes,
    };
    log(`${N} deposits in ${(wallMs / 1000).toFixed(1)} s: ${deposit.perSecond.toFixed(0)}/s, batch p50 ${deposit.batchP50Ms.toFixed(0)} ms p99 ${deposit.batchP99Ms.toFixed(0)} ms; server ${deposit.serverCpuUsPerDeposit.toFixed(1)} µs CPU/deposit`);

    // 3. receipts back, verified offline
    const logInfo = (await call(`${base}/v1/log`, {}, 200, 'GET /v1/log')).json as { key: string; treeSize: number };
    if (logInfo.key !== verifierKey) throw new Error(`/v1/log names the key ${logInfo.key}, the server started with ${verifierKey}`);
    const wanted = [...sampled.values()];
    if (wanted.length !== V) throw new Error(`sampled ${wanted.length} receipts, want ${V}`);
    const fetched: Receipt[] = new Array(wanted.length);
    const getLatencies: number[] = [];
    const f0 = performance.now();
    await pool(wanted.length, 8, async (i) => {
      const w = wanted[i]!;
      const sent = performance.now();
      const { json } = await call(`${base}/v1/deposits/${w.id}`, { headers: { authorization: `Bearer ${keys[w.tenant]!}` } }, 200, `GET /v1/deposits/${w.id}`);
      getLatencies.push(performance.now() - sent);
      const rc = json as Receipt;
      if (rc.id !== w.id || rc.entry !== w.entry) throw new Error(`GET /v1/deposits/${w.id}: another receipt came back (id ${rc.id})`);
      fetched[i] = rc;
    });
    const fetchMs = performance.now() - f0;
    getLatencies.sort((a, b) => a - b);
    const v0 = performance.now();
    for (const [i, rc] of fetched.entries()) {
      const w = wanted[i]!;
      const ok = await verifyReceipt(rc, [verifierKey], { digest: { sha256: w.sha256, sm3: w.sm3 } });
      if (ok.treeSize !== N || ok.entry.tenant !== ids[w.tenant] || !ok.matched.sha256 || !ok.matched.sm3) {
        throw new Error(`receipt ${rc.id}: verified, but at tree size ${ok.treeSize} for tenant ${ok.entry.tenant}`);
      }
    }
    const verifyMs = performance.now() - v0;
    const verify = {
      receipts: V, fetchMs, fetchP50Ms: percentile(getLatencies, 0.5), fetchP99Ms: percentile(getLatencies, 0.99),
      verifyMs, verifyUsPerReceipt: V > 0 ? (verifyMs * 1000) / V : 0,
    };
    log(`${V} receipts fetched in ${fetchMs.toFixed(0)} ms and verified offline in ${verifyMs.toFixed(0)} ms`);

    // 4. the auditor's full check
    const printed: string[] = [];
    const a0 = performance.now();
    const code = await runAudit({ url: base, key: verifierKey, state: join(root, 'audit-state.json'), full: true, json: true, evidence: join(root, 'audit-evidence.json') }, (s) => printed.push(s));
    const auditMs = performance.now() - a0;
    const audited = JSON.parse(printed.join('\n')) as AuditResult;
    if (code !== 0 || !audited.ok || audited.treeSize !== N) throw new Error(`the audit failed (exit ${code}): ${printed.join('\n')}`);
    log(`full audit: ${audited.tilesChecked} tiles, root recomputed, in ${(auditMs / 1000).toFixed(1)} s`);

    // 5. disk
    const serverRssBytes = (await child.stats()).rssBytes;
    await child.stop();
    const written = du(dataDir);
    const c0 = performance.now();
    await compact(join(dataDir, 'ledger'));
    const compactMs = performance.now() - c0;
    const compacted = du(dataDir);
    const disk = {
      dataDir, kept: opts.keepData === true, writtenBytes: written.apparent, compactedBytes: compacted.apparent,
      writtenAllocatedBytes: written.allocated, compactedAllocatedBytes: compacted.allocated, compactMs,
      bytesPerDepositWritten: written.apparent / N, bytesPerDepositCompacted: compacted.apparent / N,
    };
    log(`data dir ${(written.apparent / 2 ** 20).toFixed(0)} MiB as written, ${(compacted.apparent / 2 ** 20).toFixed(0)} MiB compacted (${(compactMs / 1000).toFixed(1)} s)`);

    const summary: ChangshaSummary = {
      deposits: N, tenants: T, batches: batches.length, inFlight,
      largestTenant: Math.max(...shares), smallestTenant: Math.min(...shares), tenantsMs,
      deposit, verify, audit: { ms: auditMs, tilesChecked: audited.tilesChecked ?? 0, treeSize: audited.treeSize, rootHash: audited.rootHash },
      disk, serverRssBytes,
      targets: {
        depositsWithin60s: wallMs <= 60_000,
        bytesPerDepositAtMost512: { written: disk.bytesPerDepositWritten <= 512, compacted: disk.bytesPerDepositCompacted <= 512 },
        everyReceiptVerifies: true,
      },
    };
    return { results: toResults(summary), summary };
  } finally {
    await child.stop().catch(() => undefined);
    if (opts.keepData !== true) await rm(root, { recursive: true, force: true });
  }
}

function toResults(s: ChangshaSummary): BenchResult[] {
  const one = (group: string, name: string, value: number, unit: string, note?: string): BenchResult => summarize(group, name, [value], unit, note);
  const d = s.deposit;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  return [
    one('changsha tenants', `create ${s.tenants}`, (s.tenants * 1000) / s.tenantsMs, 'tenants/s', `${s.tenantsMs.toFixed(0)} ms, one at a time`),
    one('changsha deposit', `${s.deposits} in batches @${s.inFlight}`, d.perSecond, 'deposits/s', `wall ${(d.wallMs / 1000).toFixed(1)} s (target ≤ 60 s); ${s.batches} batches; tenants ${s.smallestTenant}…${s.largestTenant}; bodies generated beforehand in ${(d.generateMs / 1000).toFixed(1)} s`),
    one('changsha deposit', 'batch p50', d.batchP50Ms, 'ms'),
    one('changsha deposit', 'batch p99', d.batchP99Ms, 'ms', `max ${d.batchMaxMs.toFixed(0)} ms`),
    one('changsha deposit', 'server CPU', d.serverCpuUsPerDeposit, 'µs/deposit', `main thread ${d.serverThreadsUsPerDeposit.main.toFixed(0)}, other threads ${d.serverThreadsUsPerDeposit.others.toFixed(0)} (busiest ${d.serverThreadsUsPerDeposit.busiestOther.toFixed(0)}); mean group ${d.meanGroup.toFixed(0)} entries`),
    one('changsha deposit', 'client CPU', d.clientCpuUsPerDeposit, 'µs/deposit', `${(d.requestBytes / s.deposits).toFixed(0)} B/item sent, ${(d.responseBytes / s.deposits).toFixed(0)} B/receipt back`),
    one('changsha verify', `GET ${s.verify.receipts} receipts @8`, (s.verify.receipts * 1000) / Math.max(1, s.verify.fetchMs), 'receipts/s', `${(s.verify.fetchMs / 1000).toFixed(1)} s; p50 ${s.verify.fetchP50Ms.toFixed(1)} ms, p99 ${s.verify.fetchP99Ms.toFixed(1)} ms`),
    one('changsha verify', 'verifyReceipt offline', (s.verify.receipts * 1000) / Math.max(1, s.verify.verifyMs), 'receipts/s', `${(s.verify.verifyMs / 1000).toFixed(1)} s; all verify`),
    one('changsha audit', `--full, ${s.audit.tilesChecked} tiles`, s.audit.ms / 1000, 's', `root recomputed at ${s.audit.treeSize}`),
    one('changsha disk', 'as written', s.disk.bytesPerDepositWritten, 'B/deposit', `du -sb ${mib(s.disk.writtenBytes)} (allocated ${mib(s.disk.writtenAllocatedBytes)}); target ≤ 512`),
    one('changsha disk', 'after compactRange', s.disk.bytesPerDepositCompacted, 'B/deposit', `du -sb ${mib(s.disk.compactedBytes)} (allocated ${mib(s.disk.compactedAllocatedBytes)}); compaction ${(s.disk.compactMs / 1000).toFixed(1)} s`),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, dataDir] = process.argv.slice(2);
  if (mode !== 'serve' || dataDir === undefined) {
    process.stderr.write('usage: changsha serve <dataDir>   (the server side of changsha-main)\n');
    process.exit(2);
  }
  serve(dataDir).catch((err: unknown) => {
    process.stderr.write(`[bench changsha server] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
  });
}

/**
 * The server side of the HTTP benchmark, a process of its own so that the load generator does not share its
 * event loop: `node dist/bench/http-server.js <ci|full> <dataDir>`.
 *
 *   parent (autocannon) ──loopback──▶ this process ─┬─ deposit app  (buildApp: auth, rate limit, schemas, ledger)
 *                                                    └─ echo app     (bare fastify: POST /echo → {ok:true}, GET /stats)
 *
 * It opens the service on `dataDir`, creates one tenant through the admin route, appends `PREFILL[mode]`
 * deposit-shaped entries straight through `ctx.ledger.append` in groups of 1,000 (so inclusion proofs run
 * on a log of that size), then listens on 127.0.0.1:0 twice and prints one JSON line on stdout:
 * `{"port", "echoPort", "apiKey", "treeSize", "prefillMs"}`. Both apps run with the logger off.
 * It closes gracefully (answers in flight, flushes the ledger) when stdin ends or on SIGTERM, so that
 * `--cpu-prof` given to this process writes its profile. `spawnServer` is the parent's side of this protocol.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { buildApp } from '../src/http/app.js';
import { openService } from '../src/service/open.js';
import { benchWorkers } from './harness.js';
import { buildEntry, completeUscc } from '../src/entry/index.js';

/** The server runs with the flags `cunzheng serve` and `npm start` use (a 64 MiB young generation). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

const PREFILL = { ci: 10_000, full: 1_000_000 } as const;
const GROUP = 1000;

/** The line the server prints once it listens. */
export interface Server {
  port: number;
  echoPort: number;
  apiKey: string;
  /** Leaves in the log when it started listening (the prefill). */
  treeSize: number;
  prefillMs: number;
}

/** What GET /stats on the echo app answers: the server's own CPU time and the ledger's group commits. */
export interface ServerStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  treeSize: number;
  groupsCommitted: number;
  entriesCommitted: number;
  /** Milliseconds of the most recent group commits (up to 4,096), oldest first. */
  commitMs: number[];
  rssBytes: number;
  /** CPU milliseconds of the main thread and of the worker threads (Linux /proc; 10 ms ticks), and the main thread's busy time. */
  mainCpuMs: number;
  workersCpuMs: number;
  mainBusyMs: number;
  /** Main-thread milliseconds by stage (service/deposits.ts, ledger stats, the receipt writer). */
  stageMs: Record<'entries' | 'hash' | 'write' | 'proofs' | 'receipts', number>;
}

/** The main thread's CPU milliseconds (its task is the process id): utime + stime, 10 ms ticks. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function log(message: string): void {
  process.stderr.write(`[bench http-server] ${message}\n`);
}

async function main(): Promise<void> {
  const [mode, dataDir] = process.argv.slice(2);
  if ((mode !== 'ci' && mode !== 'full') || dataDir === undefined) {
    process.stderr.write('usage: http-server <ci|full> <dataDir>\n');
    process.exit(2);
  }
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const ctx = await openService({ dataDir, origin: 'bench.example/cunzheng', adminToken, workers: benchWorkers() });
  // The production defaults, except: no docs UI and a rate limit the benchmark cannot reach (the plugin
  // still runs on every tenant request, as it does in production).
  const app = await buildApp(ctx, { docs: false, rateLimitPerMinute: 1e12 }, { logger: false });
  const echo = Fastify({ logger: false });
  echo.post('/echo', async () => ({ ok: true }));
  echo.get('/stats', async (): Promise<ServerStats> => {
    const workersCpuMs = (await ctx.pool?.cpuMs()) ?? 0;
    const cpu = process.cpuUsage();
    const s = ctx.ledger.stats;
    return {
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      treeSize: ctx.ledger.treeSize,
      groupsCommitted: s.groupsCommitted,
      entriesCommitted: s.entriesCommitted,
      commitMs: s.commitMs,
      rssBytes: process.memoryUsage.rss(),
      mainCpuMs: mainThreadCpuMs(),
      workersCpuMs,
      mainBusyMs: performance.eventLoopUtilization().active,
      stageMs: {
        entries: ctx.deposits.metrics.stageMs.entries,
        hash: s.stageMs.hash,
        write: s.stageMs.write,
        proofs: s.stageMs.proofs,
        receipts: ctx.deposits.metrics.stageMs.receipts + ctx.deposits.replies.stats.mainMs,
      },
    };
  });

  const created = await app.inject({
    method: 'POST',
    url: '/v1/admin/tenants',
    headers: { authorization: `Bearer ${adminToken}` },
    payload: { name: '湘江新材料科技有限公司', uscc: completeUscc('91430100MA4L16JJ') },
  });
  if (created.statusCode !== 201) throw new Error(`tenant creation answered ${created.statusCode}: ${created.body}`);
  const tenant = created.json() as { id: string; name: string; uscc: string; apiKey: string };

  const started = performance.now();
  const total = PREFILL[mode];
  for (let done = 0; done < total; done += GROUP) {
    const n = Math.min(GROUP, total - done);
    const digests = randomBytes(32 * n).toString('hex');
    const appends: Promise<unknown>[] = [];
    for (let k = 0; k < n; k++) {
      const { bytes } = buildEntry({
        kind: 'deposit',
        tenant: tenant.id,
        subject: { name: tenant.name, uscc: tenant.uscc },
        digest: { sha256: digests.slice(64 * k, 64 * k + 64) },
        hashedBy: 'client',
      });
      appends.push(ctx.ledger.append(bytes));
    }
    await Promise.all(appends);
    if ((done + n) % 100_000 === 0) log(`prefilled ${done + n} entries`);
  }
  const prefillMs = performance.now() - started;

  await app.listen({ host: '127.0.0.1', port: 0 });
  await echo.listen({ host: '127.0.0.1', port: 0 });
  const portOf = (a: typeof app): number => {
    const addr = a.server.address();
    if (typeof addr !== 'object' || addr === null) throw new Error('no TCP address');
    return addr.port;
  };
  process.stdout.write(
    `${JSON.stringify({ port: portOf(app), echoPort: portOf(echo), apiKey: tenant.apiKey, treeSize: ctx.ledger.treeSize, prefillMs })}\n`,
  );

  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    void (async () => {
      await echo.close();
      await app.close();
      await ctx.ledger.close();
      process.exit(0);
    })().catch((err: unknown) => {
      log(`close failed: ${String(err)}`);
      process.exit(3);
    });
  };
  process.stdin.on('end', close);
  process.stdin.resume();
  process.on('SIGTERM', close);
}

/**
 * Starts this file as a child process and waits for its line; `stop` ends its stdin and waits for it to
 * close (killing it after two minutes).
 */
export async function spawnServer(mode: 'ci' | 'full', dataDir: string, nodeArgs: string[] = []): Promise<{ server: Server; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, fileURLToPath(import.meta.url), mode, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const stop = async (): Promise<void> => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const how = await exited;
    clearTimeout(timer);
    if (how !== 0) log(`exited with ${how}`);
  };
  const lines = createInterface({ input: child.stdout });
  try {
    const first = await Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      exited.then((how) => Promise.reject(new Error(`[bench http-server] exited (${how}) before listening`))),
    ]);
    return { server: JSON.parse(first) as Server, stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    lines.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(3);
  });
}

/**
 * The inventory benchmark: one tenant with `deposits` documents and `events` lifecycle events (default 1e6
 * and 1e5; `ci` 1e5 and 1e4; CUNZHENG_BENCH_INVENTORY_DEPOSITS / _EVENTS override either), built through the
 * ledger API with the service's derived writes (inventory-store.ts). Then:
 *
 *   - pages of GET /v1/inventory through a real listening server (buildApp, logger off), one request at a
 *     time, each case walking its cursor from the first page: unfiltered, by level, by status (classified,
 *     expired, destroyed), by label. p50 and p99 per page, in ms (target p99 ≤ 50 ms).
 *   - events/s against deposits/s through the service objects (no HTTP): `concurrent` single deposits
 *     (Deposits.deposit) and as many single events (Events.record, each on a document of its own), the same
 *     number in flight.
 *
 * The client runs in the server's process (fetch over loopback): its time is in the latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc } from '../src/entry/index.js';
import { buildApp } from '../src/http/app.js';
import { closeService, openService } from '../src/service/open.js';
import { Events } from '../src/service/events.js';
import { summarize, type BenchResult } from './harness.js';
import { buildInventoryStore } from './inventory-store.js';

export interface InventoryBenchOptions {
  deposits: number;
  events: number;
  /** Pages timed per case (default 300). */
  pages?: number;
  /** Deposits and events timed through the service (default 4,000 each), and in flight (default 200). */
  throughput?: number;
  concurrent?: number;
}

const CASES: [name: string, query: string][] = [
  ['unfiltered', ''],
  ['level=核心商密', `level=${encodeURIComponent('核心商密')}`],
  ['status=classified', 'status=classified'],
  ['status=expired', 'status=expired'],
  ['status=destroyed', 'status=destroyed'],
  ['label=L3', 'label=L3'],
];

function log(message: string): void {
  process.stderr.write(`[bench inventory] ${message}\n`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function inventorySize(scale: 'ci' | 'full'): { deposits: number; events: number } {
  const env = (k: string): number | undefined => (process.env[k] === undefined ? undefined : Number(process.env[k]));
  return {
    deposits: env('CUNZHENG_BENCH_INVENTORY_DEPOSITS') ?? (scale === 'full' ? 1_000_000 : 100_000),
    events: env('CUNZHENG_BENCH_INVENTORY_EVENTS') ?? (scale === 'full' ? 100_000 : 10_000),
  };
}

export async function benchInventory(opts: InventoryBenchOptions): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-inventory-'));
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const ctx = await openService({ dataDir: dir, origin: 'bench.example/inventory', adminToken });
  const results: BenchResult[] = [];
  const size = `${opts.deposits.toExponential(0)} deposits, ${opts.events.toExponential(0)} events`;
  try {
    const { tenant, officer, apiKey } = await ctx.tenants.create({ name: '湘江新材料科技有限公司', uscc: completeUscc('91430100MA4L16JJ') });
    let shown = 0;
    const built = await buildInventoryStore(ctx.ledger, tenant, officer, {
      deposits: opts.deposits,
      events: opts.events,
      progress: (done, total) => {
        if (done - shown >= 100_000 || done === total) log(`built ${(shown = done)} of ${total} entries`);
      },
    });
    log(`store: ${opts.deposits} deposits in ${(built.depositMs / 1000).toFixed(1)} s, ${opts.events} events in ${(built.eventMs / 1000).toFixed(1)} s`);
    results.push(summarize('inventory', `build: deposits (${size})`, [opts.deposits / (built.depositMs / 1000)], 'entries/s', 'ledger API + derived writes'));
    results.push(summarize('inventory', 'build: events', [opts.events / (built.eventMs / 1000)], 'entries/s', 'ledger API + lifecycle + derived writes'));

    const app = await buildApp(ctx, { docs: false, rateLimitPerMinute: 1e12 }, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as { port: number }).port;
      const auth = { authorization: `Bearer ${apiKey}` };
      const pages = opts.pages ?? 300;
      for (const [name, query] of CASES) {
        const ms: number[] = [];
        let rows = 0;
        let examined = 0;
        let cursor: string | null = null;
        // One unmeasured walk of a few pages: the JIT and LevelDB's block cache warm up.
        for (let i = 0; i < pages + 5; i++) {
          const url = `http://127.0.0.1:${port}/v1/inventory?${query}${cursor === null ? '' : `${query === '' ? '' : '&'}cursor=${cursor}`}`;
          const t0 = performance.now();
          const res = await fetch(url, { headers: auth });
          const page = (await res.json()) as { rows: unknown[]; examined: number; next: string | null };
          const t = performance.now() - t0;
          if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(page)}`);
          if (i >= 5) {
            ms.push(t);
            rows += page.rows.length;
            examined += page.examined;
          }
          cursor = page.next;
        }
        ms.sort((a, b) => a - b);
        const note = `${(rows / ms.length).toFixed(0)} rows, ${(examined / ms.length).toFixed(0)} examined per page`;
        results.push({ ...summarize('inventory', `page ${name}: p50`, [quantile(ms, 0.5)], 'ms', note), min: ms[0]!, max: ms[ms.length - 1]! });
        results.push({ ...summarize('inventory', `page ${name}: p99`, [quantile(ms, 0.99)], 'ms', 'target ≤ 50 ms'), min: ms[0]!, max: ms[ms.length - 1]! });
        log(`${name}: p50 ${quantile(ms, 0.5).toFixed(1)} ms, p99 ${quantile(ms, 0.99).toFixed(1)} ms (${note})`);
      }
    } finally {
      await app.close();
    }

    // Events against deposits through the service: the same number of single requests, the same in flight.
    const n = opts.throughput ?? 4000;
    const concurrent = opts.concurrent ?? 200;
    const events = new Events(ctx.deposits, (t) => ctx.tenants.levels(t));
    const pool = async (count: number, one: (i: number) => Promise<unknown>): Promise<number> => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrent }, async () => {
        while (next < count) await one(next++);
      }));
      return count / ((performance.now() - t0) / 1000);
    };
    const depositsPerS = await pool(n, (i) => ctx.deposits.deposit(tenant, { sha256: randomBytes(32).toString('hex'), meta: { title: `新文档 ${i}` } }, 'client', officer));
    // Each event on a document without events so far: the unclassified ones of the store (built.docs, skipping event documents).
    const stride = Math.max(1, Math.floor(opts.deposits / Math.max(1, Math.floor(opts.events / 2))));
    const targets = built.docs.filter((_, i) => i % stride !== 0).slice(0, n);
    if (targets.length < n) throw new Error(`only ${targets.length} documents without events for ${n} events`);
    const eventsPerS = await pool(n, (i) => events.record(tenant, officer, targets[i]!, { kind: 'classify', level: '普通商密', period: '长期' }));
    results.push(summarize('inventory', `service: single deposits @${concurrent}`, [depositsPerS], 'deposits/s', `${n} deposits`));
    results.push(summarize('inventory', `service: single events @${concurrent}`, [eventsPerS], 'events/s', `${(eventsPerS / depositsPerS).toFixed(2)}× deposits/s`));
    log(`service: ${depositsPerS.toFixed(0)} deposits/s, ${eventsPerS.toFixed(0)} events/s`);
  } finally {
    await closeService(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * A small benchmark harness: each case runs `runs` times for at least `minMs` each; we report the median
 * rate of the runs (and min/max), so one noisy run does not move the figure.
 */
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { autoWorkers } from '../src/workers/pool.js';

export interface BenchResult {
  group: string;
  name: string;
  unit: string; // e.g. "appends/s"
  median: number;
  min: number;
  max: number;
  runs: number;
  note?: string;
}

export interface CaseOptions {
  runs?: number;
  minMs?: number;
  unit?: string;
  note?: string;
}

/**
 * Measures `fn`, which performs `opsPerCall` operations per call (sync or async), and returns ops/s.
 * `setup` runs before each run, outside the timing.
 */
export async function measure(
  group: string,
  name: string,
  fn: () => unknown,
  opsPerCall = 1,
  options: CaseOptions & { setup?: () => unknown } = {},
): Promise<BenchResult> {
  const runs = options.runs ?? 5;
  const minMs = options.minMs ?? 300;
  const rates: number[] = [];
  // warm-up: let the JIT settle
  const warmEnd = performance.now() + Math.min(100, minMs);
  while (performance.now() < warmEnd) await fn();
  for (let r = 0; r < runs; r++) {
    if (options.setup) await options.setup();
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < minMs) {
      await fn();
      ops += opsPerCall;
      now = performance.now();
    }
    rates.push((ops * 1000) / (now - start));
  }
  return summarize(group, name, rates, options.unit ?? 'ops/s', options.note);
}

export function summarize(group: string, name: string, values: number[], unit: string, note?: string): BenchResult {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const result: BenchResult = { group, name, unit, median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: values.length };
  if (note !== undefined) result.note = note;
  return result;
}

export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(1);
}

export function printTable(results: BenchResult[]): string {
  const rows = results.map((r) => [r.group, r.name, `${formatRate(r.median)} ${r.unit}`, `${formatRate(r.min)}–${formatRate(r.max)}`, String(r.runs), r.note ?? '']);
  const head = ['group', 'case', 'median', 'range', 'runs', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

/** Worker threads of the benchmarked service: CUNZHENG_WORKERS, else what `serve` starts with. */
export function benchWorkers(): number {
  const given = process.env['CUNZHENG_WORKERS'];
  return given === undefined || given === 'auto' ? autoWorkers(availableParallelism()) : Number(given);
}

/** A TCP port free on 127.0.0.1 right now, for a server process a bench starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

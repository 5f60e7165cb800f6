/**
 * `node dist/bench/http-main.js [ci|full] [--runs N] [--seconds S] [--only key,…] [--cpu-prof DIR]`:
 * the HTTP benchmark at one scale (default full). Progress on stderr; on stdout the harness table (medians
 * and ranges) and the same figures side by side. `--cpu-prof DIR` profiles the server process (the profile
 * is written to DIR when the server closes); `--only` takes case keys: echo50 single50 echo500 single500
 * batch proof.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatRate, printTable, type BenchResult } from './harness.js';
import { benchHttp, type HttpBenchOptions } from './http.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: http-main [ci|full] [--runs N] [--seconds S] [--only key,…] [--cpu-prof DIR]\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' }, 'cpu-prof': { type: 'string' } },
  });
} catch (e) {
  usage((e as Error).message);
}
const { values, positionals } = parsed;
const scale = positionals[0] ?? 'full';
if ((scale !== 'ci' && scale !== 'full') || positionals.length > 1) usage(`unknown scale ${JSON.stringify(positionals.join(' '))}`);

const count = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) usage(`--${name} takes a positive integer, got ${JSON.stringify(text)}`);
  return n;
};
const options: HttpBenchOptions = { scale };
const runs = count('runs', values.runs);
const seconds = count('seconds', values.seconds);
if (runs !== undefined) options.runs = runs;
if (seconds !== undefined) options.seconds = seconds;
if (values.only !== undefined) options.only = values.only.split(',');
if (values['cpu-prof'] !== undefined) options.serverNodeArgs = ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`];

/** The same results pivoted: one line per case, its metrics side by side (medians). */
function sideBySide(results: BenchResult[]): string {
  const units = ['req/s', 'deposits/s', 'ms p50', 'ms p99', '× echo'];
  const cases = [...new Set(results.map((r) => `${r.group}\u0000${r.name}`))];
  const head = ['case', 'req/s', 'deposits/s', 'p50 ms', 'p99 ms', 'single/echo', 'runs'];
  const body = cases.map((k) => {
    const [group, name] = k.split('\u0000') as [string, string];
    const of = (u: string): BenchResult | undefined => results.find((r) => r.group === group && r.name === name && r.unit === u);
    const cells = units.map((u) => {
      const r = of(u);
      if (r === undefined) return '';
      return u === '× echo' ? `${r.median.toFixed(2)}×` : u.startsWith('ms') ? r.median.toFixed(0) : formatRate(r.median);
    });
    return [name, ...cells, String(of('req/s')?.runs ?? '')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

const results = await benchHttp(options);
process.stdout.write(`${printTable(results)}\n\n${sideBySide(results)}\n`);

/**
 * `node dist/bench/changsha-main.js [deposits] [tenants] [verify] [--in-flight K] [--cpu-prof DIR] [--keep]`:
 * the service at Changsha scale (defaults 1,910,000 deposits, 324 enterprises, 10,000 receipts verified).
 * Progress on stderr; on stdout the harness table, then the JSON summary. `--cpu-prof DIR` profiles the
 * server process (written to DIR when it closes); `--keep` keeps the data directory.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { printTable } from './harness.js';
import { benchChangsha, type ChangshaOptions } from './changsha.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: changsha-main [deposits] [tenants] [verify] [--in-flight K] [--cpu-prof DIR] [--keep]\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { 'in-flight': { type: 'string' }, 'cpu-prof': { type: 'string' }, keep: { type: 'boolean' } },
  });
} catch (e) {
  usage((e as Error).message);
}
const { values, positionals } = parsed;
if (positionals.length > 3) usage('at most three numbers: deposits tenants verify');

const count = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) usage(`${name} takes an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const options: ChangshaOptions = {};
const deposits = count('deposits', positionals[0], 1);
const tenants = count('tenants', positionals[1], 1);
const verify = count('verify', positionals[2], 0);
const inFlight = count('--in-flight', values['in-flight'], 1);
if (deposits !== undefined) options.deposits = deposits;
if (tenants !== undefined) options.tenants = tenants;
if (verify !== undefined) options.verify = verify;
if (inFlight !== undefined) options.inFlight = inFlight;
if (values['cpu-prof'] !== undefined) options.serverNodeArgs = ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`];
if (values.keep === true) options.keepData = true;

/** The machine, and how busy it was when the run began (the figures move with other load). */
function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    loadAverageAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

const host = machine();
const { results, summary } = await benchChangsha(options);
process.stdout.write(`${printTable(results)}\n\n${JSON.stringify({ machine: { ...host, loadAverageAtEnd: loadavg().map((x) => x.toFixed(2)).join(' ') }, ...summary }, null, 2)}\n`);

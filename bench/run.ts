/**
 * `npm run bench`: every benchmark group in one run, each figure beside its ceiling or peer measured in the
 * same run. Prints a table and writes bench/results.json and bench/REPORT.md (with the machine stated).
 *
 *   node dist/bench/run.js [--scale ci|full] [--only merkle,receipt,ledger,http,hashing,cli,inventory,witness,sm2,certificate,exhibit-list,evidence]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { printTable, type BenchResult } from './harness.js';
import { benchMerkle } from './merkle.js';
import { benchReceipt } from './receipt.js';
import { benchLedger } from './ledger.js';
import { benchHttp } from './http.js';
import { benchHashing } from './hashing.js';
import { benchDepositCli } from './deposit-cli.js';
import { benchInventory, inventorySize } from './inventory.js';
import { benchWitness } from './witness.js';
import { benchSm2 } from './sm2.js';
import { benchCertificate } from './certificate.js';
import { benchExhibitList } from './exhibit-list.js';
import { benchEvidence } from './evidence.js';

type Scale = 'ci' | 'full';
const GROUPS: Record<string, (scale: Scale) => Promise<BenchResult[]>> = {
  merkle: () => benchMerkle(),
  receipt: (scale) => benchReceipt({ leaves: scale === 'full' ? 1_000_000 : 20_000 }),
  ledger: (scale) => benchLedger({ scale }),
  hashing: (scale) => benchHashing({ scale }),
  http: (scale) => benchHttp({ scale }),
  cli: (scale) => benchDepositCli(scale === 'full' ? {} : { files: 1000, runs: 1 }),
  inventory: (scale) => benchInventory(inventorySize(scale)),
  witness: (scale) => benchWitness(scale === 'full' ? {} : { rounds: 20, seconds: 2, runs: 1 }),
  sm2: (scale) => benchSm2(scale === 'full' ? {} : { runs: 3, minMs: 150, ledgerSeconds: 0.5 }),
  certificate: (scale) => benchCertificate(scale === 'full' ? {} : { runs: 3, minMs: 500 }),
  'exhibit-list': (scale) => benchExhibitList(scale === 'full' ? {} : { exhibits: 2000, runs: 1 }),
  evidence: (scale) => benchEvidence(scale === 'full' ? {} : { receipts: 300 }),
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  let model = cpu[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux
  }
  return { cpu: model, cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

const scale = (arg('--scale') ?? 'full') as Scale;
const only = (arg('--only') ?? Object.keys(GROUPS).join(',')).split(',');
const started = new Date();
const results: BenchResult[] = [];
for (const g of only) {
  const run = GROUPS[g];
  if (run === undefined) throw new Error(`unknown group ${g}: ${Object.keys(GROUPS).join(', ')}`);
  process.stderr.write(`bench: ${g} (${scale})…\n`);
  const t0 = performance.now();
  results.push(...(await run(scale)));
  process.stderr.write(`bench: ${g} took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const table = printTable(results);
console.log(table);
const m = machine();
const dir = fileURLToPath(new URL('../../bench/', import.meta.url));
writeFileSync(`${dir}results.json`, JSON.stringify({ started: started.toISOString(), scale, machine: m, results }, null, 2) + '\n');
writeFileSync(
  `${dir}REPORT.md`,
  `# Benchmark report\n\n${started.toISOString()}, scale \`${scale}\`, groups ${only.join(', ')}.\n\n` +
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.\n\n` +
    `Medians of the runs shown; each figure sits beside its ceiling or peer measured in the same run.\n\n${table}\n`,
);
process.stderr.write('bench: wrote bench/results.json and bench/REPORT.md\n');

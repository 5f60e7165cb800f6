/**
 * Is the durable append rate flat in the log's size? One ledger grown in groups of 1,000 (durable
 * appends with the ledger's own index keys) through `sizes`; near each size the append rate (median of 5
 * windows over the last tenth, as `growTo` measures it), the CPU per append of the main thread and of the
 * other threads (LevelDB's compaction among them), the commit median, and LevelDB's compaction bytes so
 * far; at the end the ratio of the last size's rate to the first's, in the same run. The growth alone,
 * without the proofs, disk and peer rows of `benchLedger`.
 *
 *   node dist/bench/ledger-flat-main.js [sizes, e.g. 1e5,1e7] [--stats]
 *
 * `--stats` also prints LevelDB's own `leveldb.stats` table at each size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../src/ledger/index.js';
import { summarize, type BenchResult } from './harness.js';
import { cpuNote, growTo, sizeLabel } from './ledger-data.js';

export interface FlatResult {
  results: BenchResult[];
  /** Rate at the last size over the rate at the first. */
  ratio: number;
}

function log(message: string): void {
  process.stderr.write(`[bench ledger-flat] ${message}\n`);
}

/** MB read and written by LevelDB's compactions so far (its `leveldb.stats` table, summed over levels). */
export function compactionMegabytes(stats: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of stats.split('\n')) {
    const cells = line.trim().split(/\s+/).map(Number);
    if (cells.length === 6 && cells.every((c) => Number.isFinite(c))) {
      read += cells[4]!;
      written += cells[5]!;
    }
  }
  return { read, written };
}

function levelStats(ledger: Ledger): string {
  return (ledger['store'].db as unknown as { getProperty(p: string): string }).getProperty('leveldb.stats');
}

function median(values: number[]): number {
  return values.length === 0 ? 0 : summarize('', '', values, '').median;
}

/** Grows one ledger through `sizes`; see the file comment. */
export async function benchFlatAppends(sizes: number[], opts: { stats?: boolean } = {}): Promise<FlatResult> {
  const root = await mkdtemp(join(tmpdir(), 'cunzheng-bench-flat-'));
  const results: BenchResult[] = [];
  const rates: number[] = [];
  const ledger = await Ledger.open({ dataDir: root, maxGroup: 1000 });
  try {
    let size = 0;
    for (const n of sizes) {
      const at = sizeLabel(n);
      const grown = await growTo((entries) => Promise.all(entries.map((e) => ledger.append(e))), size, n, 1000, (s) => log(`${s} entries`));
      size = n;
      const stats = levelStats(ledger);
      const mb = compactionMegabytes(stats);
      const r = summarize(
        'ledger: flat append',
        `append @${at}`,
        grown.rates,
        'appends/s',
        `groups of 1,000; CPU ${cpuNote(grown.cpuMicros)} (main thread ${cpuNote(grown.mainMicros)}, other threads ${cpuNote(grown.otherMicros)}, the busiest of them ${cpuNote(grown.busiestOtherMicros)}); ` +
          `commit median ${median(ledger.stats.commitMs.slice(-100)).toFixed(1)} ms; compactions so far ${mb.read.toFixed(0)} MB read, ${mb.written.toFixed(0)} MB written`,
      );
      rates.push(r.median);
      if (rates.length > 1) r.note += `; ×${(r.median / rates[0]!).toFixed(2)} of ${sizeLabel(sizes[0]!)}`;
      results.push(r);
      log(`${at}: ${r.median.toFixed(0)} appends/s; ${r.note}`);
      if (opts.stats === true) log(`leveldb.stats at ${at}:\n${stats}`);
    }
  } finally {
    await ledger.close();
    await rm(root, { recursive: true, force: true });
  }
  return { results, ratio: rates.length > 1 ? rates[rates.length - 1]! / rates[0]! : 1 };
}

/**
 * The durable ledger under load, in one run, against its ceiling (raw LevelDB) and a peer (Hypercore):
 *
 *   1. durable appends/s at group sizes 1, 100, 1,000 (exactly g appends in flight, `maxGroup: g`, so every
 *      `sync: true` batch holds g entries), beside raw LevelDB batches of the same sizes;
 *   2. the log grown to 1e5 and 1e6 leaves (1e7 with scale 'large'): at each size the append rate near it,
 *      inclusion proofs/s cached (warmed default cache) and cold (reopened with a 1-tile cache, random
 *      indexes), and bytes on disk per entry as written and after a full `compactRange`;
 *   3. Hypercore appends and proofs at the same sizes.
 *
 * Temp dirs live under os.tmpdir() and are removed at the end, whatever happens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { openCheckpoint } from '../src/checkpoint/index.js';
import { Ledger, type Appended } from '../src/ledger/index.js';
import { hashLeaf, verifyInclusion } from '../src/merkle/index.js';
import { parseVerifierKey } from '../src/note/index.js';
import { summarize, type BenchResult } from './harness.js';
import { cpuNote, depositEntries, diskUsage, growTo, measureCpu, sizeLabel } from './ledger-data.js';
import {
  checkHypercoreProof, growCore, hypercoreAppends, hypercoreProofs, levelBatches, loadHypercore, openCore, type Timing,
} from './ledger-peers.js';

export type LedgerScale = 'ci' | 'full' | 'large';

interface Plan extends Timing {
  /** Tree sizes at which growth, proofs and disk are measured. */
  sizes: number[];
}

const PLANS: Record<LedgerScale, Plan> = {
  ci: { sizes: [5_000, 50_000], runs: 3, minMs: 100 },
  full: { sizes: [100_000, 1_000_000], runs: 5, minMs: 1000 },
  large: { sizes: [100_000, 1_000_000, 10_000_000], runs: 3, minMs: 1000 },
};

const GROUP_SIZES = [1, 100, 1000];
const COLD_IN_FLIGHT = 16;

function log(message: string): void {
  process.stderr.write(`[bench ledger] ${message}\n`);
}

function median(values: number[]): number {
  return summarize('', '', values.length > 0 ? values : [0], '').median;
}

/** The machine a table was measured on, and how busy it was (other processes share its cores). */
export function describeMachine(): string {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${load}`;
}

export async function benchLedger(opts: { scale?: LedgerScale } = {}): Promise<BenchResult[]> {
  const scale = opts.scale ?? 'full';
  const plan = PLANS[scale];
  if (plan === undefined) throw new Error(`unknown scale ${JSON.stringify(scale)}: use ci, full or large`);
  const root = await mkdtemp(join(tmpdir(), 'cunzheng-bench-ledger-'));
  const results: BenchResult[] = [];
  const started = performance.now();
  log(`${scale} scale on ${describeMachine()}`);
  try {
    const Hypercore = loadHypercore();
    for (const g of GROUP_SIZES) {
      log(`group ${g}: level, ledger, level without sync${Hypercore ? ', hypercore' : ''}`);
      const ceiling = await levelBatches(join(root, `level-sync-${g}`), g, true, plan);
      const ledger = await ledgerAppends(join(root, `ledger-${g}`), g, plan);
      ledger.note = `${ledger.note}; ${((100 * ledger.median) / ceiling.median).toFixed(0)}% of level sync`;
      results.push(ceiling, ledger, await levelBatches(join(root, `level-nosync-${g}`), g, false, plan));
      if (Hypercore) results.push(await hypercoreAppends(Hypercore, join(root, `hypercore-${g}`), g, plan));
    }
    results.push(await levelBatches(join(root, 'level-sync-entries'), 1000, true, plan, depositEntries(0, 4096)));
    results.push(...(await ledgerGrowth(join(root, 'ledger-grown'), plan)));
    if (Hypercore) {
      results.push(...(await hypercoreGrowth(Hypercore, join(root, 'hypercore-grown'), plan)));
    } else {
      log('hypercore is not installed (npm install): its rows are skipped');
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; now ${describeMachine()}`);
  return results;
}

/** g appends in flight per round, `maxGroup: g`; checks afterwards that every commit held exactly g. */
async function ledgerAppends(dir: string, g: number, t: Timing): Promise<BenchResult> {
  const ledger = await Ledger.open({ dataDir: dir, maxGroup: g, maxQueue: Math.max(g, 1000) });
  const pool = depositEntries(0, Math.max(4 * g, 4096));
  let next = 0;
  try {
    const result = await measureCpu(
      'ledger: durable append',
      `group ${g}`,
      async () => {
        const round = new Array<Promise<Appended>>(g);
        for (let k = 0; k < g; k++) {
          round[k] = ledger.append(pool[next]!);
          next = (next + 1) % pool.length;
        }
        await Promise.all(round);
      },
      g,
      { runs: t.runs, minMs: t.minMs, unit: 'appends/s' },
    );
    const { groupSizes, commitMs } = ledger.stats;
    const odd = groupSizes.filter((s) => s !== g).length;
    if (odd > 0) throw new Error(`${odd} of the last ${groupSizes.length} commits did not hold ${g} entries`);
    result.note = `every batch ${g}; commit median ${median(commitMs).toFixed(2)} ms; ${result.note ?? ''}`;
    return result;
  } finally {
    await ledger.close();
  }
}

/** One random inclusion proof checked against the signed checkpoint: the timed proofs are real ones. */
async function checkLedgerProof(ledger: Ledger, treeSize: number): Promise<void> {
  const index = Math.floor(Math.random() * treeSize);
  const entry = await ledger.entry(index);
  if (entry === undefined) throw new Error(`entry ${index} is missing`);
  const opened = openCheckpoint(ledger.checkpoint, [parseVerifierKey(ledger.verifierKey)], { origin: ledger.origin });
  verifyInclusion(index, treeSize, hashLeaf(entry), await ledger.inclusionProof(index, treeSize), opened.checkpoint.rootHash);
}

/** Random-index proofs, `inFlight` at a time; notes the tile cache hit rate and LevelDB tile reads per proof. */
async function ledgerProofs(ledger: Ledger, treeSize: number, name: string, inFlight: number, t: Timing): Promise<BenchResult> {
  let proofs = 0;
  let tilesRead = 0;
  let reads = 0;
  const store = ledger['store']; // the bench counts the store's tile reads
  const readTiles = store.readTiles;
  store.readTiles = (keys) => {
    reads++;
    tilesRead += keys.length;
    return readTiles.call(store, keys);
  };
  const before = ledger.cacheStats;
  let result: BenchResult;
  try {
    result = await measureCpu(
      'ledger: inclusion proof',
      name,
      () =>
        Promise.all(
          Array.from({ length: inFlight }, () => {
            proofs++;
            return ledger.inclusionProof(Math.floor(Math.random() * treeSize), treeSize);
          }),
        ),
      inFlight,
      { runs: t.runs, minMs: t.minMs, unit: 'proofs/s' },
    );
  } finally {
    store.readTiles = readTiles;
  }
  const after = ledger.cacheStats;
  const lookups = after.hits - before.hits + (after.misses - before.misses);
  const hitRate = lookups > 0 ? (100 * (after.hits - before.hits)) / lookups : 0;
  result.note = `${result.note ?? ''}; ${inFlight} in flight; cache ${after.tiles} tiles, hit ${hitRate.toFixed(0)}%; ${(reads / proofs).toFixed(2)} LevelDB reads (${(tilesRead / proofs).toFixed(2)} tiles)/proof`;
  return result;
}

/** Reads every full level-0 tile (and so every tile above it) once, through proofs. */
async function warmCache(ledger: Ledger, treeSize: number): Promise<void> {
  for (let index = 0; index < treeSize; index += 256) await ledger.inclusionProof(index, treeSize);
}

/** A full manual compaction of the ledger's LevelDB (classic-level's compactRange; `level` is it on Node). */
async function compactLedger(dataDir: string): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(join(dataDir, 'ledger'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await (db as unknown as { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }).compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
  } finally {
    await db.close();
  }
}

function bytesPerEntry(group: string, name: string, bytes: number, entries: number, note: string): BenchResult {
  return summarize(group, name, [bytes / entries], 'B/entry', note);
}

/** Grows one ledger through the plan's sizes (groups of 1,000) and measures it at each. */
async function ledgerGrowth(dir: string, plan: Plan): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const firstRate: { append?: number; cached?: number; cold?: number } = {};
  const vsFirst = (r: BenchResult, key: keyof typeof firstRate): void => {
    const first = firstRate[key];
    if (first === undefined) firstRate[key] = r.median;
    else r.note = `${r.note ?? ''}; ×${(r.median / first).toFixed(2)} of ${sizeLabel(plan.sizes[0]!)}`.replace(/^; /, '');
  };
  let ledger = await Ledger.open({ dataDir: dir, maxGroup: 1000 });
  let size = 0;
  try {
    for (const n of plan.sizes) {
      const at = sizeLabel(n);
      log(`ledger: growing to ${at}`);
      const grown = await growTo((entries) => Promise.all(entries.map((e) => ledger.append(e))), size, n, 1000, (s) => log(`ledger: ${s} entries`));
      size = n;
      const cpu = `CPU ${cpuNote(grown.cpuMicros)} (main thread ${cpuNote(grown.mainMicros)}, other threads ${cpuNote(grown.otherMicros)}, the busiest of them ${cpuNote(grown.busiestOtherMicros)})`;
      const append = summarize('ledger: growth', `append @${at}`, grown.rates, 'appends/s', `groups of 1,000; 5 windows over the last tenth; ${cpu}`);
      vsFirst(append, 'append');
      out.push(append);
      if (firstRate.append !== undefined && n !== plan.sizes[0]) {
        // The flatness figure itself: both rates are rows of this run, their ratio one more.
        out.push(summarize('ledger: growth', `append @${at} / @${sizeLabel(plan.sizes[0]!)}`, [(100 * append.median) / firstRate.append], '%', 'rate near this size over the rate near the first, same run, same ledger'));
      }

      log(`ledger: proofs at ${at}`);
      await warmCache(ledger, n);
      await checkLedgerProof(ledger, n);
      const cached = await ledgerProofs(ledger, n, `cached @${at}`, 1, plan);
      vsFirst(cached, 'cached');
      out.push(cached);
      await ledger.close();
      const written = await diskUsage(dir);

      const cold = await Ledger.open({ dataDir: dir, tileCacheTiles: 1 });
      try {
        await checkLedgerProof(cold, n);
        const one = await ledgerProofs(cold, n, `cold @${at}`, 1, plan);
        vsFirst(one, 'cold');
        out.push(one, await ledgerProofs(cold, n, `cold @${at}, ${COLD_IN_FLIGHT} in flight`, COLD_IN_FLIGHT, plan));
      } finally {
        await cold.close();
      }

      log(`ledger: compacting at ${at}`);
      await compactLedger(dir);
      const compacted = await diskUsage(dir);
      out.push(
        bytesPerEntry('disk', `ledger @${at}, as written`, written.allocated, n, `du after close; ${(written.apparent / n).toFixed(0)} B/entry apparent`),
        bytesPerEntry('disk', `ledger @${at}, compacted`, compacted.allocated, n, 'after a full compactRange'),
      );
      ledger = await Ledger.open({ dataDir: dir, maxGroup: 1000 });
    }
  } finally {
    await ledger.close();
  }
  return out;
}

/** The same growth for Hypercore: append rate near each size, proofs/s, bytes on disk (no compaction). */
async function hypercoreGrowth(Hypercore: NonNullable<ReturnType<typeof loadHypercore>>, dir: string, plan: Plan): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  let core = await openCore(Hypercore, dir);
  try {
    for (const n of plan.sizes) {
      const at = sizeLabel(n);
      log(`hypercore: growing to ${at}`);
      const grown = await growCore(core, n, (s) => log(`hypercore: ${s} entries`));
      out.push(summarize('peer: hypercore growth', `append @${at}`, grown.rates, 'appends/s', `batches of 1,000; no fsync; CPU ${cpuNote(grown.cpuMicros)}`));
      await core.close();
      const written = await diskUsage(dir);
      out.push(bytesPerEntry('disk', `hypercore @${at}, as written`, written.allocated, n, `du after close; ${(written.apparent / n).toFixed(0)} B/entry apparent`));
      core = await openCore(Hypercore, dir);
      await checkHypercoreProof(Hypercore, core, join(dir, '..', `hypercore-check-${n}`));
      const proofs = await hypercoreProofs(core, `@${at} (reopened)`, 1, plan);
      proofs.note = `${proofs.note ?? ''}; 1 in flight; path + upgrade (roots, signature)`;
      out.push(proofs);
    }
  } finally {
    await core.close();
  }
  return out;
}

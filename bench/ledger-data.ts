/**
 * What the ledger benchmarks feed and weigh: entries shaped like real deposits, the disk a directory
 * takes, and the driver that grows a log to a size while timing its appends.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { measure, type BenchResult, type CaseOptions } from './harness.js';

const BASE_TIME = Date.UTC(2026, 0, 1);
const encoder = new TextEncoder();

/**
 * `count` deposit entries numbered from `first`, as the server writes them (UTF-8 JSON, about 330 bytes):
 * a random digest and nonce each, so neither LevelDB's block compression nor anything else sees repeats.
 */
export function depositEntries(first: number, count: number): Uint8Array[] {
  const rnd = randomBytes(48 * count);
  const out = new Array<Uint8Array>(count);
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const digest = rnd.toString('hex', 48 * k, 48 * k + 32);
    const nonce = rnd.toString('hex', 48 * k + 32, 48 * k + 48);
    const tenant = (i % 324).toString(16).padStart(8, '0');
    const uscc = `91430100MA4L${String(i % 1_000_000).padStart(6, '0')}`;
    const time = new Date(BASE_TIME + i * 37).toISOString();
    out[k] = encoder.encode(
      `{"v":1,"kind":"deposit","tenant":"t_${tenant}","subject":{"name":"湘江新材料科技有限公司","uscc":"${uscc}"},` +
        `"digest":{"sha256":"${digest}"},"size":${(i * 7919) % 50_000_000},` +
        `"hashedBy":"client","nonce":"${nonce}","time":"${time}"}`,
    );
  }
  return out;
}

/** Bytes a directory tree takes on disk (allocated blocks, as `du` counts them) and its apparent size. */
export async function diskUsage(dir: string): Promise<{ allocated: number; apparent: number }> {
  let allocated = 0;
  let apparent = 0;
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      const sub = await diskUsage(path);
      allocated += sub.allocated;
      apparent += sub.apparent;
    } else {
      const s = await stat(path);
      allocated += s.blocks * 512;
      apparent += s.size;
    }
  }
  return { allocated, apparent };
}

/**
 * Grows a log from `from` to `to` entries in rounds of `group` (each round: generate the entries, then
 * time `append` of all of them). Returns the rates (entries/s) of five equal windows over the last tenth
 * of `to`, so a figure "at 1e6" is what appending costs near 1e6 leaves, not an average since 0, and the
 * process CPU (all threads) per entry over that tenth, split into the main thread and the others (LevelDB's
 * compaction thread, the libuv pool that runs the synced writes, V8's helpers) where Linux counts per thread.
 */
export async function growTo(
  append: (entries: Uint8Array[]) => Promise<unknown>,
  from: number,
  to: number,
  group: number,
  progress?: (size: number) => void,
): Promise<GrowthCpu> {
  const tail = Math.max(Math.floor(to / 10), Math.min(group, to - from));
  const windowStart = Math.max(from, to - tail);
  const windowSize = Math.ceil((to - windowStart) / 5);
  const ms: number[] = [];
  const counts: number[] = [];
  let cpuTotal = 0;
  let cpuCount = 0;
  let mainMicros = 0;
  let otherMicros = 0;
  const perThread = new Map<string, number>();
  let size = from;
  let lastReport = performance.now();
  while (size < to) {
    const n = Math.min(group, to - size);
    const entries = depositEntries(size, n);
    const inWindow = size + n > windowStart;
    const threadsBefore = inWindow ? threadCpu() : undefined;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await append(entries);
    const end = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    size += n;
    if (threadsBefore !== undefined) {
      const split = threadCpuSince(threadsBefore, perThread);
      mainMicros += split.main;
      otherMicros += split.others;
    }
    if (size > windowStart) {
      cpuTotal += cpu.user + cpu.system;
      cpuCount += n;
      const w = Math.min(4, Math.floor((size - 1 - windowStart) / windowSize));
      ms[w] = (ms[w] ?? 0) + (end - start);
      counts[w] = (counts[w] ?? 0) + n;
    }
    if (progress && end - lastReport > 5000) {
      progress(size);
      lastReport = end;
    }
  }
  const rates: number[] = [];
  ms.forEach((t, w) => {
    if (t > 0) rates.push(((counts[w] ?? 0) * 1000) / t);
  });
  const per = (us: number): number => (cpuCount > 0 ? us / cpuCount : 0);
  const busiest = Math.max(0, ...[...perThread].filter(([tid]) => tid !== String(process.pid)).map(([, us]) => us));
  return { rates, cpuMicros: per(cpuTotal), mainMicros: per(mainMicros), otherMicros: per(otherMicros), busiestOtherMicros: per(busiest) };
}

export interface GrowthCpu {
  /** Entries/s in each window. */
  rates: number[];
  /** Process CPU (user + system, every thread) per entry over the windows. */
  cpuMicros: number;
  /** The same split into the main thread and every other thread (0 where /proc/self/task is missing). */
  mainMicros: number;
  otherMicros: number;
  /** The busiest other thread alone (past 1e6 leaves: LevelDB's compaction thread). */
  busiestOtherMicros: number;
}

/** CPU µs of each thread of this process (Linux: /proc/self/task/<tid>/stat, utime + stime in 10 ms ticks). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * 1e4); // USER_HZ = 100
    } catch {
      // the thread has ended
    }
  }
  return out;
}

/** CPU µs of the main thread and of all the other threads since `before`; adds each thread's to `perThread`. */
function threadCpuSince(before: Map<string, number>, perThread: Map<string, number>): { main: number; others: number } {
  const mainTid = String(process.pid);
  let main = 0;
  let others = 0;
  for (const [tid, us] of threadCpu()) {
    const d = us - (before.get(tid) ?? 0);
    perThread.set(tid, (perThread.get(tid) ?? 0) + d);
    if (tid === mainTid) main += d;
    else others += d;
  }
  return { main, others };
}

/**
 * `measure`, plus the process CPU time (user + system, every thread: LevelDB's and RocksDB's included)
 * per operation, noted on the result. On a shared machine wall-clock rates swing with other processes'
 * load; CPU per operation much less, so the note says what one core could do.
 */
export async function measureCpu(
  group: string,
  name: string,
  fn: () => Promise<unknown>,
  opsPerCall: number,
  options: CaseOptions,
): Promise<BenchResult> {
  let ops = 0;
  const cpuStart = process.cpuUsage();
  const result = await measure(
    group,
    name,
    async () => {
      await fn();
      ops += opsPerCall;
    },
    opsPerCall,
    options,
  );
  const cpu = process.cpuUsage(cpuStart);
  const note = `CPU ${cpuNote((cpu.user + cpu.system) / ops)}`;
  result.note = result.note === undefined ? note : `${result.note}; ${note}`;
  return result;
}

export function cpuNote(micros: number): string {
  return `${micros < 10 ? micros.toFixed(2) : micros.toFixed(0)} µs/op`;
}

/** 1e5 → "1e5", 50000 → "5e4", 1234 → "1234". */
export function sizeLabel(n: number): string {
  const exp = Math.floor(Math.log10(n));
  const mant = n / 10 ** exp;
  return Number.isInteger(mant) && exp >= 3 ? `${mant}e${exp}` : String(n);
}

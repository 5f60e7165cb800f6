/**
 * The evidence package's exhibit list (证据目录, src/certificate/exhibit-*.ts): how many exhibits per second a
 * list is made at, for a list of the size a package holds (10,000 exhibits, about 830 pages; 2,000 at the ci
 * scale). Each exhibit is one of the checked-in fixture receipts (fixtures/receipts), parsed as make parses
 * it; the first list of a process also unwraps and parses the font, so one list is made before timing.
 *
 *   node dist/bench/exhibit-list-main.js [exhibits]
 */
import { readFileSync } from 'node:fs';
import { makeExhibitList, type ExhibitListInput } from '../src/certificate/index.js';
import { summarize, type BenchResult } from './harness.js';

const GROUP = 'exhibit-list';
const ROOT = new URL('../../', import.meta.url);
const NAMES = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'];

export interface ExhibitListBenchOptions {
  exhibits?: number;
  runs?: number;
}

export function benchInput(exhibits: number): ExhibitListInput {
  const receipts = NAMES.map((n) => readFileSync(new URL(`fixtures/receipts/${n}.receipt.json`, ROOT)));
  const cp = (JSON.parse(receipts[1]!.toString('utf8')) as { checkpoint: string }).checkpoint.split('\n');
  const digits = Math.max(3, String(exhibits).length);
  return {
    title: '（2026）湘01民初1234号 侵害商业秘密纠纷',
    origin: cp[0]!,
    checkpoint: { size: Number(cp[1]), rootHash: cp[2]! },
    exhibits: Array.from({ length: exhibits }, (_, i) => {
      const no = `E${String(i + 1).padStart(digits, '0')}`;
      return { no, receipt: receipts[i % receipts.length]!, receiptFile: `exhibits/${no}.receipt.json`, certificateFile: `exhibits/${no}.certificate.pdf` };
    }),
  };
}

export async function benchExhibitList(options: ExhibitListBenchOptions = {}): Promise<BenchResult[]> {
  const exhibits = options.exhibits ?? 10_000;
  const runs = options.runs ?? 3;
  const input = benchInput(exhibits);
  await makeExhibitList(benchInput(30)); // the font, once per process
  const rates: number[] = [];
  const seconds: number[] = [];
  const cpu: number[] = [];
  let size = 0;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const pdf = await makeExhibitList(input);
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    size = pdf.length;
    seconds.push(s);
    cpu.push((c.user + c.system) / 1e6);
    rates.push(exhibits / s);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  // CPU seconds beside wall seconds: on a shared machine the wall clock also counts others' work.
  return [summarize(GROUP, `exhibit list of ${exhibits.toLocaleString('en')} exhibits (zh)`, rates, 'exhibits/s', `${median(seconds).toFixed(2)} s a list (${median(cpu).toFixed(2)} s CPU), ${(size / 2 ** 20).toFixed(1)} MiB; goal: a 10,000-exhibit package in < 60 s`)];
}

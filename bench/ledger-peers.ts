/**
 * What the ledger is weighed against: raw LevelDB batches (the ceiling: the same store, no Merkle tree,
 * no signature) and Hypercore (a peer: a signed Merkle append-only log on RocksDB).
 *
 * Durability differs and is stated, never hidden: the ledger and the `sync: true` ceiling fdatasync every
 * batch before answering; Hypercore 11 writes RocksDB's WAL with default WriteOptions (sync = false), so an
 * acknowledged append survives a crash of the process but not of the machine (see bench/README.md).
 */
import { createRequire } from 'node:module';
import { Level } from 'level';
import { writeUint64 } from '../src/storage/keys.js';
import type { BenchResult } from './harness.js';
import { depositEntries, growTo, measureCpu } from './ledger-data.js';

export interface Timing {
  runs: number;
  minMs: number;
}

/** An 8-byte big-endian key, encoded as the ledger encodes its indexes. */
function key8(i: number): Uint8Array {
  const k = new Uint8Array(8);
  writeUint64(k, 0, i);
  return k;
}

/**
 * Chained batches of `group` puts with 8-byte keys, each written with `sync`. Values are 32 bytes, or with
 * `entries` the deposit entries the ledger writes (the ledger's payload with none of its work).
 */
export async function levelBatches(dir: string, group: number, sync: boolean, t: Timing, entries?: Uint8Array[]): Promise<BenchResult> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const values = entries ?? [new Uint8Array(32).fill(7)];
  let next = 0;
  try {
    return await measureCpu(
      sync ? 'ceiling: level sync' : 'ceiling: level no sync',
      entries ? `group ${group}, entries` : `group ${group}`,
      async () => {
        const batch = db.batch();
        for (let k = 0; k < group; k++) {
          batch.put(key8(next), values[next % values.length]!);
          next++;
        }
        await batch.write({ sync });
      },
      group,
      { runs: t.runs, minMs: t.minMs, unit: 'puts/s', note: entries ? `${values[0]!.length}-byte deposit entries as values` : '32-byte values' },
    );
  } finally {
    await db.close();
  }
}

/* ---------------------------------------------------------------- Hypercore (untyped CommonJS) */

interface HypercoreProof {
  hash: { index: number; nodes: unknown[] } | null;
  block: { index: number; value: Uint8Array | null; nodes: unknown[] } | null;
  upgrade: { start: number; length: number; nodes: unknown[]; signature: Uint8Array } | null;
  manifest: unknown;
}

interface HypercoreProofRequest {
  block?: { index: number; nodes: number };
  hash?: { index: number; nodes: number };
  upgrade?: { start: number; length: number };
}

export interface HypercoreLike {
  ready(): Promise<void>;
  close(): Promise<void>;
  append(blocks: Uint8Array | Uint8Array[]): Promise<{ length: number }>;
  proof(request: HypercoreProofRequest): Promise<HypercoreProof>;
  readonly length: number;
  readonly key: Uint8Array;
  readonly manifest: unknown;
  readonly core: { verify(proof: HypercoreProof): Promise<unknown> };
}

type HypercoreCtor = new (storage: string, key?: Uint8Array) => HypercoreLike;

/** Hypercore is a devDependency: without it the peer rows are skipped, not the benchmark. */
export function loadHypercore(): HypercoreCtor | undefined {
  try {
    return createRequire(import.meta.url)('hypercore') as HypercoreCtor;
  } catch {
    return undefined;
  }
}

export async function openCore(Hypercore: HypercoreCtor, dir: string, key?: Uint8Array): Promise<HypercoreLike> {
  const core = new Hypercore(dir, key);
  await core.ready();
  return core;
}

function asBuffers(entries: Uint8Array[]): Buffer[] {
  return entries.map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength));
}

/** `core.append` of `group` blocks per call (one call = one RocksDB write batch). */
export async function hypercoreAppends(Hypercore: HypercoreCtor, dir: string, group: number, t: Timing): Promise<BenchResult> {
  const core = await openCore(Hypercore, dir);
  const pool = asBuffers(depositEntries(0, Math.max(4 * group, 4096)));
  let next = 0;
  try {
    return await measureCpu(
      'peer: hypercore append',
      `batch ${group}`,
      async () => {
        const blocks = new Array<Buffer>(group);
        for (let k = 0; k < group; k++) {
          blocks[k] = pool[next]!;
          next = (next + 1) % pool.length;
        }
        await core.append(group === 1 ? blocks[0]! : blocks);
      },
      group,
      { runs: t.runs, minMs: t.minMs, unit: 'appends/s', note: 'no fsync (WAL written, not synced)' },
    );
  } finally {
    await core.close();
  }
}

/** Grows a core to `to` blocks in batches of 1,000; see `growTo`. */
export function growCore(core: HypercoreLike, to: number, progress?: (n: number) => void): Promise<{ rates: number[]; cpuMicros: number }> {
  return growTo((entries) => core.append(asBuffers(entries)), core.length, to, 1000, progress);
}

/**
 * The peer of `ledger.inclusionProof(i, size)`: the Merkle path of leaf i (`hash` at flat-tree index 2i,
 * no nodes assumed known) plus the upgrade to the signed length (the other roots and the signature), i.e.
 * everything a reader that knows only the key needs. `inFlight` proofs are requested together.
 */
export function hypercoreProofs(core: HypercoreLike, name: string, inFlight: number, t: Timing): Promise<BenchResult> {
  const length = core.length;
  return measureCpu(
    'peer: hypercore proof',
    name,
    () =>
      Promise.all(
        Array.from({ length: inFlight }, () =>
          core.proof({ hash: { index: 2 * Math.floor(Math.random() * length), nodes: 0 }, upgrade: { start: 0, length } }),
        ),
      ),
    inFlight,
    { runs: t.runs, minMs: t.minMs, unit: 'proofs/s' },
  );
}

/**
 * Checks once that Hypercore's proofs are real: a reader that has only the key accepts a block proof for a
 * random index, and rejects the same proof with the block's value changed.
 */
export async function checkHypercoreProof(Hypercore: HypercoreCtor, core: HypercoreLike, dir: string): Promise<void> {
  const index = Math.floor(Math.random() * core.length);
  const request = { block: { index, nodes: 0 }, upgrade: { start: 0, length: core.length } };
  const good = await core.proof(request);
  const bad = await core.proof(request);
  good.manifest = core.manifest;
  bad.manifest = core.manifest;
  if (bad.block?.value) bad.block.value = Uint8Array.from(bad.block.value, (b) => b ^ 1);
  const reader = await openCore(Hypercore, `${dir}-reader`, core.key);
  const tampered = await openCore(Hypercore, `${dir}-tampered`, core.key);
  try {
    await reader.core.verify(good);
    if (reader.length !== core.length) throw new Error(`hypercore reader did not take the proof (length ${reader.length})`);
    const rejected = await tampered.core.verify(bad).then(
      () => false,
      () => true,
    );
    if (!rejected) throw new Error('hypercore reader accepted a proof of a changed block');
  } finally {
    await reader.close();
    await tampered.close();
  }
}

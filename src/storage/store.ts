/**
 * LedgerStore: the ledger's LevelDB, and nothing else. It knows keys and values, not trees: the integrator
 * decides what one commit holds and hands it over as one batch written with `sync: true`.
 *
 * Append-only by construction: entries and checkpoints are only ever `put` at keys that did not exist before
 * (tiles grow by rewriting the same key with a longer value that keeps the old bytes as its prefix). The one
 * delete there is, `rewriteExtra`, takes keys of the layers above alone (`x …`): the repair of records derived
 * from the entries (`cunzheng fsck --reindex`), never an entry, a tile, a checkpoint or the state.
 */
import { Level } from 'level';
import { statfs, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { checkWriteAheadLogs, type WalProblem } from './wal-check.js';
import { makeShadow } from './shadow.js';
import {
  STATE_KEY, TAG_CHECKPOINT, TAG_ENTRY, TAG_EXTRA, checkpointKey, entryKey, metaKey, numberedRange, readUint64, tileKey,
} from './keys.js';
import { decodeState, encodeState, type TreeState } from './state.js';
import { BatchedGet } from './batched-get.js';
import { prefixEnd, scanEntries, scanKeys, type Range } from './scan.js';

type Bytes = Uint8Array;

export interface CommitGroup {
  /** The first index of `entries`. */
  firstIndex: number;
  entries: Bytes[];
  /** Tiles changed by this group: their complete current bytes. */
  tiles: { level: number; index: number; data: Bytes }[];
  /** Signed checkpoint notes to store (of trees already durable: a group's own is signed after it lands). */
  checkpoints: { treeSize: number; note: Bytes }[];
  state: TreeState;
  /** Keys of the layers above, committed atomically with the entries. */
  extra?: [Bytes, Bytes][];
}

const WRITE_BUFFER_BYTES = 64 * 1024 * 1024;

/** Free space a reopen needs beyond the logs it replays (LevelDB writes them out as a table, then a new log). */
const REOPEN_SPARE_BYTES = 16 * 1024 * 1024;

function openLevel(dir: string): Level<Bytes, Bytes> {
  return new Level<Bytes, Bytes>(dir, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: WRITE_BUFFER_BYTES });
}

/**
 * Why a store refuses writes: after a failed write LevelDB's log may end in a torn record, and every
 * record appended after it would be lost at the next open (recovery drops what follows a damaged block).
 * Only a reopen — which replays the log up to the tear and starts a new one — makes writing safe again.
 */
export interface Fence {
  cause: unknown;
  since: number;
}

export class LedgerStore {
  private batched: BatchedGet;
  private fenced: Fence | undefined;
  private onFence: ((f: Fence) => void) | undefined;

  /** While a reopen runs: reads wait for it instead of failing on a closed handle. */
  private reopening: Promise<void> | undefined;

  private constructor(private level: Level<Bytes, Bytes>, readonly dir: string, private readonly cleanup?: () => Promise<void>) {
    this.batched = new BatchedGet(level);
  }

  /** The LevelDB handle (tests and the store's own helpers; it changes when the store is reopened). */
  get db(): Level<Bytes, Bytes> {
    return this.level;
  }

  /**
   * Opens (creating) the store. A second process on the same directory fails with STORE_LOCKED; a
   * write-ahead log that LevelDB would repair by dropping records is refused (STORE_WAL_CORRUPT) before
   * LevelDB touches it, so what it holds stays on disk for whoever investigates.
   */
  static async open(dir: string): Promise<LedgerStore> {
    // A 64 MiB write buffer (LevelDB's default is 4 MiB): every group batch holds sequential keys
    // (checkpoint, entries, tiles) and random ones (digest and id indexes), so each level-0 table spans
    // the whole key space and every level-0 compaction rewrites level 1. Sixteen times fewer level-0
    // tables cut the compaction thread's CPU from 10.6 to 4.4 µs per deposit (1e6 deposits, in process).
    // The cost: up to 64 MiB of log replayed (and checked) when a crashed store reopens.
    const problems = await checkWriteAheadLogs(dir);
    if (problems.length > 0) {
      const p = problems[0]!;
      throw new CunzhengError('STORE_WAL_CORRUPT', `the write-ahead log ${join(dir, p.file)} is damaged at byte ${p.offset} (${p.reason}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''}): opening it would silently drop acknowledged records. Nothing was changed; keep a copy of the data directory, then restore it from a backup or investigate with cunzheng fsck`, {
        details: { problems },
      });
    }
    return new LedgerStore(await LedgerStore.openLevel(dir), dir);
  }

  /**
   * Opens a stopped store without changing a byte of it (fsck): LevelDB cannot open read-only — even a
   * clean open rewrites its manifest, and a store that crashed has its log replayed and deleted — so it
   * opens a shadow copy (tables hard-linked where the file system allows, since LevelDB never changes a
   * table in place; logs, manifest and CURRENT copied). The write-ahead logs are checked in the original
   * first; their problems are returned, not thrown. `close` removes the shadow.
   */
  static async openShadow(dir: string): Promise<{ store: LedgerStore; walProblems: WalProblem[] }> {
    const walProblems = await checkWriteAheadLogs(dir);
    const shadow = await makeShadow(dir);
    try {
      return { store: new LedgerStore(await LedgerStore.openLevel(shadow.dir), dir, shadow.remove), walProblems };
    } catch (e) {
      await shadow.remove();
      throw e;
    }
  }

  private static async openLevel(dir: string): Promise<Level<Bytes, Bytes>> {
    const db = openLevel(dir);
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new CunzhengError('STORE_LOCKED', `the data directory ${dir} is in use by another process (LevelDB lock held)`, { cause: e });
      }
      throw new CunzhengError('STORE_OPEN_FAILED', `cannot open the ledger store in ${dir}: ${(e as Error).message}`, { cause: e });
    }
    return db;
  }

  /** Set when a write failed; cleared only by `unfence` after a reopen. */
  get fence(): Fence | undefined {
    return this.fenced;
  }

  /** Called once each time the store becomes fenced (the ledger starts its recovery from it). */
  setFenceListener(listener: (f: Fence) => void): void {
    this.onFence = listener;
  }

  private checkWritable(): void {
    if (this.fenced !== undefined) {
      throw new CunzhengError('STORE_FENCED', `the store refuses writes since a write failed (${(this.fenced.cause as Error)?.message ?? 'unknown error'}); it is being reopened`, {
        cause: this.fenced.cause,
        details: { retryAfterSeconds: 5 },
      });
    }
  }

  /** Runs a write; a failure fences the store (no write until it is reopened and unfenced). */
  private async guarded(write: () => Promise<void>): Promise<void> {
    this.checkWritable();
    try {
      await write();
    } catch (e) {
      if (this.fenced === undefined) {
        this.fenced = { cause: e, since: Date.now() };
        this.onFence?.(this.fenced);
      }
      throw e;
    }
  }

  /**
   * True when the file system has room for a reopen: the logs it replays, written out as a table, plus
   * a new log. A reopen on a full disk would fail half way and leave the store closed.
   */
  async hasRoomToReopen(): Promise<boolean> {
    let logs = 0;
    for (const name of await readdir(this.dir)) if (name.endsWith('.log')) logs += (await stat(join(this.dir, name))).size;
    const fsStat = await statfs(this.dir);
    return fsStat.bavail * fsStat.bsize >= logs + REOPEN_SPARE_BYTES;
  }

  /**
   * Closes and reopens LevelDB after a failed write: the reopen replays the log up to its torn record and
   * continues in a new log file. The store stays fenced: the caller proves the reopened state and then
   * calls `unfence`. The WAL check runs first, as at any open.
   */
  async reopen(): Promise<void> {
    let done!: () => void;
    this.reopening = new Promise<void>((resolve) => (done = resolve));
    try {
      await this.reopenLevel();
    } finally {
      this.reopening = undefined;
      done();
    }
  }

  private async reopenLevel(): Promise<void> {
    await this.level.close();
    const problems = await checkWriteAheadLogs(this.dir);
    // A torn tail is expected here and not a problem; anything else is damage that must not be replayed.
    if (problems.length > 0) {
      throw new CunzhengError('STORE_WAL_CORRUPT', `the write-ahead log is damaged at byte ${problems[0]!.offset} of ${problems[0]!.file} (${problems[0]!.reason}); the store stays closed`, { details: { problems } });
    }
    this.level = await LedgerStore.openLevel(this.dir);
    this.batched = new BatchedGet(this.level);
  }

  /** Lets writes through again: call only after the reopened state was proven. */
  unfence(): void {
    this.fenced = undefined;
  }

  async close(): Promise<void> {
    if (this.level.status === 'open' || this.level.status === 'opening') await this.level.close();
  }

  private async get(key: Bytes): Promise<Bytes | undefined> {
    return (await this.level.get(key)) ?? undefined;
  }

  async readState(): Promise<TreeState | undefined> {
    const v = await this.get(STATE_KEY);
    return v === undefined ? undefined : decodeState(v);
  }

  async readMeta(name: string): Promise<string | undefined> {
    const v = await this.get(metaKey(name));
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }

  async writeMeta(name: string, value: string): Promise<void> {
    await this.guarded(() => this.level.put(metaKey(name), new TextEncoder().encode(value), { sync: true }));
  }

  readEntry(index: number): Promise<Bytes | undefined> {
    return this.get(entryKey(index));
  }

  /** Iterates entries [from, to) in index order, without holding them all. */
  async *iterateEntries(from: number, to: number): AsyncGenerator<[number, Bytes]> {
    for await (const [k, v] of this.level.iterator(numberedRange(TAG_ENTRY, from, to))) yield [readUint64(k, 1), v];
  }

  readTile(level: number, index: number): Promise<Bytes | undefined> {
    return this.get(tileKey(level, index));
  }

  async readTiles(keys: { level: number; index: number }[]): Promise<(Bytes | undefined)[]> {
    if (keys.length === 0) return [];
    if (this.reopening !== undefined) await this.reopening;
    const values = await this.level.getMany(keys.map((k) => tileKey(k.level, k.index)));
    return values.map((v) => v ?? undefined);
  }

  async readCheckpoint(treeSize: number): Promise<Bytes | undefined> {
    return this.get(checkpointKey(treeSize));
  }

  /** The note of the largest stored checkpoint below `treeSize`, if any. */
  async lastCheckpointBefore(treeSize: number): Promise<Bytes | undefined> {
    if (this.reopening !== undefined) await this.reopening;
    const range = numberedRange(TAG_CHECKPOINT, 0, treeSize);
    const found = await this.level.iterator({ ...range, reverse: true, limit: 1 }).all();
    return found[0]?.[1];
  }

  /** Every stored checkpoint in size order, as [treeSize, note]. */
  async *iterateCheckpoints(): AsyncGenerator<[number, Bytes]> {
    for await (const [k, v] of this.level.iterator(numberedRange(TAG_CHECKPOINT, 0, Number.MAX_SAFE_INTEGER))) yield [readUint64(k, 1), v];
  }

  /** A point read of a key of the layers above, coalesced with the other reads of this event-loop turn. */
  async getExtra(key: Bytes): Promise<Bytes | undefined> {
    if (this.reopening !== undefined) await this.reopening;
    return this.batched.get(key);
  }

  /** Several point reads of keys of the layers above, coalesced like getExtra. */
  async getExtraMany(keys: Bytes[]): Promise<(Bytes | undefined)[]> {
    if (this.reopening !== undefined) await this.reopening;
    return this.batched.getMany(keys);
  }

  /** Durable writes of keys of the layers above that are not tied to an entry (tenants). Never deletes. */
  async putExtra(pairs: [Bytes, Bytes][]): Promise<void> {
    await this.guarded(() => {
      const batch = this.level.batch();
      for (const [k, v] of pairs) batch.put(k, v);
      return batch.write({ sync: true });
    });
  }

  /**
   * One durable batch of puts and deletes of keys of the layers above (each must start with the `x` tag:
   * LEDGER_BAD_ENTRY otherwise, and nothing is written) — for rewriting records derived from the entries.
   */
  async rewriteExtra(puts: [Bytes, Bytes][], dels: Bytes[]): Promise<void> {
    for (const k of [...puts.map(([key]) => key), ...dels]) {
      if (k[0] !== TAG_EXTRA) throw new CunzhengError('LEDGER_BAD_ENTRY', 'only records of the layers above (x …) can be rewritten');
    }
    await this.guarded(() => {
      const batch = this.level.batch();
      for (const k of dels) batch.del(k);
      for (const [k, v] of puts) batch.put(k, v);
      return batch.write({ sync: true });
    });
  }

  /** Every extra key starting with `prefix` (a full key, tag included), in key order. */
  async *iterateExtra(prefix: Bytes): AsyncGenerator<[Bytes, Bytes]> {
    for await (const kv of this.level.iterator({ gte: prefix, lt: prefixEnd(prefix) })) yield kv;
  }

  /** Every extra key starting with `prefix`, keys only, handed over in chunks (for in-memory indexes). */
  scanExtraKeys(prefix: Bytes, onChunk: (keys: Bytes[]) => void, chunk = 1000): Promise<void> {
    return scanKeys(this.level, { gte: prefix, lt: prefixEnd(prefix) }, onChunk, chunk);
  }

  /** Up to `limit` keys and values of [gte, lt), in key order (from the last key backwards with `reverse`). */
  async readRange(range: { gte: Bytes; lt: Bytes }, limit: number, reverse = false): Promise<[Bytes, Bytes][]> {
    if (this.reopening !== undefined) await this.reopening;
    return this.level.iterator({ ...range, limit, reverse }).all();
  }

  /** Every key and value of [gte, lt), handed over a thousand at a time (scan.ts). */
  scanRange(range: Range, onChunk: (kv: [Bytes, Bytes][]) => void): Promise<void> {
    return scanEntries(this.level, range, onChunk);
  }

  /** A durable write of signed checkpoint notes alone. */
  async putCheckpoints(checkpoints: { treeSize: number; note: Bytes }[]): Promise<void> {
    await this.guarded(() => {
      const batch = this.level.batch();
      for (const c of checkpoints) batch.put(checkpointKey(c.treeSize), c.note);
      return batch.write({ sync: true });
    });
  }

  /** One durable write: entries, tiles, checkpoints, state and extra keys, or nothing. */
  async commit(group: CommitGroup): Promise<void> {
    await this.guarded(() => {
      const batch = this.level.batch();
      group.entries.forEach((e, i) => batch.put(entryKey(group.firstIndex + i), e));
      for (const t of group.tiles) batch.put(tileKey(t.level, t.index), t.data);
      for (const c of group.checkpoints) batch.put(checkpointKey(c.treeSize), c.note);
      batch.put(STATE_KEY, encodeState(group.state));
      if (group.extra) for (const [k, v] of group.extra) batch.put(k, v);
      return batch.write({ sync: true });
    });
  }
}

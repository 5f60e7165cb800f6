/**
 * The ledger: sequencer → integrator → prover over one LevelDB.
 *
 * Sequencer: appends queue up as runs (one entry, or a batch's entries kept together); a group (whole runs
 * up to `maxGroup` entries, whatever arrived while the previous group was being written) is integrated at
 * once. Integrator: one chained batch holds the group's entries, the tiles they changed and the tree
 * state, written with `sync: true`; the next group is prepared while it is written and written only after
 * it. Only when a group's batch has landed is its checkpoint signed (the tree is durable), written to the
 * signed-checkpoint record (fsynced apart from LevelDB) and its callers answered; the checkpoint note
 * itself rides in the next batch. Nothing acknowledged can be lost, and no checkpoint is ever signed for
 * a tree that is not on disk. Backpressure: a full queue rejects at once with LEDGER_BUSY.
 *
 * A failed write fences the ledger (LEDGER_FENCED, 503) until the store has been reopened and its state
 * proven to be the last durable tree or one of the groups whose write was in doubt: see recovery.ts.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { hashLeaf } from '../merkle/index.js';
import { parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { fromUtf8, utf8 } from '../crypto/index.js';
import { LedgerStore, type CommitGroup } from '../storage/store.js';
import { loadOrCreateLogKey } from './log-key.js';
import { LedgerTree, type PreparedAppend } from './tree.js';
import { Prover } from './prover.js';
import { CheckpointSigner } from './checkpoint-signer.js';
import { RECORD_META, openRecord, storedCheckpoint } from './open-checks.js';
import { Recovery, type Staged } from './recovery.js';

export const DEFAULT_ORIGIN = 'localhost/cunzheng';
/** The signed-checkpoint record, beside the store in the data directory. */
export const RECORD_FILE = 'checkpoint.signed';

export interface LedgerOptions {
  /** The data directory: LevelDB in `<dataDir>/ledger`, the log key in `<dataDir>/log.key`. */
  dataDir: string;
  /** The log's origin (and key name); used when the log is created, checked when it is reopened. */
  origin?: string;
  /** Entries per group commit (default 10,000: queued batches share one fsync; a larger run is a group alone). */
  maxGroup?: number;
  /** Entries waiting beyond which appends are refused with LEDGER_BUSY (default 100,000). */
  maxQueue?: number;
  /** Milliseconds to wait for more entries before committing a group that is not full (default 0). */
  groupDelayMs?: number;
  /** Full tiles kept expanded in memory (default 4096 ≈ 64 MiB). */
  tileCacheTiles?: number;
}

/** Keys and values of the layers above, written in the same batch as the entry (`position`: within its run). */
export type ExtraWrites = (leafIndex: number, leafHash: Uint8Array, position: number) => [Uint8Array, Uint8Array][];

export interface Appended {
  leafIndex: number;
  leafHash: Uint8Array;
  /** The size of the tree whose checkpoint was committed with this entry. */
  treeSize: number;
  /** That checkpoint: a signed note. */
  checkpoint: string;
  /** With `{ proof: true }`: the entry's inclusion proof in that tree. */
  proof?: Uint8Array[];
}

/** A run of entries appended together: consecutive leaves, committed in one group. */
export interface AppendedRun {
  firstIndex: number;
  leafHashes: Uint8Array[];
  treeSize: number;
  checkpoint: string;
  /** With `{ proofs: true }`: each entry's inclusion proof in that tree. Nodes shared by several proofs
   *  are the same Uint8Array objects (callers may memoize their encodings by identity). */
  proofs?: Uint8Array[][];
}

export interface Pending {
  entries: readonly Uint8Array[];
  extra: ExtraWrites | undefined;
  proofs: boolean;
  resolve: (a: AppendedRun) => void;
  reject: (e: unknown) => void;
}

export interface LedgerStats {
  queueDepth: number;
  groupsCommitted: number;
  entriesCommitted: number;
  lastGroupSize: number;
  lastCommitMs: number;
  /** Group sizes and commit latencies, for /metrics histograms (kept since open). */
  groupSizes: number[];
  commitMs: number[];
  /** Writes that failed (each fenced the ledger until the store was reopened) and recoveries since. */
  writeFailures: number;
  recoveries: number;
}

interface Released {
  treeSize: number;
  note: string;
}

export class Ledger {
  private readonly queue: Pending[] = [];
  /** Entries waiting in `queue` (a pending run holds one or more). */
  private queued = 0;
  private running = false;
  private scheduled = false;
  private closing = false;
  private latest: Released;
  /** Signed checkpoints not yet in LevelDB (each goes with the next batch; the record holds the newest). */
  private unstored: Released[] = [];
  /** When the newest checkpoint was committed (or, after a restart, when the log was opened). */
  private latestAt = Date.now();
  private readonly verifier: NoteVerifier;
  readonly stats: LedgerStats = { queueDepth: 0, groupsCommitted: 0, entriesCommitted: 0, lastGroupSize: 0, lastCommitMs: 0, groupSizes: [], commitMs: [], writeFailures: 0, recoveries: 0 };
  private idle: (() => void)[] = [];
  private readonly prover: Prover;
  private readonly recovery: Recovery;

  private constructor(
    readonly store: LedgerStore,
    private tree: LedgerTree,
    private readonly signer: CheckpointSigner,
    readonly verifierKey: string,
    latest: Released,
    unstored: Released[],
    private readonly opts: Required<Omit<LedgerOptions, 'origin' | 'dataDir'>> & { dataDir: string },
  ) {
    this.latest = latest;
    this.unstored = unstored;
    this.verifier = parseVerifierKey(verifierKey);
    this.prover = new Prover(() => this.tree, () => this.latest.treeSize);
    this.recovery = new Recovery({
      store,
      signer,
      tree: () => this.tree,
      settled: () => this.settled(),
      closing: () => this.closing,
      released: (r, stored) => {
        this.released(r);
        if (!stored) this.unstored.push(r);
      },
      storeCheckpoints: () => this.storeCheckpoints(),
      resume: () => this.schedule(),
      onFailure: () => this.stats.writeFailures++,
      onRecovered: () => this.stats.recoveries++,
    });
    store.setFenceListener((f) => this.recovery.fenced(f.cause, []));
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const opts = {
      dataDir: options.dataDir,
      maxGroup: options.maxGroup ?? 10_000,
      maxQueue: options.maxQueue ?? 100_000,
      groupDelayMs: options.groupDelayMs ?? 0,
      tileCacheTiles: options.tileCacheTiles ?? 4096,
    };
    // The data directory holds the log key and every deposit: 0700 also when someone else made it.
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    await chmod(opts.dataDir, 0o700);
    const store = await LedgerStore.open(join(opts.dataDir, 'ledger'));
    let signer: CheckpointSigner | undefined;
    try {
      await chmod(store.dir, 0o700);
      const storedOrigin = await store.readMeta('origin');
      const key = await loadOrCreateLogKey(join(opts.dataDir, 'log.key'), options.origin ?? storedOrigin, DEFAULT_ORIGIN);
      const origin = key.signer.name;
      if (storedOrigin !== undefined && storedOrigin !== origin) {
        throw new CunzhengError('LOG_ORIGIN_MISMATCH', `the ledger in ${opts.dataDir} belongs to origin ${JSON.stringify(storedOrigin)}, the log key to ${JSON.stringify(origin)}`);
      }
      let state = await store.readState();
      if (state === undefined) {
        // A new log: the empty tree (durable by definition), signed below like any other.
        if (storedOrigin === undefined) await store.writeMeta('origin', origin);
        state = { treeSize: 0, hashes: [] };
        await store.commit({ firstIndex: 0, entries: [], tiles: [], checkpoints: [], state });
      }
      const verifier = parseVerifierKey(key.verifierKey);
      const tree = await LedgerTree.load(store, state.treeSize, state.hashes, opts.tileCacheTiles);
      let latest = await storedCheckpoint(store, tree, verifier, origin);
      tree.verifyEdge(); // the range is proven now: the edge tiles must be its
      const { record, signed } = await openRecord(join(opts.dataDir, RECORD_FILE), store, tree, verifier, origin);
      signer = new CheckpointSigner(key.signer, record);
      if (signed !== undefined) signer.remember(signed.treeSize, signed.rootHash);
      const unstored: Released[] = [];
      if (latest === undefined) {
        latest = { treeSize: tree.treeSize, note: signer.sign(tree.treeSize, tree.root()) };
        unstored.push(latest);
      } else signer.remember(tree.treeSize, tree.root());
      // The newest durable tree is what this process serves: it is released (recorded) before anything else.
      if (record.current?.note !== latest.note) await signer.release(latest.note);
      if (signed === undefined) await store.writeMeta(RECORD_META, RECORD_FILE);
      if (unstored.length > 0) await store.putCheckpoints(unstored.map((r) => ({ treeSize: r.treeSize, note: utf8(r.note) })));
      return new Ledger(store, tree, signer, key.verifierKey, latest, [], opts);
    } catch (e) {
      await signer?.close();
      await store.close();
      throw e;
    }
  }

  get origin(): string {
    return this.signer.origin;
  }

  get treeSize(): number {
    return this.latest.treeSize;
  }

  /** The newest signed checkpoint (of a durable tree). */
  get checkpoint(): string {
    return this.latest.note;
  }

  /** When the newest checkpoint was committed by this process (ms since the epoch; the open time after a restart). */
  get checkpointCommittedAt(): number {
    return this.latestAt;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** Why the ledger refuses appends now (a failed write it is recovering from), or undefined. */
  get fence(): { code: string; message: string; since: number } | undefined {
    return this.recovery.status;
  }

  get cacheStats(): { tiles: number; hits: number; misses: number } {
    const c = this.tree.cache;
    return { tiles: c.size, hits: c.hits, misses: c.misses };
  }

  /** Appends one entry; resolves once it is durable, with its index and the checkpoint that covers it. */
  async append(entry: Uint8Array, extra?: ExtraWrites, opts: { proof?: boolean } = {}): Promise<Appended> {
    const run = await this.appendRun([entry], extra, { proofs: opts.proof === true });
    const a: Appended = { leafIndex: run.firstIndex, leafHash: run.leafHashes[0]!, treeSize: run.treeSize, checkpoint: run.checkpoint };
    if (run.proofs !== undefined) a.proof = run.proofs[0]!;
    return a;
  }

  /**
   * Appends entries as consecutive leaves, in order, all in one group commit: all become durable
   * together or none does. `extra` is called for each entry. Resolves with the run's first index, leaf
   * hashes and checkpoint (and inclusion proofs when asked: computed once for the whole group).
   */
  appendRun(entries: readonly Uint8Array[], extra?: ExtraWrites, opts: { proofs?: boolean } = {}): Promise<AppendedRun> {
    return new Promise<AppendedRun>((resolve, reject) => {
      if (this.closing) return reject(new CunzhengError('LEDGER_CLOSED', 'the ledger is closing'));
      const fenced = this.recovery.error();
      if (fenced !== undefined) return reject(fenced);
      if (!Array.isArray(entries) || entries.length === 0) return reject(new CunzhengError('LEDGER_BAD_ENTRY', 'append at least one entry'));
      for (const entry of entries) {
        if (!(entry instanceof Uint8Array) || entry.length === 0) return reject(new CunzhengError('LEDGER_BAD_ENTRY', 'an entry is a non-empty byte string'));
      }
      if (this.queued + entries.length > this.opts.maxQueue) {
        return reject(new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1, queueDepth: this.queued } }));
      }
      // A copy: the queue counts these entries now and uncounts them when the group is taken.
      this.queue.push({ entries: entries.slice(), extra, proofs: opts.proofs === true, resolve, reject });
      this.queued += entries.length;
      this.stats.queueDepth = this.queued;
      this.schedule();
    });
  }

  /** True when `n` more entries fit in the queue now (callers that must append all or none check first). */
  hasRoom(n: number): boolean {
    return this.recovery.error() === undefined && this.queued + n <= this.opts.maxQueue;
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    const go = (): void => {
      this.scheduled = false;
      void this.run();
    };
    if (this.opts.groupDelayMs > 0 && this.queued < this.opts.maxGroup) setTimeout(go, this.opts.groupDelayMs);
    else setImmediate(go);
  }

  /** Takes whole runs off the queue, up to maxGroup entries (a run larger than that is a group alone). */
  private takeGroup(): { group: Pending[]; count: number } {
    let count = 0;
    let take = 0;
    while (take < this.queue.length && (take === 0 || count + this.queue[take]!.entries.length <= this.opts.maxGroup)) {
      count += this.queue[take]!.entries.length;
      take++;
    }
    const group = this.queue.splice(0, take);
    this.queued -= count;
    this.stats.queueDepth = this.queued;
    return { group, count };
  }

  /** Rejects every queued append (the ledger is fenced or closing). */
  private rejectQueued(e: unknown): void {
    for (const p of this.queue.splice(0)) p.reject(e);
    this.queued = 0;
    this.stats.queueDepth = 0;
  }

  /** Resolves when the integrator is not running. */
  private settled(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  /**
   * The integrator, a pipeline. While group N's batch is being written, group N+1 is prepared on top of it
   * (hashing, tiles). When N's write returns, N's checkpoint is signed, N+1's write starts at once
   * (carrying that checkpoint note), N's checkpoint is written to the signed-checkpoint record, and only
   * then are N's callers answered (their proofs built): the disk and the CPU both stay busy. A failed
   * write, or a failed record, rejects the callers of the groups in doubt and fences the ledger; the
   * recovery decides from the reopened store which of them landed.
   */
  private async run(): Promise<void> {
    this.running = true;
    try {
      let cur: Staged | undefined;
      let writing: Promise<unknown> | undefined;
      for (;;) {
        const fenced = this.recovery.error();
        if (fenced !== undefined) {
          this.rejectQueued(fenced);
          break;
        }
        if (cur === undefined) {
          if (this.queue.length === 0) {
            // Idle: the newest checkpoint goes to LevelDB on its own (the record already holds it).
            if (this.unstored.length > 0) await this.storeCheckpoints().catch(() => undefined);
            if (this.queue.length === 0) break;
            continue;
          }
          const { group, count } = this.takeGroup();
          cur = this.stageOrReject(group, count, undefined);
          if (cur === undefined) continue;
          writing = this.write(cur);
        }
        // Let requests that arrived meanwhile queue up, then prepare the next group during the write.
        await new Promise<void>((resolve) => setImmediate(resolve));
        let next: Staged | undefined;
        if (this.queue.length > 0 && this.recovery.error() === undefined) {
          const { group, count } = this.takeGroup();
          next = this.stageOrReject(group, count, cur);
        }
        const failed = await writing;
        if (failed !== undefined) {
          this.recovery.fenced(failed, next === undefined ? [cur] : [cur, next]);
          cur = undefined;
          continue;
        }
        // N is durable: sign its tree, start N+1's write, record N's checkpoint, answer N's callers.
        let note: string;
        try {
          note = this.signer.sign(cur.treeSize, cur.root);
        } catch (e) {
          this.recovery.fenced(e, next === undefined ? [cur] : [cur, next], true);
          cur = undefined;
          continue;
        }
        this.unstored.push({ treeSize: cur.treeSize, note });
        const nextWriting = next === undefined ? undefined : this.write(next);
        const recordFailed = await this.signer.release(note).then(() => undefined, (e: unknown) => e ?? new Error('record write failed'));
        if (recordFailed !== undefined) {
          if (nextWriting !== undefined) await nextWriting;
          this.recovery.fenced(recordFailed, next === undefined ? [cur] : [cur, next]);
          cur = undefined;
          continue;
        }
        await this.finish(cur, note);
        cur = next;
        writing = nextWriting;
      }
    } finally {
      this.running = false;
      const waiting = this.idle;
      this.idle = [];
      for (const w of waiting) w();
    }
  }

  /** Writes a staged group's batch (with the checkpoints not yet stored); resolves with undefined when it is durable, or with the error. */
  private write(s: Staged): Promise<unknown> {
    const carried = this.unstored.slice();
    s.commit.checkpoints = carried.map((r) => ({ treeSize: r.treeSize, note: utf8(r.note) }));
    return this.store.commit(s.commit).then(
      () => {
        this.stored(carried);
        return undefined;
      },
      (e: unknown) => e ?? new Error('write failed'),
    );
  }

  /** Writes the signed checkpoints not yet in LevelDB. */
  private async storeCheckpoints(): Promise<void> {
    const carried = this.unstored.slice();
    if (carried.length === 0) return;
    await this.store.putCheckpoints(carried.map((r) => ({ treeSize: r.treeSize, note: utf8(r.note) })));
    this.stored(carried);
  }

  private stored(carried: Released[]): void {
    if (carried.length > 0) this.unstored = this.unstored.filter((r) => !carried.includes(r));
  }

  private stageOrReject(group: Pending[], count: number, base: Staged | undefined): Staged | undefined {
    try {
      return this.stage(group, count, base);
    } catch (e) {
      for (const p of group) p.reject(e);
      return undefined;
    }
  }

  /** Hashes a group's entries and extends the tree (on top of `base` if given); signs nothing. */
  private stage(group: Pending[], count: number, base: Staged | undefined): Staged {
    const started = performance.now();
    const firstIndex = base === undefined ? this.tree.treeSize : base.treeSize;
    const entries: Uint8Array[] = new Array(count);
    const leafHashes: Uint8Array[] = new Array(count);
    const extra: [Uint8Array, Uint8Array][] = [];
    let at = 0;
    for (const p of group) {
      p.entries.forEach((entry, position) => {
        const h = hashLeaf(entry);
        entries[at] = entry;
        leafHashes[at] = h;
        if (p.extra) for (const kv of p.extra(firstIndex + at, h, position)) extra.push(kv);
        at++;
      });
    }
    const prepared: PreparedAppend = this.tree.prepare(leafHashes, base?.prepared);
    const treeSize = firstIndex + count;
    const commit: CommitGroup = { firstIndex, entries, tiles: prepared.tiles, checkpoints: [], state: { treeSize, hashes: prepared.range.hashes() }, extra };
    return { group, count, firstIndex, leafHashes, prepared, treeSize, root: prepared.range.root(), started, commit };
  }

  /** A tree became durable and its checkpoint was recorded: it is what the ledger serves from now on. */
  private released(r: Released): void {
    this.latest = r;
    this.latestAt = Date.now();
  }

  /** A staged group is durable and its checkpoint recorded: make it the committed tree and answer its callers. */
  private async finish(s: Staged, note: string): Promise<void> {
    this.tree.apply(s.prepared);
    this.released({ treeSize: s.treeSize, note });
    this.recordStats(s.count, performance.now() - s.started);
    // The group is durable from here on: a failure to read proof nodes must not turn it into an error
    // (callers then build their proofs one by one).
    const proofs = s.group.some((p) => p.proofs) ? await this.prover.runProofs(s.firstIndex, s.count, s.treeSize).catch(() => undefined) : undefined;
    let at = 0;
    for (const p of s.group) {
      const n = p.entries.length;
      const run: AppendedRun = { firstIndex: s.firstIndex + at, leafHashes: s.leafHashes.slice(at, at + n), treeSize: s.treeSize, checkpoint: note };
      if (p.proofs && proofs !== undefined) run.proofs = proofs.slice(at, at + n);
      at += n;
      p.resolve(run);
    }
  }

  private recordStats(size: number, ms: number): void {
    const s = this.stats;
    s.groupsCommitted++;
    s.entriesCommitted += size;
    s.lastGroupSize = size;
    s.lastCommitMs = ms;
    if (s.groupSizes.length >= 4096) {
      s.groupSizes.shift();
      s.commitMs.shift();
    }
    s.groupSizes.push(size);
    s.commitMs.push(ms);
  }

  /** The inclusion proofs of the consecutive leaves [first, first + count) in the tree of `treeSize`, built together. */
  runProofs(first: number, count: number, treeSize: number): Promise<Uint8Array[][]> {
    return this.prover.runProofs(first, count, treeSize);
  }

  /** The inclusion proof of `leafIndex` in the tree of `treeSize` (any size up to the current one). */
  inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    return this.prover.inclusionProof(leafIndex, treeSize);
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
  consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    return this.prover.consistencyProof(from, to);
  }

  /** A C2SP hash tile of the current tree (width 256 = full), or undefined when the tree has no such tile. */
  tile(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    return this.tree.tileData(level, index, width);
  }

  /** The checkpoint signed at exactly `treeSize`, if one was (every group commit signs one). */
  async checkpointAt(treeSize: number): Promise<string | undefined> {
    if (treeSize === this.latest.treeSize) return this.latest.note;
    const size = this.prover.checkSize(treeSize, 'size');
    const pending = this.unstored.find((r) => r.treeSize === size);
    if (pending !== undefined) return pending.note;
    const raw = await this.store.readCheckpoint(size);
    return raw === undefined ? undefined : fromUtf8(raw, 'checkpoint');
  }

  /** The entry at `leafIndex`, or undefined beyond the tree; an entry the tree has but the store lacks is STORE_CORRUPT. */
  async entry(leafIndex: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.treeSize) return undefined;
    const e = await this.store.readEntry(leafIndex);
    if (e === undefined) {
      throw new CunzhengError('STORE_CORRUPT', `entry ${leafIndex} of the tree of ${this.treeSize} is missing from the store`, { details: { where: `entry ${leafIndex}` } });
    }
    return e;
  }

  /** Resolves when every queued append has been committed (or rejected). */
  flush(): Promise<void> {
    if (!this.running && !this.scheduled && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }

  /** Stops accepting appends, commits what is queued, stores the newest checkpoint, and closes the store. */
  async close(): Promise<void> {
    this.closing = true;
    await this.recovery.stop();
    while (this.running || this.scheduled || this.queue.length > 0) await this.flush();
    if (this.recovery.error() === undefined) await this.storeCheckpoints().catch(() => undefined);
    await this.signer.close();
    await this.store.close();
  }
}

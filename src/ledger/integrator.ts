/**
 * The sequencer and the integrator: appends queue up as runs (one entry, or a batch's entries kept
 * together); a group — whole runs up to `maxGroup` entries, whatever arrived while the previous group was
 * being written — is hashed into copies of the tree and written as one LevelDB batch with `sync: true`;
 * the next group is prepared while it is written and written only after it. When a group's batch has
 * landed its tree is durable: only then is its checkpoint signed, written to the signed-checkpoint record,
 * and its callers answered (the note itself rides in the next batch). A failed write hands the groups in
 * doubt to the recovery (recovery.ts), which fences appends until the store is proven again.
 */
import { CunzhengError } from '../errors.js';
import { utf8 } from '../crypto/index.js';
import type { LedgerStore } from '../storage/store.js';
import type { LedgerTree } from './tree.js';
import type { Prover } from './prover.js';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { Recovery, type Staged } from './recovery.js';
import { checkAppendOptions, newStats, recordGroup, stageGroup } from './stage.js';
import type { AppendOptions, AppendedRun, LedgerLog, LedgerStats, Pending, Released } from './types.js';

export interface IntegratorOptions {
  maxGroup: number;
  maxQueue: number;
  groupDelayMs: number;
  log?: LedgerLog;
  /** A group's digest keys, once its batch is durable (the digest filter learns them). */
  learn?: (digestKeys: readonly Uint8Array[]) => void;
}

export class Integrator {
  private readonly queue: Pending[] = [];
  /** Entries waiting in `queue` (a pending run holds one or more). */
  private queued = 0;
  private running = false;
  private scheduled = false;
  closing = false;
  /** The newest released checkpoint: what the ledger serves. */
  latest: Released;
  /** When the newest checkpoint was committed (or, after a restart, when the log was opened). */
  latestAt = Date.now();
  /** Signed checkpoints not yet in LevelDB (each goes with the next batch; the record holds the newest). */
  private unstored: Released[] = [];
  private idle: (() => void)[] = [];
  readonly stats: LedgerStats = newStats();
  readonly recovery: Recovery;

  constructor(
    private readonly store: LedgerStore,
    private readonly tree: LedgerTree,
    private readonly signer: CheckpointSigner,
    private readonly prover: Prover,
    latest: Released,
    private readonly opts: IntegratorOptions,
  ) {
    this.latest = latest;
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
      landed: (s) => opts.learn?.(s.digestKeys),
      resume: () => this.schedule(),
      onFailure: () => this.stats.writeFailures++,
      onRecovered: () => this.stats.recoveries++,
      ...(opts.log === undefined ? {} : { log: opts.log }),
    });
    store.setFenceListener((f) => this.recovery.fenced(f.cause, []));
  }

  /** A signed checkpoint not yet stored in LevelDB, by size. */
  pendingCheckpoint(treeSize: number): string | undefined {
    return this.unstored.find((r) => r.treeSize === treeSize)?.note;
  }

  /**
   * Appends entries as consecutive leaves, in order, all in one group commit: all become durable
   * together or none does, with their index keys. Resolves with the run's first index, leaf hashes and
   * checkpoint (and inclusion proofs when asked: computed once for the whole group).
   */
  appendRun(entries: readonly Uint8Array[], opts: AppendOptions = {}): Promise<AppendedRun> {
    return new Promise<AppendedRun>((resolve, reject) => {
      if (this.closing) return reject(new CunzhengError('LEDGER_CLOSED', 'the ledger is closing'));
      const fenced = this.recovery.error();
      if (fenced !== undefined) return reject(fenced);
      if (!Array.isArray(entries) || entries.length === 0) return reject(new CunzhengError('LEDGER_BAD_ENTRY', 'append at least one entry'));
      const bad = checkAppendOptions(entries, opts);
      if (bad !== undefined) return reject(bad);
      if (this.queued + entries.length > this.opts.maxQueue) {
        return reject(new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1, queueDepth: this.queued } }));
      }
      // Copies of the lists: the queue counts these entries now and uncounts them when the group is taken.
      this.queue.push({
        entries: entries.slice(), digestKeys: opts.digestKeys, listing: opts.listing, roots: opts.roots,
        leafKeys: opts.leafKeys?.slice(), records: opts.records?.slice(), proofs: opts.proofs === true, resolve, reject,
      });
      this.queued += entries.length;
      this.stats.queueDepth = this.queued;
      this.schedule();
    });
  }

  /** True when `n` more entries fit in the queue now (callers that must append all or none check first). */
  hasRoom(n: number): boolean {
    return this.queued + n <= this.opts.maxQueue;
  }

  schedule(): void {
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
  settled(): Promise<void> {
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
    const t0 = performance.now();
    const writing = this.store.commit(s.commit); // the batch is built synchronously; the fsync is LevelDB's thread's
    this.stats.stageMs.write += performance.now() - t0;
    return writing.then(
      () => {
        this.stored(carried);
        return undefined;
      },
      (e: unknown) => e ?? new Error('write failed'),
    );
  }

  /** Writes the signed checkpoints not yet in LevelDB. */
  async storeCheckpoints(): Promise<void> {
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
    const s = stageGroup(this.tree, group, count, base);
    this.stats.stageMs.hash += performance.now() - started;
    return s;
  }

  /** A tree became durable and its checkpoint was recorded: it is what the ledger serves from now on. */
  released(r: Released): void {
    this.latest = r;
    this.latestAt = Date.now();
  }

  /** A staged group is durable and its checkpoint recorded: make it the committed tree and answer its callers. */
  private async finish(s: Staged, note: string): Promise<void> {
    this.tree.apply(s.prepared);
    this.opts.learn?.(s.digestKeys);
    this.released({ treeSize: s.treeSize, note });
    recordGroup(this.stats, s.count, performance.now() - s.started);
    // The group is durable from here on: a failure to read proof nodes must not turn it into an error
    // (callers then build their proofs one by one).
    const t0 = performance.now();
    const proofs = s.group.some((p) => p.proofs) ? await this.prover.runProofs(s.firstIndex, s.count, s.treeSize).catch(() => undefined) : undefined;
    this.stats.stageMs.proofs += performance.now() - t0;
    let at = 0;
    for (const p of s.group) {
      const n = p.entries.length;
      const run: AppendedRun = { firstIndex: s.firstIndex + at, leafHashes: s.leafHashes.slice(at, at + n), treeSize: s.treeSize, checkpoint: note };
      if (p.proofs && proofs !== undefined) run.proofs = proofs.slice(at, at + n);
      at += n;
      p.resolve(run);
    }
  }

  /** Resolves when every queued append has been committed (or rejected). */
  flush(): Promise<void> {
    if (!this.running && !this.scheduled && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }

  /** Stops accepting appends, commits what is queued and stores the newest checkpoint. */
  async close(): Promise<void> {
    this.closing = true;
    await this.recovery.stop();
    while (this.running || this.scheduled || this.queue.length > 0) await this.flush();
    if (this.recovery.error() === undefined) await this.storeCheckpoints().catch(() => undefined);
  }
}

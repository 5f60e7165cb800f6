/**
 * The ledger: sequencer → integrator → prover over one LevelDB.
 *
 * Sequencer: appends queue up as runs (one entry, or a batch's entries kept together); a group (whole runs
 * up to `maxGroup` entries, whatever arrived while the previous group was being written) is integrated at
 * once. Integrator: one chained batch holds the group's entries, the tiles they changed, the checkpoint
 * signed for the new tree and the tree state, written with `sync: true`; the next group is prepared while
 * it is written and written only after it. Callers are answered only after their group's write returns,
 * and the checkpoint is signed only for the tree in that same batch: nothing acknowledged can be lost, and
 * no checkpoint names a tree that is not on disk. Backpressure: a full queue rejects at once with
 * LEDGER_BUSY.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { hashChildren, hashLeaf, buildConsistencyProof, inclusionNodes, inclusionSiblings, rehash, EMPTY_ROOT, type NodeID } from '../merkle/index.js';
import { openCheckpoint, signCheckpoint } from '../checkpoint/index.js';
import { parseVerifierKey, type NoteSigner, type NoteVerifier } from '../note/index.js';
import { fromUtf8, utf8 } from '../crypto/index.js';
import { LedgerStore, type CommitGroup } from '../storage/store.js';
import { loadOrCreateLogKey } from './log-key.js';
import { LedgerTree, type PreparedAppend } from './tree.js';

export const DEFAULT_ORIGIN = 'localhost/cunzheng';

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

/** A group prepared for writing: its batch, and what becomes the committed tree once it lands. */
interface Staged {
  group: Pending[];
  count: number;
  firstIndex: number;
  leafHashes: Uint8Array[];
  prepared: PreparedAppend;
  treeSize: number;
  note: string;
  started: number;
  commit: CommitGroup;
}

interface Pending {
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
}

export class Ledger {
  private readonly queue: Pending[] = [];
  /** Entries waiting in `queue` (a pending run holds one or more). */
  private queued = 0;
  private running = false;
  private scheduled = false;
  private closing = false;
  private writeFailed = false;
  private latest: { treeSize: number; note: string };
  /** When the newest checkpoint was committed (or, after a restart, when the log was opened). */
  private latestAt = Date.now();
  private readonly verifier: NoteVerifier;
  readonly stats: LedgerStats = { queueDepth: 0, groupsCommitted: 0, entriesCommitted: 0, lastGroupSize: 0, lastCommitMs: 0, groupSizes: [], commitMs: [] };
  private idle: (() => void)[] = [];
  /** Ephemeral proof nodes by "treeSize/level/index" (bounded; entries never go stale: trees never change). */
  private readonly ephemeral = new Map<string, Promise<Uint8Array>>();

  private constructor(
    readonly store: LedgerStore,
    private tree: LedgerTree,
    private readonly signer: NoteSigner,
    readonly verifierKey: string,
    latest: { treeSize: number; note: string },
    private readonly opts: Required<Omit<LedgerOptions, 'origin' | 'dataDir'>> & { dataDir: string },
  ) {
    this.latest = latest;
    this.verifier = parseVerifierKey(verifierKey);
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const opts = {
      dataDir: options.dataDir,
      maxGroup: options.maxGroup ?? 10_000,
      maxQueue: options.maxQueue ?? 100_000,
      groupDelayMs: options.groupDelayMs ?? 0,
      tileCacheTiles: options.tileCacheTiles ?? 4096,
    };
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const store = await LedgerStore.open(join(opts.dataDir, 'ledger'));
    try {
      const storedOrigin = await store.readMeta('origin');
      const key = await loadOrCreateLogKey(join(opts.dataDir, 'log.key'), options.origin ?? storedOrigin, DEFAULT_ORIGIN);
      const origin = key.signer.name;
      if (storedOrigin !== undefined && storedOrigin !== origin) {
        throw new CunzhengError('LOG_ORIGIN_MISMATCH', `the ledger in ${opts.dataDir} belongs to origin ${JSON.stringify(storedOrigin)}, the log key to ${JSON.stringify(origin)}`);
      }
      let state = await store.readState();
      if (state === undefined) {
        // A new log: commit the empty tree and its checkpoint, so /checkpoint answers from the start.
        const note = signCheckpoint({ origin, treeSize: 0, rootHash: EMPTY_ROOT, extensions: [] }, key.signer);
        if (storedOrigin === undefined) await store.writeMeta('origin', origin);
        await store.commit({ firstIndex: 0, entries: [], tiles: [], checkpoint: { treeSize: 0, note: utf8(note) }, state: { treeSize: 0, hashes: [] } });
        state = { treeSize: 0, hashes: [] };
      }
      const tree = await LedgerTree.load(store, state.treeSize, state.hashes, opts.tileCacheTiles);
      const latest = await Ledger.checkLatest(store, tree, parseVerifierKey(key.verifierKey), origin);
      return new Ledger(store, tree, key.signer, key.verifierKey, latest, opts);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** The stored root must match the last checkpoint: a ledger that does not is never served. */
  private static async checkLatest(store: LedgerStore, tree: LedgerTree, verifier: NoteVerifier, origin: string): Promise<{ treeSize: number; note: string }> {
    const raw = await store.readCheckpoint(tree.treeSize);
    if (raw === undefined) {
      throw new CunzhengError('LEDGER_CORRUPT', `no checkpoint is stored for the tree size ${tree.treeSize} in the state record`);
    }
    const note = fromUtf8(raw, 'checkpoint');
    let cp;
    try {
      cp = openCheckpoint(note, [verifier], { origin }).checkpoint;
    } catch (cause) {
      throw new CunzhengError('LEDGER_CORRUPT', `the checkpoint at size ${tree.treeSize} does not verify under the log key`, { cause });
    }
    const root = tree.root();
    if (cp.treeSize !== tree.treeSize || Buffer.compare(cp.rootHash, root) !== 0) {
      throw new CunzhengError('LEDGER_CORRUPT', `the stored tree (size ${tree.treeSize}) does not match its last checkpoint: refusing to serve it`);
    }
    return { treeSize: tree.treeSize, note };
  }

  get origin(): string {
    return this.signer.name;
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
    return this.queued + n <= this.opts.maxQueue;
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

  /**
   * The integrator, a pipeline. While group N's batch is being written, group N+1 is prepared on top of it
   * (hashing, tiles, the signed checkpoint). When N's write returns, N+1's write starts at once, and only
   * then are N's callers answered (their proofs built): the disk and the CPU both stay busy. N+1 is written
   * only after N's write has returned; a failure of N discards N+1's preparation and queues its entries
   * again. Nothing is answered before its own batch is durable.
   */
  private async run(): Promise<void> {
    this.running = true;
    try {
      let cur: Staged | undefined;
      let writing: Promise<unknown> | undefined;
      for (;;) {
        if (cur === undefined) {
          if (this.queue.length === 0) break;
          const { group, count } = this.takeGroup();
          if (this.writeFailed) {
            try {
              await this.resync();
            } catch (e) {
              for (const p of group) p.reject(e);
              continue;
            }
          }
          cur = this.stageOrReject(group, count, undefined);
          if (cur === undefined) continue;
          writing = this.write(cur);
        }
        // Let requests that arrived meanwhile queue up, then prepare the next group during the write.
        await new Promise<void>((resolve) => setImmediate(resolve));
        let next: Staged | undefined;
        if (this.queue.length > 0) {
          const { group, count } = this.takeGroup();
          next = this.stageOrReject(group, count, cur);
        }
        const failed = await writing;
        if (failed !== undefined) {
          this.writeFailed = true;
          const err = new CunzhengError('LEDGER_WRITE_FAILED', `the ledger could not write to disk: ${(failed as Error).message}`, {
            cause: failed,
            details: { retryAfterSeconds: 5 },
          });
          for (const p of cur.group) p.reject(err);
          if (next !== undefined) {
            // Prepared on top of a batch that did not land: queue its entries again, in order.
            this.queue.unshift(...next.group);
            this.queued += next.count;
            this.stats.queueDepth = this.queued;
          }
          cur = undefined;
          continue;
        }
        // N is durable: start N+1's write before answering N's callers.
        const nextWriting = next === undefined ? undefined : this.write(next);
        await this.finish(cur);
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

  /** Writes a staged group's batch; resolves with undefined when it is durable, or with the error. */
  private write(s: Staged): Promise<unknown> {
    return this.store.commit(s.commit).then(
      () => undefined,
      (e: unknown) => e ?? new Error('write failed'),
    );
  }

  /** After a failed write the batch may or may not be on disk: re-read the state before going on. */
  private async resync(): Promise<void> {
    const state = await this.store.readState();
    if (state === undefined) throw new CunzhengError('LEDGER_CORRUPT', 'the tree state disappeared');
    if (state.treeSize !== this.tree.treeSize) {
      this.tree = await LedgerTree.load(this.store, state.treeSize, state.hashes, this.opts.tileCacheTiles);
      this.latest = await Ledger.checkLatest(this.store, this.tree, this.verifier, this.origin);
    }
    this.writeFailed = false;
  }

  private stageOrReject(group: Pending[], count: number, base: Staged | undefined): Staged | undefined {
    try {
      return this.stage(group, count, base);
    } catch (e) {
      for (const p of group) p.reject(e);
      return undefined;
    }
  }

  /** Hashes a group's entries, extends the tree (on top of `base` if given) and signs its checkpoint. */
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
    const prepared = this.tree.prepare(leafHashes, base?.prepared);
    const treeSize = firstIndex + count;
    const note = signCheckpoint({ origin: this.origin, treeSize, rootHash: prepared.range.root(), extensions: [] }, this.signer);
    return {
      group,
      count,
      firstIndex,
      leafHashes,
      prepared,
      treeSize,
      note,
      started,
      commit: { firstIndex, entries, tiles: prepared.tiles, checkpoint: { treeSize, note: utf8(note) }, state: { treeSize, hashes: prepared.range.hashes() }, extra },
    };
  }

  /** A staged group is durable: make it the committed tree and answer its callers. */
  private async finish(s: Staged): Promise<void> {
    this.tree.apply(s.prepared);
    this.latest = { treeSize: s.treeSize, note: s.note };
    this.latestAt = Date.now();
    this.recordStats(s.count, performance.now() - s.started);
    // The group is durable from here on: a failure to read proof nodes must not turn it into an error
    // (callers then build their proofs one by one).
    const proofs = s.group.some((p) => p.proofs) ? await this.runProofs(s.firstIndex, s.count, s.treeSize).catch(() => undefined) : undefined;
    let at = 0;
    for (const p of s.group) {
      const n = p.entries.length;
      const run: AppendedRun = { firstIndex: s.firstIndex + at, leafHashes: s.leafHashes.slice(at, at + n), treeSize: s.treeSize, checkpoint: s.note };
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

  private checkSize(treeSize: unknown, what: string): number {
    if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new CunzhengError('LEDGER_BAD_SIZE', `${what} must be a non-negative integer`);
    }
    if (treeSize > this.treeSize) {
      throw new CunzhengError('LEDGER_SIZE_BEYOND_TREE', `${what} ${treeSize} is beyond the tree size ${this.treeSize}`, { details: { treeSize: this.treeSize } });
    }
    return treeSize;
  }

  /**
   * The inclusion proofs of the consecutive leaves [first, first + count) in the tree of `treeSize`, built
   * together: neighbouring leaves share most of their proof nodes (1,000 consecutive leaves need about
   * 2,000 distinct nodes for 20,000 proof hashes), so each node is read once and each ephemeral node
   * folded once, and shared nodes are the same Uint8Array objects in every proof that has them.
   */
  async runProofs(first: number, count: number, treeSize: number): Promise<Uint8Array[][]> {
    this.checkSize(treeSize, 'size');
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0 || first + count > treeSize) {
      throw new CunzhengError('LEDGER_BAD_INDEX', `leaves [${String(first)}, +${String(count)}) are not all below the tree size ${treeSize}`);
    }
    // Leaf i's proof is its `inner` path siblings, then a tail that depends only on its fork (the node
    // where its path leaves the right border): the ephemeral fold of the nodes right of the fork, then the
    // perfect subtrees left of it. Siblings are computed here; each fork's tail is planned once. No
    // per-leaf node objects: a group of 1,000 leaves has ~20,000 proof hashes but ~2,000 distinct nodes.
    // Node keys: index·64 + level is exact below 2^47 nodes on a level (far beyond any tree here).
    const need = new Map<number, NodeID>();
    const want = (level: number, index: number): number => {
      const k = index * 64 + level;
      if (!need.has(k)) need.set(k, { level, index });
      return k;
    };
    const inners = new Array<number>(count);
    const forkOf = new Array<number>(count);
    const tails = new Map<number, { keys: number[]; run: number; hashes?: Uint8Array[] }>();
    for (let i = 0; i < count; i++) {
      const leaf = first + i;
      const inner = inclusionSiblings(leaf, treeSize);
      let index = leaf;
      for (let level = 0; level < inner; level++) {
        want(level, index % 2 === 0 ? index + 1 : index - 1);
        index = Math.floor(index / 2);
      }
      const fork = index * 64 + inner;
      inners[i] = inner;
      forkOf[i] = fork;
      if (!tails.has(fork)) {
        const plan = inclusionNodes(leaf, treeSize);
        const ids = plan.ids.slice(inner);
        tails.set(fork, { keys: ids.map((id) => want(id.level, id.index)), run: plan.end > plan.begin ? plan.end - plan.begin : 0 });
      }
    }
    const unique = [...need.values()];
    const hashes = await this.tree.readNodes(unique);
    const byKey = new Map<number, Uint8Array>();
    unique.forEach((id, i) => byKey.set(id.index * 64 + id.level, hashes[i]!));
    const node = (k: number): Uint8Array => byKey.get(k)!;
    for (const tail of tails.values()) {
      const { keys, run } = tail;
      if (run === 0) {
        tail.hashes = keys.map(node);
        continue;
      }
      let h = node(keys[0]!);
      for (let j = 1; j < run; j++) h = hashChildren(node(keys[j]!), h);
      tail.hashes = [h, ...keys.slice(run).map(node)];
    }
    const proofs: Uint8Array[][] = new Array(count);
    for (let i = 0; i < count; i++) {
      const inner = inners[i]!;
      const tail = tails.get(forkOf[i]!)!.hashes!;
      const proof: Uint8Array[] = new Array(inner + tail.length);
      let index = first + i;
      for (let level = 0; level < inner; level++) {
        proof[level] = node((index % 2 === 0 ? index + 1 : index - 1) * 64 + level);
        index = Math.floor(index / 2);
      }
      for (let j = 0; j < tail.length; j++) proof[inner + j] = tail[j]!;
      proofs[i] = proof;
    }
    return proofs;
  }

  /** The inclusion proof of `leafIndex` in the tree of `treeSize` (any size up to the current one). */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    this.checkSize(treeSize, 'size');
    if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new CunzhengError('LEDGER_BAD_INDEX', `index must be an integer below the tree size ${treeSize}`);
    }
    const nodes = inclusionNodes(leafIndex, treeSize);
    const run = nodes.end - nodes.begin;
    if (run <= 1) return rehash(nodes, await this.tree.readNodes(nodes.ids));
    // The ephemeral node (the right border folded into one hash) is the same for every leaf whose proof
    // passes it in a tree of this size: every receipt of a group shares it. Hash it once; the promise is
    // cached, so the receipts of a group, built concurrently, wait for one computation.
    const key = `${treeSize}/${nodes.ephem.level}/${nodes.ephem.index}`;
    let ephem = this.ephemeral.get(key);
    if (ephem === undefined) {
      const runIds = nodes.ids.slice(nodes.begin, nodes.end);
      ephem = this.tree.readNodes(runIds).then((hs) => {
        let h = hs[0]!;
        for (let i = 1; i < hs.length; i++) h = hashChildren(hs[i]!, h);
        return h;
      });
      if (this.ephemeral.size >= 1024) this.ephemeral.delete(this.ephemeral.keys().next().value as string);
      this.ephemeral.set(key, ephem);
      ephem.catch(() => this.ephemeral.delete(key));
    }
    const ids = [...nodes.ids.slice(0, nodes.begin), ...nodes.ids.slice(nodes.end)];
    const hashes = await this.tree.readNodes(ids);
    hashes.splice(nodes.begin, 0, await ephem);
    return hashes;
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    this.checkSize(from, 'from');
    this.checkSize(to, 'to');
    if (from > to) throw new CunzhengError('LEDGER_BAD_SIZE', `from ${from} is larger than to ${to}`);
    return buildConsistencyProof(from, to, this.tree.readNodes);
  }

  /** A C2SP hash tile of the current tree (width 256 = full), or undefined when the tree has no such tile. */
  tile(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    return this.tree.tileData(level, index, width);
  }

  /** The checkpoint signed at exactly `treeSize`, if one was (every group commit signs one). */
  async checkpointAt(treeSize: number): Promise<string | undefined> {
    if (treeSize === this.latest.treeSize) return this.latest.note;
    const raw = await this.store.readCheckpoint(this.checkSize(treeSize, 'size'));
    return raw === undefined ? undefined : fromUtf8(raw, 'checkpoint');
  }

  entry(leafIndex: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.treeSize) return Promise.resolve(undefined);
    return this.store.readEntry(leafIndex);
  }

  /** Resolves when every queued append has been committed (or rejected). */
  flush(): Promise<void> {
    if (!this.running && !this.scheduled && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }

  /** Stops accepting appends, commits what is queued, and closes the store. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.running || this.scheduled || this.queue.length > 0) await this.flush();
    await this.store.close();
  }
}

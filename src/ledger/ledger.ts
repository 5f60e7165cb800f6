/**
 * The ledger: an append-only RFC 6962 log over one LevelDB. This is its face: `open` proves the store
 * before anything is served (open-checks.ts), appends go to the integrator (integrator.ts: sequencer,
 * group commits, checkpoints signed only for durable trees, recovery after a failed write), and reads —
 * entries, checkpoints, tiles, proofs — come from the committed tree through the prover (prover.ts).
 * Backpressure: a full queue rejects at once with LEDGER_BUSY; a failed write fences appends with
 * LEDGER_FENCED until the store has been reopened and proven.
 *
 * The ledger owns its storage: the layers above reach the records beside the entries only through
 * `records` (tenants, API keys, anchors), `index` (the deposit index) and `documents` (the document index),
 * whose keys travel with the entries of a run as data and are written in the same synced batch; nothing above
 * sees LevelDB.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { fromUtf8, utf8 } from '../crypto/index.js';
import { parseVerifierKey } from '../note/index.js';
import { LedgerStore } from '../storage/store.js';
import { loadOrCreateLogKey, loadOrCreateSm2LogKey, type LogKey } from './log-key.js';
import { LedgerTree } from './tree.js';
import { Prover } from './prover.js';
import { CheckpointSigner } from './checkpoint-signer.js';
import { RECORD_META, openRecord, storedCheckpoint, type LogVerifiers } from './open-checks.js';
import { Integrator } from './integrator.js';
import { LedgerRecords } from './records.js';
import { DepositIndex } from './deposit-index.js';
import { DocumentIndex } from './document-index.js';
import { backfillListings } from './listing-backfill.js';
import { backfillDocuments } from './documents-backfill.js';
import type { AppendOptions, Appended, AppendedRun, LedgerOptions, LedgerStats, Released } from './types.js';

export type { AppendOptions, Appended, AppendedRun, LeafKey, LedgerOptions, LedgerStats } from './types.js';

export const DEFAULT_ORIGIN = 'localhost/cunzheng';
/** The signed-checkpoint record, beside the store in the data directory. */
export const RECORD_FILE = 'checkpoint.signed';
/** The SM2 log key's file in the data directory when the log has one (`serve --sm2`; fsck reads it when present). */
export const SM2_KEY_FILE = 'log-sm2.key';

export class Ledger {
  private readonly prover: Prover;
  private readonly integrator: Integrator;
  /** The records beside the entries: tenants, API keys, anchors (record-keys.ts has the layout). */
  readonly records: LedgerRecords;
  /** The deposit index: digest → deposit, id → leaf, and the digest filter. */
  readonly index: DepositIndex;
  /** The document index: entry → document, a document's history, a tenant's documents, their states. */
  readonly documents: DocumentIndex;

  private constructor(
    private readonly store: LedgerStore,
    private readonly tree: LedgerTree,
    private readonly signer: CheckpointSigner,
    readonly verifierKey: string,
    /** The SM2 log key's verifier key (type 0xff, note/sm2.ts) when the log has one (`sm2KeyPath`), else undefined. */
    readonly sm2VerifierKey: string | undefined,
    latest: Released,
    private readonly opts: Required<Omit<LedgerOptions, 'origin' | 'dataDir' | 'log' | 'sm2KeyPath'>> & { dataDir: string; log?: LedgerOptions['log'] },
  ) {
    this.prover = new Prover(() => this.tree, () => this.integrator.latest.treeSize);
    this.records = new LedgerRecords(() => this.store);
    this.index = new DepositIndex(this.records, this);
    this.documents = new DocumentIndex(this.records, this, this.index);
    this.integrator = new Integrator(store, tree, signer, this.prover, latest, { ...opts, learn: (keys) => this.index.learn(keys) });
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const opts = {
      dataDir: options.dataDir,
      maxGroup: options.maxGroup ?? 10_000,
      maxQueue: options.maxQueue ?? 100_000,
      groupDelayMs: options.groupDelayMs ?? 0,
      tileCacheTiles: options.tileCacheTiles ?? 4096,
      ...(options.log === undefined ? {} : { log: options.log }),
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
      // The SM2 key, when asked for, is named after the origin; from now on every checkpoint carries its line
      // too (those signed before it stay Ed25519-only).
      const sm2: LogKey | undefined = options.sm2KeyPath === undefined ? undefined : await loadOrCreateSm2LogKey(options.sm2KeyPath, origin);
      const verifiers: LogVerifiers = [parseVerifierKey(key.verifierKey), ...(sm2 === undefined ? [] : [parseVerifierKey(sm2.verifierKey)])];
      const tree = await LedgerTree.load(store, state.treeSize, state.hashes, opts.tileCacheTiles);
      let latest = await storedCheckpoint(store, tree, verifiers, origin);
      tree.verifyEdge(); // the range is proven now: the edge tiles must be its
      const { record, signed } = await openRecord(join(opts.dataDir, RECORD_FILE), store, tree, verifiers, origin);
      signer = new CheckpointSigner(key.signer, record, sm2?.signer);
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
      await backfillListings(store, tree.treeSize, opts.log);
      await backfillDocuments(store, tree.treeSize, opts.log);
      return new Ledger(store, tree, signer, key.verifierKey, sm2?.verifierKey, latest, opts);
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
    return this.integrator.latest.treeSize;
  }

  /** The newest signed checkpoint (of a durable tree). */
  get checkpoint(): string {
    return this.integrator.latest.note;
  }

  /** When the newest checkpoint was committed by this process (ms since the epoch; the open time after a restart). */
  get checkpointCommittedAt(): number {
    return this.integrator.latestAt;
  }

  get stats(): LedgerStats {
    return this.integrator.stats;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** Why the ledger refuses appends now (a failed write it is recovering from), or undefined. */
  get fence(): { code: string; message: string; since: number } | undefined {
    return this.integrator.recovery.status;
  }

  get cacheStats(): { tiles: number; hits: number; misses: number } {
    const c = this.tree.cache;
    return { tiles: c.size, hits: c.hits, misses: c.misses };
  }

  /** Appends one entry; resolves once it is durable, with its index and the checkpoint that covers it. */
  async append(entry: Uint8Array, opts: { proof?: boolean } = {}): Promise<Appended> {
    const run = await this.appendRun([entry], { proofs: opts.proof === true });
    const a: Appended = { leafIndex: run.firstIndex, leafHash: run.leafHashes[0]!, treeSize: run.treeSize, checkpoint: run.checkpoint };
    if (run.proofs !== undefined) a.proof = run.proofs[0]!;
    return a;
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
    if (treeSize === this.treeSize) return this.checkpoint;
    const size = this.prover.checkSize(treeSize, 'size');
    const pending = this.integrator.pendingCheckpoint(size);
    if (pending !== undefined) return pending;
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

  /**
   * Appends entries as consecutive leaves, in order, all in one group commit: all become durable
   * together or none does, with their index keys (every entry's id; the digest keys given). Resolves with
   * the run's first index, leaf hashes and checkpoint (and inclusion proofs when asked: computed once for
   * the whole group).
   */
  appendRun(entries: readonly Uint8Array[], opts: AppendOptions = {}): Promise<AppendedRun> {
    return this.integrator.appendRun(entries, opts);
  }

  /** True when `n` more entries fit in the queue now (callers that must append all or none check first). */
  hasRoom(n: number): boolean {
    return this.integrator.hasRoom(n);
  }

  /** Resolves when every queued append has been committed (or rejected). */
  flush(): Promise<void> {
    return this.integrator.flush();
  }

  /** Stops accepting appends, commits what is queued, stores the newest checkpoint, and closes the store. */
  async close(): Promise<void> {
    await this.integrator.close();
    await this.signer.close();
    await this.store.close();
  }
}

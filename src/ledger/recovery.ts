/**
 * Recovery from a failed write. After any write to the store fails (a full disk, an I/O error), LevelDB's
 * log may end in a torn record; a record appended after it would be lost at the next open, silently
 * (recovery drops the damaged block and what is misaligned behind it). So the ledger stops writing:
 *
 * 1. fence — appends are refused with LEDGER_FENCED (503, Retry-After); the callers of the groups whose
 *    write was in doubt get LEDGER_WRITE_FAILED (their entries may or may not have landed: a repeated
 *    deposit then finds the original, or makes it);
 * 2. wait for room — a reopen replays the log into a table: it needs free space for the log and a new one;
 * 3. reopen the store in place (close, check the write-ahead log, open: LevelDB replays up to the tear
 *    and continues in a new log file);
 * 4. prove the reopened state: it must be the last durable tree, or that tree extended by the first k
 *    groups in doubt (same size, same root); anything else is LEDGER_CORRUPT and the fence stays;
 * 5. sign and record the tree if it grew, store the checkpoints not yet stored, lift the fence.
 *
 * Attempts repeat with backoff (0.25 s doubling to 5 s) until they succeed or the ledger closes.
 */
import { CunzhengError, isCunzhengError } from '../errors.js';
import { CompactRange } from '../merkle/index.js';
import { bytesEqual } from '../crypto/index.js';
import type { CommitGroup, LedgerStore } from '../storage/store.js';
import type { CheckpointSigner } from './checkpoint-signer.js';
import type { LedgerTree, PreparedAppend } from './tree.js';
import type { LedgerLog, Pending } from './types.js';

/** A group prepared for writing: its batch, and what becomes the committed tree once it lands. */
export interface Staged {
  group: Pending[];
  count: number;
  firstIndex: number;
  leafHashes: Uint8Array[];
  prepared: PreparedAppend;
  treeSize: number;
  root: Uint8Array;
  started: number;
  /** The group's one batch: with the entries, every run's index keys, leaf keys and records (a group that landed landed with them). */
  commit: CommitGroup;
  /** The group's digest keys: learned by the digest filter once the group is durable. */
  digestKeys: Uint8Array[];
}

export interface RecoveryHost {
  store: LedgerStore;
  signer: CheckpointSigner;
  tree(): LedgerTree;
  /** Resolves when the integrator has stopped (no write of the ledger's in flight). */
  settled(): Promise<void>;
  closing(): boolean;
  /** A staged group turned out to have landed (its callers were rejected; a repeated deposit must find it). */
  landed(s: Staged): void;
  /** A tree became durable and recorded during recovery: serve it. */
  released(r: { treeSize: number; note: string }, stored: boolean): void;
  storeCheckpoints(): Promise<void>;
  /** The fence is lifted: start the integrator for whatever is queued. */
  resume(): void;
  onFailure(): void;
  onRecovered(): void;
  log?: LedgerLog;
}

function message(e: unknown): string | undefined {
  return e === undefined ? undefined : e instanceof Error ? e.message : String(e);
}

/** Failures no retry can fix: the fence stays until an operator looks. */
const PERMANENT = new Set(['LEDGER_CORRUPT', 'LEDGER_BEHIND_SIGNED_CHECKPOINT', 'LEDGER_SIGNING_REFUSED', 'STORE_WAL_CORRUPT', 'STORE_CORRUPT']);

export class Recovery {
  private fence: { error: CunzhengError; since: number; permanent: boolean; last?: unknown } | undefined;
  private doubt: Staged[] = [];
  private task: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(private readonly host: RecoveryHost) {}

  /** The error appends get while the ledger is fenced, or undefined. */
  error(): CunzhengError | undefined {
    return this.fence?.error;
  }

  get status(): { code: string; message: string; since: number } | undefined {
    const f = this.fence;
    if (f === undefined) return undefined;
    const last = f.last instanceof Error ? `; last attempt: ${f.last.message}` : '';
    return { code: f.error.code, message: f.error.message + last, since: f.since };
  }

  /**
   * A write failed (`cause`): reject the callers of `groups` (the groups whose landing is in doubt, in
   * order), fence the ledger and start the recovery. `permanent`: no retry can fix it.
   */
  fenced(cause: unknown, groups: Staged[], permanent = false): void {
    const failed = new CunzhengError('LEDGER_WRITE_FAILED', `the ledger could not write to disk (${(cause as Error)?.message ?? String(cause)}); this was not acknowledged. Retry later: the ledger is reopening its store`, {
      cause,
      details: { retryAfterSeconds: 5 },
    });
    for (const s of groups) for (const p of s.group) p.reject(failed);
    this.doubt.push(...groups);
    if (this.fence === undefined || (permanent && !this.fence.permanent)) {
      this.host.onFailure();
      const code = permanent ? (isCunzhengError(cause) ? cause.code : 'LEDGER_CORRUPT') : 'LEDGER_FENCED';
      this.fence = {
        error: new CunzhengError(code, permanent
          ? `the ledger stopped writing: ${(cause as Error)?.message ?? String(cause)}`
          : `the ledger stopped writing after a failed write (${(cause as Error)?.message ?? String(cause)}) and is reopening its store; retry shortly`, {
          cause,
          details: { retryAfterSeconds: 5 },
        }),
        since: Date.now(),
        permanent,
      };
    }
    if (groups.length > 0 || this.task === undefined) {
      this.host.log?.warn({ code: this.fence.error.code, cause: message(cause), inDoubt: groups.reduce((n, g) => n + g.count, 0) },
        'a write failed: appends are refused until the store has been reopened and its state proven');
    }
    if (!permanent && this.task === undefined) {
      this.task = this.loop().finally(() => (this.task = undefined));
    }
  }

  /** Stops retrying (the ledger is closing) and waits for an attempt in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.task;
  }

  private async loop(): Promise<void> {
    await this.host.settled();
    for (let attempt = 0; !this.stopping && !this.host.closing(); attempt++) {
      try {
        await this.attempt();
        this.host.log?.info({ since: new Date(this.fence?.since ?? Date.now()).toISOString(), attempts: attempt + 1, treeSize: this.host.tree().treeSize }, 'the store was reopened and proven: appends are accepted again');
        this.fence = undefined;
        this.host.onRecovered();
        this.host.resume();
        return;
      } catch (e) {
        if (isCunzhengError(e) && PERMANENT.has(e.code)) {
          this.fence = { error: new CunzhengError(e.code, `the ledger stopped writing: ${e.message}`, { cause: e }), since: this.fence?.since ?? Date.now(), permanent: true };
          this.host.log?.warn({ code: e.code, cause: e.message }, 'the ledger stopped writing for good: an operator must look (cunzheng fsck on a copy of the data directory)');
          return;
        }
        if (this.fence !== undefined) {
          if (message(this.fence.last) !== message(e)) this.host.log?.warn({ cause: message(e) }, 'the store could not be reopened yet; retrying');
          this.fence.last = e;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)).unref();
        });
      }
    }
  }

  private async attempt(): Promise<void> {
    const { store, signer } = this.host;
    if (store.fence !== undefined) {
      if (!(await store.hasRoomToReopen())) throw new CunzhengError('STORE_FULL', 'waiting for free space to reopen the store');
      await store.reopen();
    }
    const state = await store.readState();
    const tree = this.host.tree();
    if (state === undefined) throw new CunzhengError('LEDGER_CORRUPT', 'the reopened store has no tree state');
    let k = 0;
    let size = tree.treeSize;
    while (size < state.treeSize && k < this.doubt.length) size += this.doubt[k++]!.count;
    const root = CompactRange.fromHashes(state.treeSize, state.hashes).root();
    const want = k === 0 ? tree.root() : this.doubt[k - 1]!.root;
    if (state.treeSize < tree.treeSize) {
      throw new CunzhengError('LEDGER_BEHIND_SIGNED_CHECKPOINT', `the reopened store holds ${state.treeSize} entries, fewer than the ${tree.treeSize} acknowledged`);
    }
    if (size !== state.treeSize || !bytesEqual(root, want)) {
      throw new CunzhengError('LEDGER_CORRUPT', `the reopened store holds a tree of ${state.treeSize} entries that is neither the last durable one (${tree.treeSize}) nor one written since`);
    }
    // The first k groups in doubt landed: they are durable (their callers were told otherwise; a
    // repeated deposit finds them).
    for (let i = 0; i < k; i++) {
      tree.apply(this.doubt[i]!.prepared);
      this.host.landed(this.doubt[i]!);
    }
    this.doubt = [];
    store.unfence();
    if (k > 0) {
      const note = signer.sign(tree.treeSize, tree.root());
      await signer.release(note);
      this.host.released({ treeSize: tree.treeSize, note }, false);
    }
    await this.host.storeCheckpoints();
  }
}

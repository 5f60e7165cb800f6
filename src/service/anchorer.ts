/**
 * The anchorer: timestamps the newest checkpoint at each configured RFC 3161 TSA, every `intervalMs` when
 * the tree has grown, and on demand. The token's messageImprint is SHA-256 of the checkpoint BODY
 * (`origin\nsize\nroot\n`), so witness cosignatures added later do not change it. Every reply is verified
 * (status, imprint, nonce, signature, ESS signing certificate, timeStamping EKU, chain to the configured
 * roots, genTime not before the checkpoint) before its token is stored, under `x A <size>` beside the
 * checkpoint it stamps.
 *
 * It never blocks or slows deposits: it runs on its own timer, each TSA call has a deadline, and a TSA
 * that fails is retried with exponential backoff (1 s doubling to 5 min) while the others go on. On demand
 * (POST /v1/admin/anchor) every TSA is asked, and a run where all fail is an error (ANCHOR_FAILED), not a
 * quiet success.
 *
 * With witnesses (`witnessed`: the witnesser), the checkpoint stamped is the newest COSIGNED one when it is
 * newer than the last anchor, so `latestAnchored.checkpoint` is the cosigned note (the imprint is the
 * body's, the same with or without the lines); when the witnesses have cosigned nothing newer (all down),
 * the newest signed one is stamped, so anchoring never waits on a witness.
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, toBase64, utf8 } from '../crypto/index.js';
import { checkpointImprint } from '../checkpoint/index.js';
import { requestTimestamp } from '../anchor/index.js';
import { type RevocationSettings, retryPending, type StoredAnchor, withRevocation } from './revocation-anchors.js';
import { recordKeys } from '../ledger/index.js';
import type { Ledger } from '../ledger/index.js';

export type { StoredAnchor, StoredRevocation } from './revocation-anchors.js';

export interface AnchoredCheckpoint {
  treeSize: number;
  checkpoint: string;
  anchors: StoredAnchor[];
}

export interface AnchorerOptions {
  tsaUrls: string[];
  /** Trusted TSA roots (DER); tokens that do not chain to one are refused. */
  roots: Uint8Array[];
  intervalMs: number;
  timeoutMs?: number;
  /** Allowed clock difference between us and a TSA when checking genTime ≥ checkpoint time (default 60 s). */
  clockSkewMs?: number;
  log?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error?: (o: object, m: string) => void };
  /** The witnesser, when the log has witnesses: what to stamp, and the cosignatures of a stored anchor's checkpoint. */
  witnessed?: WitnessedCheckpoints;
  /** Where to fetch the TSA certificate's revocation evidence beyond its AIA/CDP (serve --tsa-ocsp / --tsa-crl). */
  revocation?: RevocationSettings;
}

/** What the anchorer needs of the witnesser. */
export interface WitnessedCheckpoints {
  readonly latestCosigned: { treeSize: number; checkpoint: string } | undefined;
  cosignedNote(treeSize: number, note: string): Promise<string>;
}

interface TsaState {
  url: string;
  failures: number;
  nextAttemptAt: number;
  lastError?: string;
  lastSuccessAt?: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

const { anchorKey, treeSizeOfAnchorKey } = recordKeys;

/** SHA-256 of a signed checkpoint's body: what an anchor token stamps (one definition, in checkpoint/). */
export { checkpointImprint };

export class Anchorer {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<AnchoredCheckpoint | undefined> | undefined;
  private latest: AnchoredCheckpoint | undefined;
  readonly tsas: TsaState[];
  readonly metrics = { attempts: 0, failures: 0, anchored: 0, lastSuccessAt: 0, revocationFetched: 0, revocationFailures: 0 };
  /** Tree sizes whose stored anchors still wait for revocation evidence (the durable mark is in each record). */
  readonly revocationPending = new Set<number>();
  private retrying: Promise<number> | undefined;

  private constructor(private readonly ledger: Ledger, private readonly opts: AnchorerOptions) {
    this.tsas = opts.tsaUrls.map((url) => ({ url, failures: 0, nextAttemptAt: 0 }));
  }

  static async open(ledger: Ledger, opts: AnchorerOptions): Promise<Anchorer> {
    const a = new Anchorer(ledger, opts);
    // The newest anchored checkpoint: the last `x A …` key.
    let last: [Uint8Array, Uint8Array] | undefined;
    for await (const kv of ledger.records.iterate('anchor')) {
      last = kv;
      if ((JSON.parse(fromUtf8(kv[1])) as StoredAnchor[]).some((x) => x.revocationPending === true)) a.revocationPending.add(treeSizeOfAnchorKey(kv[0]));
    }
    if (last !== undefined) {
      const treeSize = treeSizeOfAnchorKey(last[0]);
      const plain = await ledger.checkpointAt(treeSize);
      const note = plain === undefined ? undefined : ((await opts.witnessed?.cosignedNote(treeSize, plain)) ?? plain);
      if (note !== undefined) a.latest = { treeSize, checkpoint: note, anchors: JSON.parse(fromUtf8(last[1])) as StoredAnchor[] };
    }
    return a;
  }

  /** The trusted TSA roots replies are verified against (renewals.ts verifies its renewals with them too). */
  get roots(): readonly Uint8Array[] {
    return this.opts.roots;
  }

  get enabled(): boolean {
    return this.tsas.length > 0;
  }

  /**
   * The newest checkpoint with at least one verified token; with witnesses, its note carries every
   * cosignature stored for it (a witness that cosigned the same tree after it was stamped included).
   */
  get latestAnchored(): AnchoredCheckpoint | undefined {
    const c = this.opts.witnessed?.latestCosigned;
    if (c !== undefined && this.latest !== undefined && c.treeSize === this.latest.treeSize && c.checkpoint !== this.latest.checkpoint) {
      this.latest = { ...this.latest, checkpoint: c.checkpoint };
    }
    return this.latest;
  }

  /** What to stamp: the newest cosigned checkpoint when it is newer than the last anchor, else the newest signed one. */
  private target(): { treeSize: number; note: string } {
    const c = this.opts.witnessed?.latestCosigned;
    if (c !== undefined && c.treeSize > (this.latest?.treeSize ?? 0)) return { treeSize: c.treeSize, note: c.checkpoint };
    return { treeSize: this.ledger.treeSize, note: this.ledger.checkpoint };
  }

  /** Entries not yet covered by an anchor. */
  get lagEntries(): number {
    return this.ledger.treeSize - (this.latest?.treeSize ?? 0);
  }

  start(): void {
    if (!this.enabled || this.timer !== undefined) return;
    const tick = (): void => {
      this.tick().catch((err: unknown) => this.opts.log?.warn({ error: String(err) }, 'anchoring failed; will retry'));
    };
    this.timer = setInterval(tick, this.opts.intervalMs);
    this.timer.unref();
    // With witnesses, the first run waits for the witnesser's first (a restart then stamps a cosigned checkpoint).
    if (this.opts.witnessed === undefined) tick();
    else (this.first = setTimeout(tick, 2_000)).unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.first !== undefined) clearTimeout(this.first);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Anchors the newest checkpoint if the tree grew since the last anchor, at the TSAs not backing off. A
   * run in which every TSA failed resolves with the previous anchor (the failures are in `tsas`).
   */
  async tick(): Promise<AnchoredCheckpoint | undefined> {
    if (this.revocationPending.size > 0) {
      void this.retryRevocation().catch((err: unknown) => this.opts.log?.warn({ error: String(err) }, 'revocation retry failed; will retry'));
    }
    const { treeSize } = this.target();
    if (treeSize === 0 || treeSize === this.latest?.treeSize) return this.latest;
    try {
      return await this.once(false);
    } catch (e) {
      if (e instanceof CunzhengError && e.code === 'ANCHOR_FAILED') return this.latest;
      throw e;
    }
  }

  /**
   * Anchors the newest checkpoint now, at every TSA (backoff does not apply to a request made on purpose).
   * One run at a time: a caller during a run gets that run's result. Rejects with ANCHOR_FAILED, each TSA's
   * failure in the message and in `details.failures`, when no TSA issued a verified token.
   */
  anchorNow(): Promise<AnchoredCheckpoint | undefined> {
    if (!this.enabled) return Promise.reject(new CunzhengError('ANCHOR_NO_TSA', 'no TSA is configured (serve --tsa URL)'));
    return this.once(true);
  }

  private once(everyTsa: boolean): Promise<AnchoredCheckpoint | undefined> {
    this.running ??= this.run(everyTsa).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(everyTsa: boolean): Promise<AnchoredCheckpoint | undefined> {
    const { treeSize, note } = this.target();
    // The newest checkpoint's commit time, not before the stamped one was signed: the stricter bound.
    const notBefore = new Date(this.ledger.checkpointCommittedAt - (this.opts.clockSkewMs ?? 60_000));
    const imprint = checkpointImprint(note);
    const now = Date.now();
    const due = everyTsa ? this.tsas : this.tsas.filter((t) => t.nextAttemptAt <= now);
    if (due.length === 0) return this.latest;
    const results = await Promise.all(due.map((t) => this.stamp(t, imprint, notBefore)));
    const anchors = results.filter((r): r is StoredAnchor => r !== undefined);
    if (anchors.length === 0) {
      const failures = due.map((t) => ({ tsa: t.url, error: t.lastError ?? 'failed' }));
      throw new CunzhengError(
        'ANCHOR_FAILED',
        `no TSA issued a verified timestamp for the checkpoint of tree size ${treeSize}: ${failures.map((f) => `${f.tsa}: ${f.error}`).join('; ')}`.slice(0, 4000),
        { details: { treeSize, failures } },
      );
    }
    await this.ledger.records.put([[anchorKey(treeSize), utf8(JSON.stringify(anchors))]]);
    if (anchors.some((x) => x.revocationPending === true)) this.revocationPending.add(treeSize);
    this.latest = { treeSize, checkpoint: note, anchors };
    this.metrics.anchored++;
    this.metrics.lastSuccessAt = Date.now();
    this.opts.log?.info({ treeSize, tsas: anchors.map((a) => a.tsa) }, 'checkpoint anchored');
    return this.latest;
  }

  private async stamp(t: TsaState, imprint: Uint8Array, notBefore: Date): Promise<StoredAnchor | undefined> {
    this.metrics.attempts++;
    try {
      const r = await requestTimestamp(t.url, imprint, { timeoutMs: this.opts.timeoutMs ?? 10_000, roots: this.opts.roots });
      if (r.genTime < notBefore) {
        throw new CunzhengError('TSA_TIME_BEFORE_CHECKPOINT', `genTime ${r.genTime.toISOString()} is before the checkpoint was signed`);
      }
      const stamped = { tsa: t.url, token: toBase64(r.token), genTime: r.genTime.toISOString() };
      const anchor = await withRevocation(stamped, r.verification.chain, r.genTime, this.opts.revocation ?? {}, this.metrics, this.opts.log);
      t.failures = 0;
      t.nextAttemptAt = 0;
      t.lastSuccessAt = Date.now();
      delete t.lastError;
      return anchor;
    } catch (e) {
      this.metrics.failures++;
      t.failures++;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(t.failures - 1, 20));
      t.nextAttemptAt = Date.now() + backoff;
      t.lastError = e instanceof CunzhengError ? `${e.code}: ${e.message}` : String(e);
      this.opts.log?.warn({ tsa: t.url, error: t.lastError, retryInMs: backoff }, 'timestamping failed; will retry');
      return undefined;
    }
  }

  /**
   * Fetches the revocation evidence still pending (a few checkpoints per call, oldest first) and rewrites their
   * records; resolves with the number of checkpoints done. One retry at a time. tick() calls it.
   */
  retryRevocation(): Promise<number> {
    this.retrying ??= this.retryOnce().finally(() => {
      this.retrying = undefined;
    });
    return this.retrying;
  }

  private async retryOnce(): Promise<number> {
    let done = 0;
    for (const treeSize of [...this.revocationPending].sort((x, y) => x - y).slice(0, 4)) {
      const stored = await this.anchorsAt(treeSize);
      const note = await this.ledger.checkpointAt(treeSize);
      if (note === undefined) continue;
      const imprint = checkpointImprint(note);
      const anchors: StoredAnchor[] = [];
      for (const x of stored) anchors.push(await retryPending(x, imprint, this.opts.roots, this.opts.revocation ?? {}, this.metrics, this.opts.log));
      // Merged into the record as it is now (a run may have rewritten it meanwhile), by token.
      const retried = new Map(anchors.map((x) => [x.token, x]));
      const merged = (await this.anchorsAt(treeSize)).map((x) => retried.get(x.token) ?? x);
      await this.ledger.records.put([[anchorKey(treeSize), utf8(JSON.stringify(merged))]]);
      if (this.latest?.treeSize === treeSize) this.latest = { ...this.latest, anchors: merged };
      if (!merged.some((x) => x.revocationPending === true)) {
        this.revocationPending.delete(treeSize);
        done++;
      }
    }
    return done;
  }

  /** The verified tokens stored for the checkpoint of `treeSize`. */
  async anchorsAt(treeSize: number): Promise<StoredAnchor[]> {
    if (this.latest?.treeSize === treeSize) return this.latest.anchors;
    const v = await this.ledger.records.get(anchorKey(treeSize));
    return v === undefined ? [] : (JSON.parse(fromUtf8(v)) as StoredAnchor[]);
  }
}

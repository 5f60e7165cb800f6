/**
 * The witnesser: asks the policy's witnesses (C2SP tlog-witness) to cosign the newest checkpoint, keeps
 * what they sign and serves the cosigned checkpoint.
 *
 * At most once a second (a 100 ms timer, unref'd, that starts a run when the last began ≥ 1 s ago; one run
 * at a time), when a witness with a URL has not cosigned the newest tree and is not backing off: the newest signed checkpoint goes to every such witness at once
 * (witness-client.ts: its known size, learned again through 409 after a restart); each witness's verified
 * lines are stored under `x W <tree size>` (synced) as they arrive, and `latestCosigned` becomes the log's
 * note with the lines appended, so a witness slow to its deadline holds back no one else's cosignature. A
 * later run at the same size (a witness back from a failure) adds its lines to the record.
 *
 * A witness that fails backs off (1 s doubling to 60 s); its state (size, failures, last error, when it
 * last cosigned) is what /v1/log and /metrics show. Nothing in the deposit path awaits the witnesser, so
 * a slow, dead or lying witness never delays a deposit. Whether the newest cosigned checkpoint meets the
 * policy's quorum is `quorumMet` (the policy's own evaluateQuorum).
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, utf8 } from '../crypto/index.js';
import { recordKeys } from '../ledger/index.js';
import type { Ledger } from '../ledger/index.js';
import { evaluateQuorum, type Policy, type PolicyWitness } from '../policy/index.js';
import { appendSignatureLines } from '../witness/protocol.js';
import { MAX_NOTE_SIGNATURES, parseNote } from '../note/index.js';
import { checkWitnessUrl, requestCosignature, verifiedCosignatures, witnessAgents, type CosignResult } from './witness-client.js';

export interface WitnessState {
  /** The policy's name of the witness. */
  name: string;
  /** Its verifier key (vkey) as the policy gives it. */
  key: string;
  url: string | null;
  /** The tree size it was last known to be at (cosigned, or told in a 409); null: unknown since start. */
  size: number | null;
  /** Failures in a row. */
  failures: number;
  nextAttemptAt: number;
  /** The code of the last failure (null after a success). */
  lastError: string | null;
  /** The message of the last failure, for the log. */
  lastMessage: string | null;
  /** When it last cosigned (ms since the epoch), null: not since start. */
  lastCosignedAt: number | null;
}

export interface CosignedCheckpoint {
  treeSize: number;
  /** The log's signed note with the witnesses' cosignature lines appended. */
  checkpoint: string;
  /** Policy names of the witnesses whose lines it carries. */
  cosigners: string[];
  /** The cosignature lines (without newline). */
  lines: string[];
}

export interface WitnesserOptions {
  policy: Policy;
  /** How often to look for a grown tree (default 1 s). */
  intervalMs?: number;
  /** Deadline for each witness exchange (default 5 s). */
  timeoutMs?: number;
  log?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error?: (o: object, m: string) => void };
}

const MAX_BACKOFF_MS = 60_000;
const { cosignedKey, treeSizeOfCosignedKey } = recordKeys;

function linesText(lines: readonly string[]): Uint8Array {
  return utf8(lines.map((l) => `${l}\n`).join(''));
}

export class Witnesser {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CosignedCheckpoint | undefined> | undefined;
  private lastStartAt = 0;
  private latest: CosignedCheckpoint | undefined;
  private readonly agents = witnessAgents();
  readonly witnesses: WitnessState[];
  readonly metrics = { runs: 0, requests: 0, failures: 0, lastRunMs: 0 };

  private constructor(private readonly ledger: Ledger, private readonly opts: WitnesserOptions) {
    for (const w of opts.policy.witnesses) if (w.url !== undefined) checkWitnessUrl(w.name, w.url);
    this.witnesses = opts.policy.witnesses.map((w) => ({
      name: w.name, key: w.vkey, url: w.url ?? null, size: null, failures: 0, nextAttemptAt: 0, lastError: null, lastMessage: null, lastCosignedAt: null,
    }));
  }

  /** Opens the witnesser on `ledger`: the newest stored cosigned checkpoint is read back (its lines verified again under the policy). */
  static async open(ledger: Ledger, opts: WitnesserOptions): Promise<Witnesser> {
    const w = new Witnesser(ledger, opts);
    const [last] = await ledger.records.range(cosignedKey(0), cosignedKey(Number.MAX_SAFE_INTEGER), 1, true);
    const size = last === undefined ? undefined : treeSizeOfCosignedKey(last[0]);
    if (last !== undefined && size !== undefined && size <= ledger.treeSize) {
      const note = await ledger.checkpointAt(size);
      const c = note === undefined ? undefined : w.cosigned(size, note, w.storedLines(last[1]));
      // Lines no witness of this policy made (the policy changed) make no cosigned checkpoint.
      if (c !== undefined && c.cosigners.length > 0) w.latest = c;
    }
    return w;
  }

  get policy(): Policy {
    return this.opts.policy;
  }

  /** The newest checkpoint at least one witness cosigned (since this data folder has had witnesses). */
  get latestCosigned(): CosignedCheckpoint | undefined {
    return this.latest;
  }

  /** Whether the newest cosigned checkpoint meets the policy's quorum (false when there is none). */
  get quorumMet(): boolean {
    return this.latest !== undefined && evaluateQuorum(this.opts.policy, this.latest.cosigners);
  }

  start(): void {
    if (this.timer !== undefined || !this.witnesses.some((w) => w.url !== null)) return;
    const interval = this.opts.intervalMs ?? 1000;
    // Looked at every 100 ms, run at most once per interval: a deposit after a quiet spell is sent within
    // ~100 ms, a steady stream once a second.
    const tick = (): void => {
      if (this.running !== undefined || Date.now() - this.lastStartAt < interval || this.due(this.ledger.treeSize, Date.now()).length === 0) return;
      this.tick().catch((err: unknown) => this.opts.log?.warn({ error: String(err) }, 'witnessing failed; will retry'));
    };
    this.timer = setInterval(tick, Math.min(100, interval));
    this.timer.unref();
    tick();
  }

  /** The witnesses to ask now: with a URL, not backing off, not having cosigned `treeSize` yet. */
  private due(treeSize: number, now: number): WitnessState[] {
    if (treeSize === 0) return [];
    return this.witnesses.filter((w) => w.url !== null && w.nextAttemptAt <= now && !this.hasCosigned(w.name, treeSize));
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** One run (or the one under way): asks the witnesses that are due; resolves with the newest cosigned checkpoint. */
  tick(): Promise<CosignedCheckpoint | undefined> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<CosignedCheckpoint | undefined> {
    // Size and note of one integrator state (read together, synchronously).
    const treeSize = this.ledger.treeSize;
    const note = this.ledger.checkpoint;
    const now = Date.now();
    const due = this.due(treeSize, now);
    if (due.length === 0) return this.latest;
    this.lastStartAt = now;
    const policyOf = new Map(this.opts.policy.witnesses.map((p) => [p.name, p]));
    const t0 = performance.now();
    this.metrics.runs++;
    // Each answer is kept as it arrives (one merge at a time): a witness slow to its deadline does not hold
    // back the others' cosignatures.
    let merges = Promise.resolve();
    await Promise.all(due.map(async (w) => {
      const r = await this.ask(w, policyOf.get(w.name)!, note, treeSize);
      if (r !== undefined) merges = merges.then(() => this.merge(treeSize, note, r.lines));
      await merges;
    }));
    await merges;
    this.metrics.lastRunMs = performance.now() - t0;
    return this.latest;
  }

  /** Adds `lines` to the cosigned record of `treeSize` (synced), and makes it the newest. */
  private async merge(treeSize: number, note: string, lines: readonly string[]): Promise<void> {
    let all = [...lines];
    if (this.latest?.treeSize === treeSize) {
      const fresh = new Set(lines);
      all = [...this.latest.lines.filter((l) => !fresh.has(l)), ...lines];
    }
    const next = this.cosigned(treeSize, note, all);
    await this.ledger.records.put([[cosignedKey(treeSize), linesText(next.lines)]]);
    if (this.latest === undefined || this.latest.treeSize <= treeSize) this.latest = next;
    this.opts.log?.info({ treeSize, cosigners: next.cosigners, quorumMet: this.quorumMet }, 'checkpoint cosigned');
  }

  private hasCosigned(name: string, treeSize: number): boolean {
    return this.latest?.treeSize === treeSize && this.latest.cosigners.includes(name);
  }

  /** One witness's exchange; its failure is recorded here and never thrown. */
  private async ask(w: WitnessState, p: PolicyWitness, checkpoint: string, treeSize: number): Promise<CosignResult | undefined> {
    this.metrics.requests++;
    try {
      const r = await requestCosignature({ name: w.name, url: w.url!, verifier: p.verifier }, {
        checkpoint, treeSize, oldSize: w.size ?? 0, consistencyProof: (from, to) => this.ledger.consistencyProof(from, to),
      }, { timeoutMs: this.opts.timeoutMs ?? 5_000, agents: this.agents });
      w.size = treeSize;
      w.failures = 0;
      w.nextAttemptAt = 0;
      w.lastError = null;
      w.lastMessage = null;
      w.lastCosignedAt = Date.now();
      if (r.ignored > 0) this.opts.log?.warn({ witness: w.name, ignored: r.ignored }, 'witness answered lines that are not its valid cosignatures (ignored)');
      return r;
    } catch (e) {
      this.metrics.failures++;
      const err = e instanceof CunzhengError ? e : new CunzhengError('WITNESS_UNREACHABLE', `witness ${w.name}: ${String(e)}`, { cause: e });
      const learned = err.details?.size;
      if (typeof learned === 'number') w.size = learned;
      w.failures++;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(w.failures - 1, 20));
      w.nextAttemptAt = Date.now() + backoff;
      w.lastError = err.code;
      w.lastMessage = err.message;
      const fields = { witness: w.name, code: err.code, error: err.message, retryInMs: backoff };
      if (err.code === 'WITNESS_AHEAD') {
        // Loud: a witness holding a larger tree of our origin is evidence of a fork or of a log impersonating us.
        (this.opts.log?.error ?? this.opts.log?.warn)?.call(this.opts.log, fields, 'WITNESS AHEAD OF THE LOG: it cosigned a larger tree of this origin (fork evidence); not retried until the backoff ends');
      } else {
        this.opts.log?.warn(fields, 'witness failed; will retry');
      }
      return undefined;
    }
  }

  /** The cosigned view of `note`: the lines that verify under a policy witness, and who made them. */
  private cosigned(treeSize: number, note: string, lines: readonly string[]): CosignedCheckpoint {
    const kept: string[] = [];
    const cosigners: string[] = [];
    for (const p of this.opts.policy.witnesses) {
      const { kept: mine } = verifiedCosignatures(note, lines, p.verifier);
      if (mine.length === 0) continue;
      cosigners.push(p.name);
      for (const l of mine) if (!kept.includes(l)) kept.push(l);
    }
    // A note carries at most MAX_NOTE_SIGNATURES lines (a policy may list 256 witnesses): the first that fit.
    const room = MAX_NOTE_SIGNATURES - parseNote(note).signatures.length;
    const fit = kept.slice(0, Math.max(0, room));
    const by = fit.length === kept.length ? cosigners : cosigners.filter((name) => {
      const p = this.opts.policy.witnesses.find((w) => w.name === name)!;
      return verifiedCosignatures(note, fit, p.verifier).kept.length > 0;
    });
    return { treeSize, checkpoint: fit.length === 0 ? note : appendSignatureLines(note, fit), cosigners: by, lines: fit };
  }

  private storedLines(value: Uint8Array): string[] {
    try {
      return fromUtf8(value, 'cosignature lines').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  }

  /** The cosignature lines stored for the checkpoint of `treeSize` (none: []). */
  async cosignaturesAt(treeSize: number): Promise<string[]> {
    if (this.latest?.treeSize === treeSize) return this.latest.lines;
    const v = await this.ledger.records.get(cosignedKey(treeSize));
    return v === undefined ? [] : this.storedLines(v);
  }

  /** `note` (the log's checkpoint of `treeSize`) with the cosignatures stored for it that still verify. */
  async cosignedNote(treeSize: number, note: string): Promise<string> {
    if (this.latest?.treeSize === treeSize) return this.latest.checkpoint;
    const lines = await this.cosignaturesAt(treeSize);
    return lines.length === 0 ? note : this.cosigned(treeSize, note, lines).checkpoint;
  }
}

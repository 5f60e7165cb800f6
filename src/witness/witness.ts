/**
 * The witness: C2SP tlog-witness add-checkpoint, decided and recorded. Every refusal is a CunzhengError
 * whose code the HTTP layer maps to the spec's status (server.ts, WITNESS_STATUS); a refusal never touches
 * the state. The checks, in order:
 *
 *   1. the body parses (protocol.ts)                                    400 WITNESS_BAD_REQUEST, 413 …_TOO_LARGE
 *   2. the origin has a trusted log key (--log)                         404 WITNESS_UNKNOWN_LOG
 *   3. a trusted log key signed it; no trusted key's line fails         403 WITNESS_NOT_SIGNED_BY_LOG, …_BAD_LOG_SIGNATURE
 *   4. old size ≤ checkpoint size                                       400 WITNESS_BAD_REQUEST
 *   5. a size-0 checkpoint has the empty tree's root                    422 WITNESS_BAD_EMPTY_ROOT
 *   6. old size = the latest cosigned size (0 if none)                  409 WITNESS_OLD_SIZE_MISMATCH (+ the size)
 *   7. old 0: no proof; old = size: same root as cosigned, no proof     422 WITNESS_BAD_PROOF, WITNESS_FORK
 *   8. otherwise the consistency proof from the cosigned root verifies  422 WITNESS_BAD_PROOF
 *
 * Steps 6 to the synced write of the new state run under one lock per origin (a promise chain), so two
 * submissions from the same old size give one 200 and one 409, and a stored size never goes back (the
 * race in the spec's last paragraph). Signatures are checked before the lock (they need no state).
 */
import { bytesEqual, toBase64, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { openCheckpoint, parseCheckpoint, type OpenedCheckpoint } from '../checkpoint/index.js';
import { EMPTY_ROOT, verifyConsistency } from '../merkle/index.js';
import { parseNote, type NoteSigner, type NoteVerifier } from '../note/index.js';
import { parseAddCheckpointRequest, type AddCheckpointRequest } from './protocol.js';
import type { LogState, WitnessState } from './state.js';

export interface Cosigned {
  /** The witness's cosignature line(s), without newline: the 200's body. */
  lines: string[];
  origin: string;
  oldSize: number;
  size: number;
}

/** What a request was, for the log line of every answer (never anything secret). */
export interface RequestFacts {
  origin?: string;
  oldSize?: number;
  size?: number;
  proofLines?: number;
}

function refuse(code: string, message: string, details?: Record<string, unknown>, cause?: unknown): CunzhengError {
  return new CunzhengError(code, message, { details, cause });
}

function keyIdBytes(id: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id >>> 0, false);
  return b;
}

export class Witness {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly signer: NoteSigner,
    private readonly logs: ReadonlyMap<string, readonly NoteVerifier[]>,
    readonly state: WitnessState,
  ) {}

  /** The origins this witness follows. */
  get origins(): string[] {
    return [...this.logs.keys()];
  }

  /** Runs `f` after every earlier call for `origin` has settled. */
  private async locked<T>(origin: string, f: () => Promise<T>): Promise<T> {
    const before = this.locks.get(origin) ?? Promise.resolve();
    const run = before.then(f, f);
    const tail = run.catch(() => undefined);
    this.locks.set(origin, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(origin) === tail) this.locks.delete(origin);
    }
  }

  /** Settles when every add-checkpoint in flight has (for a clean close). */
  async idle(): Promise<void> {
    while (this.locks.size > 0) await Promise.all([...this.locks.values()]);
  }

  /** Steps 1–3: parse, find the log, check its signature. `facts` is filled in as it goes. */
  private open(body: Uint8Array | string, facts: RequestFacts): { req: AddCheckpointRequest; opened: OpenedCheckpoint } {
    const req = parseAddCheckpointRequest(body);
    facts.oldSize = req.oldSize;
    facts.proofLines = req.proof.length;
    const cp = parseCheckpoint(parseNote(req.checkpoint).text); // parsed once already: cannot fail here
    facts.origin = cp.origin;
    facts.size = cp.treeSize;
    const verifiers = this.logs.get(cp.origin);
    if (verifiers === undefined) throw refuse('WITNESS_UNKNOWN_LOG', `this witness follows no log with origin ${JSON.stringify(cp.origin.slice(0, 200))}`);
    try {
      return { req, opened: openCheckpoint(req.checkpoint, verifiers, { origin: cp.origin }) };
    } catch (cause) {
      const code = cause instanceof CunzhengError ? cause.code : 'UNKNOWN';
      if (code === 'NOTE_BAD_SIGNATURE') {
        throw refuse('WITNESS_BAD_LOG_SIGNATURE', 'a signature line names a trusted log key but does not verify', { cause: code }, cause);
      }
      throw refuse('WITNESS_NOT_SIGNED_BY_LOG', `no trusted key of ${cp.origin.slice(0, 200)} signed this checkpoint`, { cause: code }, cause);
    }
  }

  /**
   * Checks an add-checkpoint body and, when every check passes, cosigns the checkpoint, persists the new
   * state (synced) and returns the cosignature line. `facts` receives what was read, for logging.
   */
  async addCheckpoint(body: Uint8Array | string, facts: RequestFacts = {}): Promise<Cosigned> {
    const { req, opened } = this.open(body, facts);
    const cp = opened.checkpoint;
    if (req.oldSize > cp.treeSize) {
      throw refuse('WITNESS_BAD_REQUEST', `add-checkpoint: old size ${req.oldSize} is larger than the checkpoint's size ${cp.treeSize}`, { oldSize: req.oldSize, size: cp.treeSize });
    }
    if (cp.treeSize === 0 && !bytesEqual(cp.rootHash, EMPTY_ROOT)) {
      throw refuse('WITNESS_BAD_EMPTY_ROOT', 'a checkpoint of size 0 must have the root hash of the empty tree (SHA-256 of the empty string)');
    }
    return this.locked(cp.origin, async () => {
      const stored = this.state.get(cp.origin);
      const size = stored?.size ?? 0;
      const root = stored?.root ?? EMPTY_ROOT;
      if (req.oldSize !== size) {
        throw refuse('WITNESS_OLD_SIZE_MISMATCH', `the latest checkpoint cosigned for this log has size ${size}, not ${req.oldSize}`, { size, oldSize: req.oldSize });
      }
      if (req.oldSize === 0 && req.proof.length > 0) {
        throw refuse('WITNESS_BAD_PROOF', 'from old size 0 the consistency proof must be empty (the empty tree is a prefix of every tree)', { proofLines: req.proof.length });
      }
      if (req.oldSize === cp.treeSize) {
        if (!bytesEqual(root, cp.rootHash)) {
          throw refuse('WITNESS_FORK', `a checkpoint of size ${size} with another root hash than the one cosigned`, { size, cosigned: toBase64(root), got: toBase64(cp.rootHash) });
        }
        if (req.proof.length > 0) throw refuse('WITNESS_BAD_PROOF', 'between equal sizes the consistency proof must be empty', { proofLines: req.proof.length });
      } else if (req.oldSize > 0) {
        try {
          verifyConsistency(req.oldSize, cp.treeSize, req.proof, root, cp.rootHash);
        } catch (cause) {
          const code = cause instanceof CunzhengError ? cause.code : 'UNKNOWN';
          throw refuse('WITNESS_BAD_PROOF', `the consistency proof from ${req.oldSize} to ${cp.treeSize} does not verify (${code})`, { cause: code }, cause);
        }
      }
      const line = this.cosign(opened.note.text);
      const logLines = opened.logSignatures.map((l) => opened.note.verified.find((v) => v.verifier.name === l.name && v.verifier.keyId === l.keyId)!.signature.line);
      const next: LogState = {
        origin: cp.origin,
        size: cp.treeSize,
        root: cp.rootHash,
        checkpoint: `${opened.note.text}\n${[...logLines, line].map((l) => `${l}\n`).join('')}`,
        cosignedAt: Math.floor(Date.now() / 1000),
      };
      await this.state.put(next);
      return { lines: [line], origin: cp.origin, oldSize: req.oldSize, size: cp.treeSize };
    });
  }

  /** A cosignature/v1 line by this witness over a checkpoint body. */
  private cosign(text: string): string {
    const sig = this.signer.sign(utf8(text));
    const bytes = new Uint8Array(4 + sig.length);
    bytes.set(keyIdBytes(this.signer.keyId));
    bytes.set(sig, 4);
    return `\u2014 ${this.signer.name} ${toBase64(bytes)}`;
  }

  /** The latest cosigned checkpoint of the log whose origin hashes to `hash`; WITNESS_NOT_FOUND if none. */
  latestCheckpoint(hash: string): string {
    const s = this.state.byOriginHash(hash);
    if (s === undefined) throw refuse('WITNESS_NOT_FOUND', 'this witness has cosigned no checkpoint of a log with that origin hash');
    return s.checkpoint;
  }
}

/**
 * A receipt against a witness policy (src/policy/): the receipt is witnessed when its own checkpoint, or the
 * checkpoint of one of its anchors (bound to the receipt's tree by the consistency proof verifyReceipt has
 * already checked), meets the policy: signed by a listed log and cosigned by the quorum.
 */
import { CunzhengError } from '../errors.js';
import type { NoteVerifier } from '../note/index.js';
import { checkCheckpointPolicy, type LogSignature, type Policy } from '../policy/index.js';

export interface ReceiptPolicyResult {
  met: true;
  /** The size of the checkpoint that met the policy. */
  treeSize: number;
  /** Which checkpoint met it: the receipt's own, or anchors[anchor]'s. */
  checkpoint: 'receipt' | 'anchor';
  anchor?: number;
  /** The witnesses of the policy that cosigned it (policy name, key name, POSIX seconds). */
  cosigners: { witness: string; keyName: string; time: number }[];
  logSignatures: LogSignature[];
}

/** Codes by which one checkpoint falls short of the policy (the next may still meet it). */
const SHORT_OF_POLICY = new Set(['POLICY_QUORUM_NOT_MET', 'POLICY_LOG_SIGNATURE_MISSING']);

/**
 * The first of `notes` (the receipt's checkpoint, then each anchor's) that meets `policy`. A forged line by
 * a key of the policy (NOTE_BAD_SIGNATURE) and every other failure propagate at once. When none meets it:
 * POLICY_QUORUM_NOT_MET for the checkpoint with the most cosigners of the policy (details.checked lists each),
 * or POLICY_LOG_SIGNATURE_MISSING when every checkpoint lacked a log signature `log-quorum all` wants.
 */
export function receiptMeetsPolicy(
  notes: readonly string[],
  policy: Policy,
  origin: string,
  extraLogs: readonly NoteVerifier[],
): ReceiptPolicyResult {
  let best: { err: CunzhengError; have: number } | undefined;
  const checked: { checkpoint: string; code: string; treeSize?: unknown; have?: unknown }[] = [];
  for (const [i, note] of notes.entries()) {
    const where = i === 0 ? 'receipt' : `anchors[${i - 1}]`;
    try {
      const r = checkCheckpointPolicy(note, policy, { origin, extraLogs });
      return {
        met: true,
        treeSize: r.checkpoint.treeSize,
        checkpoint: i === 0 ? 'receipt' : 'anchor',
        ...(i === 0 ? {} : { anchor: i - 1 }),
        cosigners: r.cosigners.map((c) => ({ witness: c.witness, keyName: c.keyName, time: c.time })),
        logSignatures: r.logSignatures,
      };
    } catch (err) {
      if (!(err instanceof CunzhengError) || !SHORT_OF_POLICY.has(err.code)) throw err;
      const have = Array.isArray(err.details?.have) ? err.details.have.length : -1;
      checked.push({ checkpoint: where, code: err.code, treeSize: err.details?.treeSize, have: err.details?.have });
      if (best === undefined || have > best.have) best = { err, have };
    }
  }
  const err = best!.err;
  const details = { ...err.details, checked };
  const suffix = notes.length > 1 ? ` (checked the receipt's checkpoint and ${notes.length - 1} anchor checkpoint${notes.length > 2 ? 's' : ''})` : '';
  throw new CunzhengError(err.code, `${err.message}${suffix}`, { details, cause: err });
}

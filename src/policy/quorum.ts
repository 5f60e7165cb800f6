/**
 * Checking a checkpoint against a policy: signed by a listed log (all of the origin's listed keys with
 * `log-quorum all`), and cosigned by witnesses so that the quorum witnesses it.
 *
 * A witness witnesses a checkpoint when its cosignature line verifies; a group witnesses it iff at least k
 * of its members do. Groups only name earlier lines, so one pass in file order decides every name (no
 * recursion, linear in the policy's size however deep the chain of groups).
 */
import { openCheckpoint, parseCheckpoint, type Checkpoint, type LogSignature, type OpenedCheckpoint } from '../checkpoint/index.js';
import { CunzhengError } from '../errors.js';
import { KEY_TYPE_ED25519, keyIdHex, parseNote, type NoteVerifier } from '../note/index.js';
import { KEY_TYPE_SM2_NOTE, type Policy } from './types.js';

/** Each policy name (witnesses and groups) → whether it witnesses, given the witnesses that cosigned. */
export function witnessedNames(p: Policy, cosignedBy: readonly string[]): Map<string, boolean> {
  const cosigned = new Set(cosignedBy);
  const out = new Map<string, boolean>();
  for (const w of p.witnesses) out.set(w.name, cosigned.has(w.name));
  for (const g of p.groups) {
    let n = 0;
    for (const m of g.members) if (out.get(m) === true) n++;
    out.set(g.name, n >= g.threshold);
  }
  return out;
}

/** Whether the witnesses named `cosignedBy` (policy names; others are ignored) meet the quorum. */
export function evaluateQuorum(p: Policy, cosignedBy: readonly string[]): boolean {
  return p.quorum === 'none' || witnessedNames(p, cosignedBy).get(p.quorum) === true;
}

/** What the quorum needs, for messages and error details: the quorum and every group it reaches. */
export function quorumNeeds(p: Policy): { quorum: string; groups: { name: string; threshold: number; members: string[] }[] } {
  const byName = new Map(p.groups.map((g) => [g.name, g]));
  const reached = new Set<string>();
  const stack = [p.quorum];
  while (stack.length > 0) {
    const g = byName.get(stack.pop()!);
    if (g === undefined || reached.has(g.name)) continue;
    reached.add(g.name);
    stack.push(...g.members);
  }
  return {
    quorum: p.quorum,
    groups: p.groups.filter((g) => reached.has(g.name)).map((g) => ({ name: g.name, threshold: g.threshold, members: g.members })),
  };
}

export interface PolicyCosigner {
  /** The policy's name of the witness. */
  witness: string;
  /** The key name on its cosignature line. */
  keyName: string;
  keyId: number;
  /** When it cosigned, POSIX seconds. */
  time: number;
}

/** A verified log signature: checkpoint/'s type, re-exported so a policy's result names it once. */
export type { LogSignature };

export interface PolicyCheck {
  checkpoint: Checkpoint;
  opened: OpenedCheckpoint;
  cosigners: PolicyCosigner[];
  logSignatures: LogSignature[];
}

function isLogKey(v: NoteVerifier): boolean {
  return v.type === KEY_TYPE_ED25519 || v.type === KEY_TYPE_SM2_NOTE;
}

const label = (v: { name: string; keyId: number }): string => `${v.name}+${keyIdHex(v.keyId)}`;

/**
 * Opens `note` with the policy's keys (and `extraLogs`, log keys the caller trusts beside the policy's) and
 * checks it meets the policy. Throws what openCheckpoint throws (a forged line by a listed key is
 * NOTE_BAD_SIGNATURE), POLICY_UNKNOWN_LOG when no trusted log key is named after the origin,
 * POLICY_LOG_SIGNATURE_MISSING when `log-quorum all` and a listed key of the origin did not sign, and
 * POLICY_QUORUM_NOT_MET (details: have = the witnesses that cosigned, need = quorumNeeds).
 */
export function checkCheckpointPolicy(
  note: string | Uint8Array,
  p: Policy,
  options: { origin?: string; extraLogs?: readonly NoteVerifier[] } = {},
): PolicyCheck {
  const origin = parseCheckpoint(parseNote(note).text).origin;
  const logs = [...p.logs.map((l) => l.verifier), ...(options.extraLogs ?? []).filter(isLogKey)];
  if (!logs.some((v) => v.name === origin)) {
    throw new CunzhengError('POLICY_UNKNOWN_LOG', `no log key of the policy is named after the checkpoint's origin ${origin}`, {
      details: { origin, logs: logs.map(label) },
    });
  }
  const opened = openCheckpoint(note, [...logs, ...p.witnesses.map((w) => w.verifier)], options.origin === undefined ? {} : { origin: options.origin });
  const logSignatures = opened.note.verified
    .filter((v) => isLogKey(v.verifier) && v.verifier.name === origin)
    .map((v) => ({ name: v.verifier.name, keyId: v.verifier.keyId, type: v.verifier.type === KEY_TYPE_SM2_NOTE ? ('sm2' as const) : ('ed25519' as const) }));
  if (p.logQuorum === 'all') {
    const signed = new Set(logSignatures.map(label));
    const missing = p.logs.filter((l) => l.verifier.name === origin && !signed.has(label(l.verifier))).map((l) => l.vkey);
    if (missing.length > 0) {
      throw new CunzhengError('POLICY_LOG_SIGNATURE_MISSING', `the policy wants every log key of ${origin} to sign; ${missing.length} did not`, {
        details: { origin, missing, signed: [...signed] },
      });
    }
  }
  const byKey = new Map(p.witnesses.map((w) => [label(w.verifier), w]));
  const cosigners: PolicyCosigner[] = [];
  for (const c of opened.cosignatures) {
    const w = byKey.get(label(c));
    if (w !== undefined) cosigners.push({ witness: w.name, keyName: c.name, keyId: c.keyId, time: c.time });
  }
  const have = cosigners.map((c) => c.witness);
  if (!evaluateQuorum(p, have)) {
    const need = quorumNeeds(p);
    const rule = need.groups.map((g) => `${g.name} = ${g.threshold} of (${g.members.join(', ')})`).join('; ');
    throw new CunzhengError('POLICY_QUORUM_NOT_MET',
      `the checkpoint of size ${opened.checkpoint.treeSize} does not meet the quorum ${p.quorum}: cosigned by ${have.length === 0 ? 'no listed witness' : have.join(', ')}${rule === '' ? '' : `; needs ${rule}`}`, {
        details: { treeSize: opened.checkpoint.treeSize, have, need },
      });
  }
  return { checkpoint: opened.checkpoint, opened, cosigners, logSignatures };
}

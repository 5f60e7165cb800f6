/**
 * `cunzheng audit --url U (--key VKEY | --policy FILE) [--state FILE] [--full] [--json]` — for auditors: is the log still the
 * log it was? Fetch the newest checkpoint, check its signature, check that it extends the checkpoint saved
 * in the state file (consistency proof; the first run trusts on first use), save it. `--full` also
 * downloads every public hash tile and recomputes the root. Any inconsistency: exit 1, and the evidence
 * (both signed checkpoints and the proof) written to a file an auditor can hand to a court.
 * `--policy FILE` (C2SP tlog-policy): the newest checkpoint must also meet the policy (signed by a listed log
 * and cosigned by its witness quorum), else exit 1 with POLICY_QUORUM_NOT_MET and the evidence file; the
 * output names the cosigners. Checked after consistency, before the state is saved.
 */
import { CunzhengError } from '../../src/errors.js';
import { openCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import { CompactRange, tilePath, tilesForTreeSize, verifyConsistency, type TileID } from '../../src/merkle/index.js';
import { bytesEqual, fromBase64, toBase64 } from '../../src/crypto/index.js';
import { parseVerifierKey, type NoteVerifier } from '../../src/note/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, getText, request, requestJson, serviceUrl } from '../http-client.js';
import { MAX_JSON_BYTES, readUserText, UserFileError } from '../user-file.js';
import { MAX_NOTE_CHARS } from '../../src/receipt/index.js';
import { writeReceiptAtomic as writeFileAtomic } from '../local/index.js';
import { checkCheckpointPolicy, type Policy } from '../../src/policy/index.js';
import { cosignersJson, describeCosigners, loadPolicy } from '../policy-file.js';

export interface AuditFlags {
  url: string;
  key?: string;
  state: string;
  full: boolean;
  json: boolean;
  evidence?: string;
  policy?: string;
}

interface AuditState {
  format: 'cunzheng/audit-state/v1';
  origin: string;
  key: string;
  checkpoint: string;
  savedAt: string;
}

export interface AuditResult {
  ok: boolean;
  origin: string;
  treeSize: number;
  rootHash: string;
  previousTreeSize: number | null;
  firstRun: boolean;
  consistencyProofHashes: number | null;
  tilesChecked: number | null;
  problem?: { code: string; message: string; evidence: string };
  /** With --policy: the newest checkpoint met it; who cosigned. */
  policy?: { met: true; treeSize: number; cosigners: unknown[] };
}

function open(note: string, verifier: NoteVerifier): Checkpoint {
  return openCheckpoint(note, [verifier], { origin: verifier.name }).checkpoint;
}

function readState(path: string, verifier: NoteVerifier): AuditState | undefined {
  let text: string;
  try {
    // A FIFO or device given as --state is refused, not read forever (user-file.ts).
    text = readUserText(path, 'audit state file', MAX_JSON_BYTES);
  } catch (e) {
    if (e instanceof UserFileError && e.errno === 'ENOENT') return undefined; // the first audit
    throw e;
  }
  let s: AuditState;
  try {
    s = JSON.parse(text) as AuditState;
  } catch (e) {
    throw new UsageError(`the state file ${path} is not readable JSON: ${(e as Error).message}`);
  }
  if (typeof s !== 'object' || s === null || s.format !== 'cunzheng/audit-state/v1' || typeof s.checkpoint !== 'string') throw new UsageError(`${path} is not an audit state file`);
  if (s.origin !== verifier.name) throw new UsageError(`${path} holds the state of the log ${JSON.stringify(s.origin)}, not ${JSON.stringify(verifier.name)}`);
  return s;
}

/** Every tile of a tree of `treeSize`: the full tiles and, per level, the one partial tile of that exact size. */
function tilesOfSize(treeSize: number): TileID[] {
  // tilesForTreeSize lists each partial tile at every width 1..W; an audit needs only the widest.
  return tilesForTreeSize(treeSize).filter((t, i, all) => all[i + 1]?.level !== t.level || all[i + 1]?.index !== t.index);
}

/** Downloads every tile and recomputes the root; each higher tile must hold the nodes its level implies. */
async function fullCheck(base: string, cp: Checkpoint): Promise<number> {
  const tiles = tilesOfSize(cp.treeSize);
  const byLevel = new Map<number, Uint8Array[]>();
  let fetched = 0;
  for (const t of tiles) {
    const r = await request(new URL(`/${tilePath(t)}`, base), { maxBytes: 256 * 32 }); // a full tile: 256 hashes
    if (r.status !== 200 || r.body.length !== t.width * 32) {
      throw new CunzhengError('AUDIT_TILE_MISSING', `${tilePath(t)}: answered ${r.status} with ${r.body.length} bytes, want ${t.width * 32}`);
    }
    fetched++;
    const list = byLevel.get(t.level) ?? [];
    for (let i = 0; i < t.width; i++) list.push(r.body.subarray(i * 32, i * 32 + 32));
    byLevel.set(t.level, list);
  }
  const range = CompactRange.empty();
  const level8 = new Map<number, Uint8Array[]>();
  for (const leaf of byLevel.get(0) ?? []) {
    range.append(leaf, (id, h) => {
      if (id.level > 0 && id.level % 8 === 0) {
        const l = level8.get(id.level / 8) ?? [];
        l.push(h);
        level8.set(id.level / 8, l);
      }
    });
  }
  for (const [L, nodes] of level8) {
    const published = byLevel.get(L) ?? [];
    if (published.length !== nodes.length || nodes.some((h, i) => !bytesEqual(h, published[i]!))) {
      throw new CunzhengError('AUDIT_TILE_MISMATCH', `the level-${L} tiles do not hold the hashes of the level-0 tiles below them`);
    }
  }
  if (!bytesEqual(range.root(), cp.rootHash)) {
    throw new CunzhengError('AUDIT_ROOT_MISMATCH', `the tiles give the root ${toBase64(range.root())}, the checkpoint signs ${toBase64(cp.rootHash)}`);
  }
  return fetched;
}

/**
 * Without --key, the log key comes from --policy: the policy names the log it trusts. A policy listing logs of
 * more than one origin does not say which log this URL is, so --key must.
 */
function policyLogKey(policy: Policy | undefined): string {
  if (policy === undefined) throw new UsageError('--key: required (the log verifier key, obtained out of band), unless --policy names the log');
  const origins = new Set(policy.logs.map((l) => l.verifier.name));
  if (origins.size !== 1) throw new UsageError(`--key: required, the policy lists logs of ${origins.size} origins (${[...origins].join(', ')})`);
  return (policy.logs.find((l) => l.verifier.type === 0x01) ?? policy.logs[0]!).vkey;
}

export async function runAudit(flags: AuditFlags, out: (s: string) => void): Promise<number> {
  const policy = loadPolicy(flags.policy);
  const key = flags.key ?? policyLogKey(policy);
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(key);
  } catch (e) {
    throw new UsageError(`--key: not a verifier key (${(e as Error).message})`);
  }
  const base = serviceUrl(flags.url);
  const state = readState(flags.state, verifier);
  const note = await getText(new URL('checkpoint', base), { maxBytes: MAX_NOTE_CHARS });
  const result: AuditResult = { ok: true, origin: verifier.name, treeSize: 0, rootHash: '', previousTreeSize: null, firstRun: state === undefined, consistencyProofHashes: null, tilesChecked: null };
  const evidence: Record<string, unknown> = { format: 'cunzheng/audit-evidence/v1', url: flags.url, origin: verifier.name, key, observedAt: new Date().toISOString(), newCheckpoint: note };

  const fail = async (e: unknown): Promise<number> => {
    const code = e instanceof CunzhengError ? e.code : 'AUDIT_FAILED';
    const path = flags.evidence ?? `cunzheng-evidence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    await writeFileAtomic(path, JSON.stringify({ ...evidence, problem: { code, message: (e as Error).message } }, null, 2) + '\n');
    result.ok = false;
    result.problem = { code, message: (e as Error).message, evidence: path };
    if (flags.json) out(JSON.stringify(result, null, 2));
    else out(`✘ ${verifier.name}: ${code}: ${(e as Error).message}\n  evidence written to ${path} (both signed checkpoints and the proof)`);
    return EXIT_FAILED;
  };

  let cp: Checkpoint;
  try {
    cp = open(note, verifier);
  } catch (e) {
    return fail(e);
  }
  result.treeSize = cp.treeSize;
  result.rootHash = toBase64(cp.rootHash);
  if (state !== undefined) {
    evidence.oldCheckpoint = state.checkpoint;
    let old: Checkpoint;
    try {
      old = open(state.checkpoint, verifier);
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      throw new UsageError(`the state file ${flags.state} holds a checkpoint that does not verify under --key: ${e.code}: ${e.message}`);
    }
    result.previousTreeSize = old.treeSize;
    try {
      if (old.treeSize > cp.treeSize) {
        throw new CunzhengError('AUDIT_LOG_SHRANK', `the log served a tree of ${cp.treeSize} entries after it had signed ${old.treeSize}`);
      }
      let proof: Uint8Array[] = [];
      if (old.treeSize > 0 && old.treeSize < cp.treeSize) {
        const { json } = await requestJson<{ proof: string[] }>(new URL(`v1/proof/consistency?from=${old.treeSize}&to=${cp.treeSize}`, base));
        evidence.consistencyProof = json.proof;
        proof = json.proof.map((h) => fromBase64(h, 32));
      }
      verifyConsistency(old.treeSize, cp.treeSize, proof, old.rootHash, cp.rootHash);
      result.consistencyProofHashes = proof.length;
    } catch (e) {
      if (e instanceof CunzhengError) return fail(e);
      if (e instanceof HttpStatusError) return fail(new CunzhengError('AUDIT_PROOF_REFUSED', `the log refused a consistency proof: ${e.message}`));
      throw e;
    }
  }
  if (flags.full) {
    try {
      result.tilesChecked = await fullCheck(base, cp);
    } catch (e) {
      if (e instanceof CunzhengError) return fail(e);
      throw e;
    }
  }
  let cosigned: string[] = [];
  if (policy !== undefined) {
    try {
      const met = checkCheckpointPolicy(note, policy, { origin: verifier.name, extraLogs: [verifier] });
      result.policy = { met: true, treeSize: met.checkpoint.treeSize, cosigners: cosignersJson(met.cosigners) };
      cosigned = describeCosigners(met.cosigners);
    } catch (e) {
      if (e instanceof CunzhengError) return fail(e);
      throw e;
    }
  }
  const saved: AuditState = { format: 'cunzheng/audit-state/v1', origin: verifier.name, key, checkpoint: note, savedAt: new Date().toISOString() };
  await writeFileAtomic(flags.state, JSON.stringify(saved, null, 2) + '\n');
  if (flags.json) out(JSON.stringify(result, null, 2));
  else {
    const how = state === undefined
      ? `first audit: checkpoint of size ${cp.treeSize} trusted on first use`
      : `consistent with the checkpoint of size ${result.previousTreeSize} seen before (${result.consistencyProofHashes}-hash proof)`;
    out(`✔ ${verifier.name}: tree of ${cp.treeSize} entries, root ${result.rootHash}; ${how}`);
    if (result.policy !== undefined) {
      out(`  policy met: ${cosigned.length === 0 ? 'no cosignature required (quorum none)' : `cosigned by ${cosigned.length} witness${cosigned.length === 1 ? '' : 'es'} of the quorum`}`);
      for (const c of cosigned) out(`    ${c} (Beijing time)`);
    }
    if (result.tilesChecked !== null) out(`  every public tile downloaded (${result.tilesChecked}) and the root recomputed from them`);
    out(`  checkpoint saved to ${flags.state}`);
  }
  return EXIT_OK;
}

/**
 * `cunzheng receipt upgrade RECEIPT… [--url U] [--key VKEY]… [--trust FILE]… [--tsa-roots PEM] [--policy FILE]`: refresh
 * receipts through the public routes (no API key needed): a newer checkpoint, the inclusion proof in it,
 * and a consistency proof from the receipt's checkpoint, so a log that forked since is refused.
 *
 * The answers may come from a hostile or plain-HTTP front, and the file replaced is evidence, so:
 *   - with --tsa-roots, the receipt moves to the newest ANCHORED checkpoint that holds the entry and gains
 *     its RFC 3161 anchors, each token checked against the roots before it is written;
 *   - without --tsa-roots, no anchor is added (a token nobody checked is a claim, and a garbage one would
 *     make the receipt fail for whoever verifies it with roots): the receipt moves to the newest checkpoint
 *     and the output says that anchors were left out and how to take them;
 *   - the anchors the receipt already carries are always kept, re-bound to the new checkpoint by fresh
 *     consistency proofs;
 *   - witness cosignatures come with the checkpoint (a log with witnesses serves cosigned checkpoints at
 *     /checkpoint and /v1/checkpoints/<size>). A receipt's checkpoint is replaced whole, so its cosignatures
 *     could be lost: with --policy, a receipt that met the policy must meet it after; without, every key
 *     name that cosigned the old checkpoint must have a line on the new one (those lines are not checked
 *     without the policy's keys: --policy checks them);
 *   - old and new are verified under the same keys and roots and compared (src/receipt/compare.ts): a new
 *     receipt that proves less is refused (UPGRADE_WOULD_LOSE_EVIDENCE) and nothing is written;
 *   - the previous file is kept beside the new one, atomically, before it is replaced: X.receipt.json →
 *     X.prev.receipt.json (a name `deposit` skips as a receipt and `verify` pairs with the document X).
 */
import { CunzhengError } from '../../src/errors.js';
import { openCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import { verifyConsistency } from '../../src/merkle/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { evidenceLost, formatReceipt, MAX_NOTE_CHARS, MAX_RECEIPT_BYTES, parseReceipt, receiptFormatFor, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { parseVerifierKey, type NoteVerifier } from '../../src/note/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, getText, requestJson, serviceUrl } from '../http-client.js';
import { loadTrustedKeys, loadTsaRoots } from '../trust.js';
import { RECEIPT_SUFFIX, writeReceiptAtomic } from '../local/index.js';
import { readUserFile } from '../user-file.js';
import { loadPolicy } from '../policy-file.js';
import { parseNote } from '../../src/note/index.js';
import type { Policy } from '../../src/policy/index.js';

export interface UpgradeFlags {
  url: string;
  tsaRoots?: string;
  key: string[];
  trust: string[];
  policy?: string;
  json: boolean;
}

type Outcome =
  | {
    receipt: string; ok: true; from: number; to: number; changed: boolean; anchored: boolean; previous: string | null; anchorsLeftOut: number | null;
    /** With --policy: whether the (new) receipt meets it. */
    witnessed: boolean | null;
  }
  | { receipt: string; ok: false; code: string; message: string };

/** Where the previous receipt is kept: X.receipt.json → X.prev.receipt.json (any other name: NAME.prev). */
export function previousReceiptPath(path: string): string {
  return path.endsWith(RECEIPT_SUFFIX) ? `${path.slice(0, -RECEIPT_SUFFIX.length)}.prev${RECEIPT_SUFFIX}` : `${path}.prev`;
}

function badAnswer(message: string): CunzhengError {
  return new CunzhengError('UPGRADE_BAD_ANSWER', message);
}

/** A `{"proof": [base64…]}` answer's hashes, or UPGRADE_BAD_ANSWER. */
function proofOf(json: unknown, route: string): string[] {
  const proof = (json as { proof?: unknown } | null)?.proof;
  if (!Array.isArray(proof) || proof.length > 64 || !proof.every((h) => typeof h === 'string')) throw badAnswer(`${route}: not a {"proof": [base64…]} answer`);
  return proof as string[];
}

async function consistencyBetween(base: string, a: Checkpoint, b: Checkpoint): Promise<string[]> {
  const [small, large] = a.treeSize <= b.treeSize ? [a, b] : [b, a];
  let proof: string[] = [];
  if (small.treeSize > 0 && small.treeSize < large.treeSize) {
    const route = `v1/proof/consistency?from=${small.treeSize}&to=${large.treeSize}`;
    proof = proofOf((await requestJson(new URL(route, base))).json, route);
  }
  verifyConsistency(small.treeSize, large.treeSize, proof.map((h) => fromBase64(h, 32)), small.rootHash, large.rootHash);
  return proof;
}

/** Key names of the signature lines of a checkpoint note that are not the log's (its origin's): its cosigners. */
function cosignerNames(note: string, origin: string): Set<string> {
  return new Set(parseNote(note).signatures.map((s) => s.name).filter((n) => n !== origin));
}

/** Whether the receipt meets the policy (undefined without one); a receipt that fails otherwise throws as verifyReceipt does. */
async function meetsPolicy(receipt: Receipt | string, keys: NoteVerifier[], tsaRoots: Uint8Array[], policy: Policy | undefined): Promise<boolean | undefined> {
  if (policy === undefined) return undefined;
  try {
    await verifyReceipt(receipt, keys, {}, { tsaRoots, policy });
    return true;
  } catch (e) {
    if (e instanceof CunzhengError && (e.code === 'POLICY_QUORUM_NOT_MET' || e.code === 'POLICY_LOG_SIGNATURE_MISSING')) return false;
    throw e;
  }
}

async function upgradeOne(path: string, base: string, trusted: NoteVerifier[], tsaRoots: Uint8Array[], policy?: Policy): Promise<Outcome> {
  const bytes = readUserFile(path, 'receipt', MAX_RECEIPT_BYTES);
  try {
    const receipt = parseReceipt(bytes);
    // Without a trusted key given, the receipt's own key is used only to check that the newer checkpoint is
    // signed by the same key as the old one and extends it; `cunzheng verify` still needs a trusted key.
    const keys = trusted.length > 0 ? trusted : [parseVerifierKey(receipt.log.key)];
    const origin = { origin: receipt.log.origin };
    const before = await verifyReceipt(receipt, keys, {}, { tsaRoots });
    const witnessedBefore = await meetsPolicy(receipt, keys, tsaRoots, policy);
    const old = openCheckpoint(receipt.checkpoint, keys, origin).checkpoint;

    const log = (await requestJson<unknown>(new URL('v1/log', base))).json;
    const anchoredSize = (log as { anchoredTreeSize?: unknown } | null)?.anchoredTreeSize;
    const covered = typeof anchoredSize === 'number' && Number.isSafeInteger(anchoredSize) && receipt.index < anchoredSize;
    let note: string;
    let offered: unknown = [];
    if (covered && tsaRoots.length > 0) {
      const route = `v1/checkpoints/${anchoredSize}`;
      const c = (await requestJson<{ checkpoint?: unknown; anchors?: unknown }>(new URL(route, base))).json;
      if (typeof c?.checkpoint !== 'string' || !Array.isArray(c.anchors)) throw badAnswer(`${route}: not a {checkpoint, anchors} answer`);
      note = c.checkpoint;
      offered = c.anchors;
    } else {
      note = await getText(new URL('checkpoint', base), { maxBytes: MAX_NOTE_CHARS });
    }
    const now = openCheckpoint(note, keys, origin).checkpoint;
    // An anchored checkpoint may be older than the receipt's (it gains a timestamp); a newest checkpoint
    // older than the receipt's gains nothing and is what a rolled-back or replaying front would serve.
    if (!(covered && tsaRoots.length > 0) && now.treeSize < old.treeSize) {
      throw new CunzhengError('UPGRADE_OLDER_CHECKPOINT', `the log's newest checkpoint (size ${now.treeSize}) is older than the receipt's (size ${old.treeSize})`);
    }
    await consistencyBetween(base, old, now); // a log that does not extend the receipt's checkpoint is refused

    // The anchors offered for the new checkpoint, then every anchor the receipt already had, re-bound to it.
    // An offered token the receipt carries with revocation evidence keeps that evidence (receipt v2).
    const held = new Map(receipt.anchors.filter((a) => a.revocation !== undefined).map((a) => [a.token, a.revocation]));
    const anchors = (offered as Receipt['anchors']).map((a) =>
      typeof a === 'object' && a !== null && a.revocation === undefined && held.has(a.token) ? { ...a, revocation: held.get(a.token) } : a,
    );
    const offeredTokens = new Set(anchors.map((a) => (a as { token?: unknown })?.token));
    for (const a of receipt.anchors) {
      if (offeredTokens.has(a.token)) continue;
      const anchored = openCheckpoint(a.checkpoint, keys, origin).checkpoint;
      anchors.push({ ...a, consistency: await consistencyBetween(base, now, anchored) });
    }
    let proof: string[] = [];
    if (now.treeSize > 1) {
      const route = `v1/proof/inclusion?index=${receipt.index}&size=${now.treeSize}`;
      proof = proofOf((await requestJson(new URL(route, base))).json, route);
    }
    // Structure first (a hostile answer is a coded error, not a TypeError), then the exact text to be
    // written is what gets verified.
    const upgraded = parseReceipt({ ...receipt, format: receiptFormatFor(anchors), proof, checkpoint: note, anchors });
    const text = formatReceipt(upgraded);
    const previousText = new TextDecoder().decode(bytes);
    const anchorsLeftOut = covered && tsaRoots.length === 0 ? anchoredSize : null;
    const base0 = { receipt: path, ok: true as const, from: old.treeSize, to: now.treeSize, anchored: upgraded.anchors.length > 0, anchorsLeftOut };
    if (text === formatReceipt(receipt)) return { ...base0, changed: false, previous: null, witnessed: witnessedBefore ?? null };
    const after = await verifyReceipt(text, keys, {}, { tsaRoots });
    const witnessedAfter = await meetsPolicy(text, keys, tsaRoots, policy);
    const result = { ...base0, witnessed: witnessedAfter ?? null };
    const lost = evidenceLost({ receipt, verified: before }, { receipt: upgraded, verified: after });
    if (witnessedBefore === true && witnessedAfter !== true) lost.push('it met the witness policy and the new one does not');
    if (policy === undefined) {
      const kept = cosignerNames(note, receipt.log.origin);
      const dropped = [...cosignerNames(receipt.checkpoint, receipt.log.origin)].filter((n) => !kept.has(n));
      if (dropped.length > 0) lost.push(`the cosignatures of ${dropped.join(', ')} would be dropped (pass --policy FILE to check who cosigned the new checkpoint)`);
    }
    if (lost.length > 0) {
      throw new CunzhengError('UPGRADE_WOULD_LOSE_EVIDENCE', `the new receipt would prove less: ${lost.join('; ')}`, { details: { lost } });
    }
    const previous = previousReceiptPath(path);
    await writeReceiptAtomic(previous, previousText);
    await writeReceiptAtomic(path, text);
    return { ...result, changed: true, previous };
  } catch (e) {
    if (e instanceof CunzhengError) return { receipt: path, ok: false, code: e.code, message: e.message };
    if (e instanceof HttpStatusError) return { receipt: path, ok: false, code: `UPGRADE_${e.code}`, message: e.message };
    throw e;
  }
}

function describe(o: Outcome): string {
  if (!o.ok) return `✘ ${o.receipt}: ${o.code}: ${o.message} (the receipt was left as it was)`;
  const leftOut = o.anchorsLeftOut !== null
    ? `\n  the log has RFC 3161 anchors for the checkpoint of size ${o.anchorsLeftOut}; they were left out because no --tsa-roots PEM was given to check them`
    : '';
  const witnessed = o.witnessed === null ? '' : o.witnessed ? '; it meets the witness policy' : '; it does not meet the witness policy (yet)';
  if (!o.changed) return `✔ ${o.receipt}: already up to date (checkpoint of size ${o.to}${o.anchored ? ', anchored' : ''})${witnessed}${leftOut}`;
  return `✔ ${o.receipt}: upgraded from the checkpoint of size ${o.from} to ${o.to}${o.anchored ? ', with checked RFC 3161 anchors' : ' (not anchored)'}${witnessed}; the previous receipt is kept as ${o.previous}${leftOut}`;
}

export async function runUpgrade(paths: string[], flags: UpgradeFlags, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('no receipt given');
  const base = serviceUrl(flags.url);
  const trusted = loadTrustedKeys(flags.key, flags.trust);
  const tsaRoots = loadTsaRoots(flags.tsaRoots);
  const policy = loadPolicy(flags.policy);
  const outcomes: Outcome[] = [];
  for (const p of paths) outcomes.push(await upgradeOne(p, base, trusted, tsaRoots, policy));
  const failed = outcomes.filter((o) => !o.ok).length;
  if (flags.json) out(JSON.stringify({ ok: failed === 0, results: outcomes }, null, 2));
  else for (const o of outcomes) out(describe(o));
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

/**
 * `cunzheng receipt upgrade RECEIPT… [--url U] [--key VKEY]… [--trust FILE]…`: refresh receipts to the
 * log's newest checkpoint through the public routes (no API key needed): the new checkpoint, the new
 * inclusion proof, and a consistency proof from the receipt's checkpoint. The upgraded receipt is verified
 * before it atomically replaces the file; a log that does not extend the receipt's checkpoint is refused.
 */
import { readFileSync } from 'node:fs';
import { CunzhengError } from '../../src/errors.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { verifyConsistency } from '../../src/merkle/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { formatReceipt, parseReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { parseVerifierKey, type NoteVerifier } from '../../src/note/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, getText, requestJson } from '../http-client.js';
import { loadTrustedKeys, loadTsaRoots } from '../trust.js';
import { writeReceiptAtomic as writeFileAtomic } from '../local/index.js';

export interface UpgradeFlags {
  url: string;
  tsaRoots?: string;
  key: string[];
  trust: string[];
  json: boolean;
}

type Outcome = { receipt: string; ok: true; from: number; to: number; changed: boolean; anchored: boolean } | { receipt: string; ok: false; code: string; message: string };

async function upgradeOne(path: string, base: string, trusted: NoteVerifier[], tsaRoots: Uint8Array[]): Promise<Outcome> {
  let receipt: Receipt;
  try {
    receipt = parseReceipt(readFileSync(path));
  } catch (e) {
    if (e instanceof CunzhengError) return { receipt: path, ok: false, code: e.code, message: e.message };
    throw new UsageError(`cannot read receipt ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Without a trusted key given, the receipt's own key is used only to check that the newer checkpoint is
  // signed by the same key as the old one and extends it; `cunzheng verify` still needs a trusted key.
  const keys = trusted.length > 0 ? trusted : [parseVerifierKey(receipt.log.key)];
  try {
    const before = await verifyReceipt(receipt, keys);
    const old = openCheckpoint(receipt.checkpoint, keys, { origin: receipt.log.origin }).checkpoint;
    // The newest anchored checkpoint when it holds the entry (the receipt gains its RFC 3161 anchors),
    // else the newest checkpoint.
    const log = (await requestJson<{ anchoredTreeSize?: number | null }>(new URL('v1/log', base))).json;
    let note: string;
    let anchors: Receipt['anchors'] = [];
    if (typeof log.anchoredTreeSize === 'number' && receipt.index < log.anchoredTreeSize) {
      const c = (await requestJson<{ checkpoint: string; anchors: Receipt['anchors'] }>(new URL(`v1/checkpoints/${log.anchoredTreeSize}`, base))).json;
      note = c.checkpoint;
      anchors = c.anchors;
    } else {
      note = await getText(new URL('checkpoint', base));
    }
    const now = openCheckpoint(note, keys, { origin: receipt.log.origin }).checkpoint;
    // Whichever is larger must extend the other: a log that forked since the receipt is refused.
    const [small, large] = now.treeSize >= old.treeSize ? [old, now] : [now, old];
    let consistency: Uint8Array[] = [];
    if (small.treeSize > 0 && small.treeSize < large.treeSize) {
      const c = await requestJson<{ proof: string[] }>(new URL(`v1/proof/consistency?from=${small.treeSize}&to=${large.treeSize}`, base));
      consistency = c.json.proof.map((h) => fromBase64(h, 32));
    }
    verifyConsistency(small.treeSize, large.treeSize, consistency, small.rootHash, large.rootHash);
    if (note === receipt.checkpoint && JSON.stringify(anchors) === JSON.stringify(receipt.anchors)) {
      return { receipt: path, ok: true, from: old.treeSize, to: now.treeSize, changed: false, anchored: anchors.length > 0 };
    }
    const inc = await requestJson<{ proof: string[] }>(new URL(`v1/proof/inclusion?index=${receipt.index}&size=${now.treeSize}`, base));
    const upgraded: Receipt = { ...receipt, proof: inc.json.proof, checkpoint: note, anchors };
    const after = await verifyReceipt(upgraded, keys, {}, { tsaRoots });
    if (before.id !== after.id) throw new CunzhengError('UPGRADE_ID_CHANGED', 'internal: the id changed');
    await writeFileAtomic(path, formatReceipt(upgraded));
    return { receipt: path, ok: true, from: old.treeSize, to: now.treeSize, changed: true, anchored: anchors.length > 0 };
  } catch (e) {
    if (e instanceof CunzhengError) return { receipt: path, ok: false, code: e.code, message: e.message };
    if (e instanceof HttpStatusError) return { receipt: path, ok: false, code: `UPGRADE_${e.code}`, message: e.message };
    throw e;
  }
}

export async function runUpgrade(paths: string[], flags: UpgradeFlags, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('no receipt given');
  const trusted = loadTrustedKeys(flags.key, flags.trust);
  const base = flags.url.endsWith('/') ? flags.url : `${flags.url}/`;
  const outcomes: Outcome[] = [];
  const tsaRoots = loadTsaRoots(flags.tsaRoots);
  for (const p of paths) outcomes.push(await upgradeOne(p, base, trusted, tsaRoots));
  const failed = outcomes.filter((o) => !o.ok).length;
  if (flags.json) out(JSON.stringify({ ok: failed === 0, results: outcomes }, null, 2));
  else {
    for (const o of outcomes) {
      out(o.ok
        ? o.changed
          ? `✔ ${o.receipt}: upgraded from the checkpoint of size ${o.from} to ${o.to}${o.anchored ? ', with its RFC 3161 anchors' : ' (not anchored yet)'}`
          : `✔ ${o.receipt}: already up to date (checkpoint of size ${o.to}${o.anchored ? ', anchored' : ''})`
        : `✘ ${o.receipt}: ${o.code}: ${o.message}`);
    }
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

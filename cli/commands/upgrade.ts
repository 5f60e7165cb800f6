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
import { loadTrustedKeys } from '../trust.js';
import { writeReceiptAtomic as writeFileAtomic } from '../local/index.js';

export interface UpgradeFlags {
  url: string;
  key: string[];
  trust: string[];
  json: boolean;
}

type Outcome = { receipt: string; ok: true; from: number; to: number; changed: boolean } | { receipt: string; ok: false; code: string; message: string };

async function upgradeOne(path: string, base: string, trusted: NoteVerifier[]): Promise<Outcome> {
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
    const note = await getText(new URL('checkpoint', base));
    const now = openCheckpoint(note, keys, { origin: receipt.log.origin }).checkpoint;
    if (now.treeSize < old.treeSize) throw new CunzhengError('UPGRADE_LOG_SHRANK', `the log serves a tree of ${now.treeSize}, smaller than the receipt's ${old.treeSize}`);
    if (now.treeSize === old.treeSize) {
      verifyConsistency(old.treeSize, now.treeSize, [], old.rootHash, now.rootHash);
      return { receipt: path, ok: true, from: old.treeSize, to: now.treeSize, changed: false };
    }
    const c = await requestJson<{ proof: string[] }>(new URL(`v1/proof/consistency?from=${old.treeSize}&to=${now.treeSize}`, base));
    verifyConsistency(old.treeSize, now.treeSize, c.json.proof.map((h) => fromBase64(h, 32)), old.rootHash, now.rootHash);
    const inc = await requestJson<{ proof: string[] }>(new URL(`v1/proof/inclusion?index=${receipt.index}&size=${now.treeSize}`, base));
    const upgraded: Receipt = { ...receipt, proof: inc.json.proof, checkpoint: note };
    await verifyReceipt(upgraded, keys);
    if (before.id !== upgraded.id) throw new CunzhengError('UPGRADE_ID_CHANGED', 'internal: the id changed');
    await writeFileAtomic(path, formatReceipt(upgraded));
    return { receipt: path, ok: true, from: old.treeSize, to: now.treeSize, changed: true };
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
  for (const p of paths) outcomes.push(await upgradeOne(p, base, trusted));
  const failed = outcomes.filter((o) => !o.ok).length;
  if (flags.json) out(JSON.stringify({ ok: failed === 0, results: outcomes }, null, 2));
  else {
    for (const o of outcomes) {
      out(o.ok
        ? o.changed ? `✔ ${o.receipt}: upgraded from the checkpoint of size ${o.from} to ${o.to}` : `✔ ${o.receipt}: already at the newest checkpoint (size ${o.to})`
        : `✘ ${o.receipt}: ${o.code}: ${o.message}`);
    }
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

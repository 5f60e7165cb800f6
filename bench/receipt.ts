/**
 * Receipt verification: the litigator's path end to end (parse, entry, leaf hash, checkpoint signature,
 * inclusion proof, digest comparison) on a receipt from a 1e6-leaf tree, beside bare Ed25519 verification
 * (the floor: one signature check per receipt) in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../src/ledger/index.js';
import { buildEntry, completeUscc } from '../src/entry/index.js';
import { buildReceipt, formatReceipt, verifyReceipt } from '../src/receipt/index.js';
import { ed25519Sign, ed25519Verify, generateKeyPair, sha256, toHex, utf8 } from '../src/crypto/index.js';
import { measure, type BenchResult } from './harness.js';

const GROUP = 'receipt';

export async function benchReceipt(opts: { leaves?: number } = {}): Promise<BenchResult[]> {
  const leaves = opts.leaves ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'cunzheng-bench-receipt-'));
  const results: BenchResult[] = [];
  try {
    const ledger = await Ledger.open({ dataDir: dir, maxGroup: 1000 });
    const subject = { name: '示例科技有限公司', uscc: completeUscc('91110000MA00ABCD') };
    const doc = utf8('the document');
    let target: { bytes: Uint8Array; index: number } | undefined;
    for (let base = 0; base < leaves; base += 1000) {
      const batch = [];
      for (let i = base; i < Math.min(leaves, base + 1000); i++) {
        const digest = i === Math.floor(leaves / 3) ? toHex(sha256(doc)) : toHex(sha256(utf8(`doc ${i}`)));
        const { bytes } = buildEntry({ kind: 'deposit', tenant: 'tn_bench', subject, digest: { sha256: digest }, hashedBy: 'client' });
        if (i === Math.floor(leaves / 3)) target = { bytes, index: i };
        batch.push(ledger.append(bytes));
      }
      await Promise.all(batch);
    }
    const receipt = buildReceipt({
      entryBytes: target!.bytes, leafIndex: target!.index, inclusionProof: await ledger.inclusionProof(target!.index, ledger.treeSize),
      checkpoint: ledger.checkpoint, origin: ledger.origin, logKey: ledger.verifierKey,
    });
    const text = formatReceipt(receipt);
    const keys = [ledger.verifierKey];
    await ledger.close();

    results.push(await measure(GROUP, `verifyReceipt (JSON text, ${leaves} leaves, ${receipt.proof.length}-hash proof, with document)`, () => verifyReceipt(text, keys, { document: doc }), 1, { unit: 'receipts/s', runs: 5, minMs: 500 }));
    results.push(await measure(GROUP, 'verifyReceipt (parsed receipt, digest given)', () => verifyReceipt(receipt, keys, { digest: { sha256: sha256(doc) } }), 1, { unit: 'receipts/s', runs: 5, minMs: 500 }));
    const { seed, publicKey } = generateKeyPair();
    const msg = utf8(receipt.checkpoint);
    const sig = ed25519Sign(seed, msg);
    results.push(await measure(GROUP, 'bare Ed25519 verify (the floor)', () => ed25519Verify(publicKey, msg, sig), 1, { unit: 'verifies/s', runs: 5, minMs: 500 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

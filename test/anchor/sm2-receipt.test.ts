/**
 * A receipt anchored by a TSA that stamps SM3 digests (an SM2 TSA, as Chinese TSAs issue under GM/T 0033):
 * verifyReceipt checks the token against the SM3 of the anchored checkpoint's body, as it checks a SHA-256
 * token against its SHA-256, and refuses a token over another body either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { checkpointImprint, checkpointImprintSm3 } from '../../src/checkpoint/index.js';
import { toBase64 } from '../../src/crypto/index.js';
import { buildEntry, completeUscc } from '../../src/entry/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { buildReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { tempDir } from '../ledger/helpers.js';
import { type Sm2Pki, sm2TestPki } from '../tsa/sm2-pki.js';
import { stampSm2Query } from '../tsa/sm2-tsa.js';

let t: ReturnType<typeof tempDir>;
let ledger: Ledger;
let pki: Sm2Pki;
let receipt: Receipt;
let other: string; // a checkpoint of another size, for a token over the wrong body

async function sm2Anchor(note: string, hash: 'SHA-256' | 'SM3'): Promise<string> {
  const request = buildTimestampRequest(hash === 'SM3' ? checkpointImprintSm3(note) : checkpointImprint(note), { hash });
  return toBase64(parseTimeStampResponse(await stampSm2Query(request.der, 'sm2-ours')));
}

beforeAll(async () => {
  pki = await sm2TestPki();
  t = tempDir('cunzheng-sm2-receipt-');
  ledger = await Ledger.open({ dataDir: t.dir, origin: 'sm2-anchor.test/log', maxGroup: 1 });
  const subject = { name: '测试公司', uscc: completeUscc('91110000MA00ABCD') };
  const { bytes } = buildEntry({ kind: 'deposit', tenant: 'tn1', subject, digest: { sha256: 'a'.repeat(64) }, hashedBy: 'client' });
  const a = await ledger.append(bytes);
  receipt = buildReceipt({ entryBytes: bytes, leafIndex: 0, inclusionProof: [], checkpoint: a.checkpoint, origin: ledger.origin, logKey: ledger.verifierKey });
  await ledger.append(buildEntry({ kind: 'deposit', tenant: 'tn1', subject, digest: { sha256: 'b'.repeat(64) }, hashedBy: 'client' }).bytes);
  other = ledger.checkpoint;
});
afterAll(async () => {
  await ledger.close();
  t.cleanup();
});

const withAnchor = (token: string): Receipt => ({ ...receipt, anchors: [{ type: 'rfc3161', checkpoint: receipt.checkpoint, token, consistency: [] }] });

describe('a receipt anchored by an SM2 TSA', () => {
  it('verifies a token stamping the SM3 of the checkpoint body, chained to the SM2 root', async () => {
    const v = await verifyReceipt(withAnchor(await sm2Anchor(receipt.checkpoint, 'SM3')), [ledger.verifierKey], {}, { tsaRoots: [pki.rootDer] });
    expect(v.anchors).toHaveLength(1);
    expect(v.anchors[0]).toMatchObject({ tokenChecked: true, tsa: 'CN=SM2 Test TSA,O=cunzheng test' });
  });

  it('verifies a token stamping the SHA-256 of the body from the same TSA', async () => {
    const v = await verifyReceipt(withAnchor(await sm2Anchor(receipt.checkpoint, 'SHA-256')), [ledger.verifierKey], {}, { tsaRoots: [pki.rootDer] });
    expect(v.anchors[0]!.tokenChecked).toBe(true);
  });

  it.each(['SM3', 'SHA-256'] as const)('refuses a %s token stamping another checkpoint body (TSA_IMPRINT_MISMATCH)', async (hash) => {
    const r = withAnchor(await sm2Anchor(other, hash));
    await expect(verifyReceipt(r, [ledger.verifierKey], {}, { tsaRoots: [pki.rootDer] })).rejects.toMatchObject({ code: 'TSA_IMPRINT_MISMATCH' });
  });
});

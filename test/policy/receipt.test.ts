/**
 * verifyReceipt with a policy, on receipts of a real ledger: the receipt's checkpoint or an anchor's
 * (bound by its consistency proof) must meet the quorum; cosignatures added with cosignerFromSeed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/crypto/index.js';
import { buildEntry, completeUscc } from '../../src/entry/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { addSignatures } from '../../src/note/index.js';
import { parsePolicy } from '../../src/policy/index.js';
import { buildReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { tempDir } from '../ledger/helpers.js';
import { clone } from '../receipt/helpers.js';
import { witnessSigner, witnessVkey } from './helpers.js';

let t: ReturnType<typeof tempDir>;
let ledger: Ledger;
let early: Receipt; // leaf 1 at the checkpoint of size 2
let late: string; // the checkpoint of size 10
let proof2to10: string[];

beforeAll(async () => {
  t = tempDir('cunzheng-policy-receipt-');
  ledger = await Ledger.open({ dataDir: t.dir, origin: 'policy.test/log', maxGroup: 1 });
  const subject = { name: '测试公司', uscc: completeUscc('91110000MA00ABCD') };
  for (let i = 0; i < 10; i++) {
    const { bytes } = buildEntry({ kind: 'deposit', tenant: 'tn1', subject, digest: { sha256: '0'.repeat(63) + i }, hashedBy: 'client' });
    const a = await ledger.append(bytes);
    if (i === 1) {
      early = buildReceipt({ entryBytes: bytes, leafIndex: 1, inclusionProof: await ledger.inclusionProof(1, 2), checkpoint: a.checkpoint, origin: ledger.origin, logKey: ledger.verifierKey });
    }
  }
  late = ledger.checkpoint;
  proof2to10 = (await ledger.consistencyProof(2, 10)).map(toBase64);
});
afterAll(async () => {
  await ledger.close();
  t.cleanup();
});

const policy = () => parsePolicy(`log ${ledger.verifierKey}
witness A ${witnessVkey(1)}
witness B ${witnessVkey(2)}
witness C ${witnessVkey(3)}
group abc 2 A B C
quorum abc
`);
const cosign = (note: string, ws: number[]): string => addSignatures(note, ws.map((n) => witnessSigner(n)));
const TOKEN = toBase64(utf8('DER bytes of a TimeStampToken'));
const withAnchor = (r: Receipt, checkpoint: string): Receipt => ({ ...r, anchors: [{ type: 'rfc3161', checkpoint, token: TOKEN, consistency: proof2to10 }] });

async function failure(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('verifyReceipt with a policy', () => {
  it('without one, nothing changes: no policy in the result, cosignatures of untrusted witnesses unreported', async () => {
    const r = clone(early);
    r.checkpoint = cosign(r.checkpoint, [1, 2]);
    const v = await verifyReceipt(r, [ledger.verifierKey]);
    expect(v.policy).toBeUndefined();
    expect(v.cosignatures).toEqual([]);
  });

  it('is met by the receipt\'s own cosigned checkpoint, trusting the policy\'s log key alone', async () => {
    const r = clone(early);
    r.checkpoint = cosign(r.checkpoint, [1, 3]);
    const v = await verifyReceipt(r, [], {}, { policy: policy() });
    expect(v.policy).toEqual({
      met: true, treeSize: 2, checkpoint: 'receipt',
      cosigners: [{ witness: 'A', keyName: 'witness.example/w1', time: 1_700_000_001 }, { witness: 'C', keyName: 'witness.example/w3', time: 1_700_000_003 }],
      logSignatures: [expect.objectContaining({ name: 'policy.test/log', type: 'ed25519' })],
    });
    expect(v.cosignatures.map((c) => c.name)).toEqual(['witness.example/w1', 'witness.example/w3']);
  });

  it('is met by an anchor\'s cosigned checkpoint when the receipt\'s own is not cosigned', async () => {
    const v = await verifyReceipt(withAnchor(clone(early), cosign(late, [2, 3])), [], {}, { policy: policy() });
    expect(v.policy).toMatchObject({ met: true, treeSize: 10, checkpoint: 'anchor', anchor: 0 });
    expect(v.policy!.cosigners.map((c) => c.witness)).toEqual(['B', 'C']);
  });

  it('fails with POLICY_QUORUM_NOT_MET naming the best checkpoint when none meets it', async () => {
    const r = withAnchor(clone(early), cosign(late, [2]));
    const e = await failure(verifyReceipt(r, [ledger.verifierKey], {}, { policy: policy() }));
    expect(e.code).toBe('POLICY_QUORUM_NOT_MET');
    expect(e.details).toMatchObject({ treeSize: 10, have: ['B'], checked: [{ checkpoint: 'receipt', have: [] }, { checkpoint: 'anchors[0]', have: ['B'] }] });
    // The receipt itself still verifies without the policy.
    await expect(verifyReceipt(r, [ledger.verifierKey])).resolves.toMatchObject({ treeSize: 2 });
  });

  it('a cosigned anchor whose consistency proof is wrong never counts', async () => {
    const r = withAnchor(clone(early), cosign(late, [1, 2, 3]));
    r.anchors[0]!.consistency = [...proof2to10].reverse();
    expect((await failure(verifyReceipt(r, [], {}, { policy: policy() }))).code).toMatch(/ROOT_MISMATCH/);
  });

  it('a forged cosignature line by a listed witness rejects the receipt (NOTE_BAD_SIGNATURE)', async () => {
    const r = clone(early);
    const forged = cosign(late, [1]).split('\n').find((l) => l.startsWith('— witness.example/w1 '))!;
    r.checkpoint = `${cosign(r.checkpoint, [2, 3])}${forged}\n`;
    expect((await failure(verifyReceipt(r, [], {}, { policy: policy() }))).code).toBe('NOTE_BAD_SIGNATURE');
  });

  it('a policy for another log and no trusted key: RECEIPT_NO_TRUSTED_KEY', async () => {
    const other = parsePolicy(`witness A ${witnessVkey(1)}\nquorum A\n`);
    expect((await failure(verifyReceipt(clone(early), [], {}, { policy: other }))).code).toBe('RECEIPT_NO_TRUSTED_KEY');
  });
});

import { describe, expect, it } from 'vitest';
import { verifyReceipt, depositIdFromLeafHash, type Receipt } from '../../src/receipt/index.js';
import { fromBase64, sha256, sm3, toBase64, toHex, utf8 } from '../../src/crypto/index.js';
import { generateSigner } from '../../src/note/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { clone, codeOf, FIXTURE_VKEY, fixtureDocument, fixtureReceipt } from './helpers.js';

const v2 = fixtureReceipt('battery-formula-v2.txt');
const v2doc = fixtureDocument('battery-formula-v2.txt');

/** Rewrites the entry of a receipt and its id, so the check that fails is the proof, not the id. */
function withEntry(r: Receipt, entry: Uint8Array): Receipt {
  const c = clone(r);
  c.entry = toBase64(entry);
  c.id = depositIdFromLeafHash(hashLeaf(entry));
  return c;
}

describe('a valid receipt', () => {
  it('verifies and says what it proves', async () => {
    const r = await verifyReceipt(v2, [FIXTURE_VKEY], { document: v2doc });
    expect(r).toMatchObject({
      id: v2.id,
      origin: 'fixtures.cunzheng.test/log',
      logKey: 'fixtures.cunzheng.test/log+bbf13169',
      treeSize: 3,
      leafIndex: 2,
      matched: { sha256: true, sm3: true, by: 'document' },
      anchors: [],
    });
    expect(r.entry.subject).toEqual({ name: '示例新能源科技有限公司', uscc: '91430100MA4L16JJ1E' });
    expect(r.entry.hashedBy).toBe('server');
    expect(r.entry.time).toBe('2026-11-21T08:32:00.123Z');
  });

  it('matches digests given as hex or bytes', async () => {
    const byHex = await verifyReceipt(v2, [FIXTURE_VKEY], { digest: { sha256: toHex(sha256(v2doc)), sm3: toHex(sm3(v2doc)) } });
    expect(byHex.matched).toEqual({ sha256: true, sm3: true, by: 'digest' });
    const byBytes = await verifyReceipt(v2, [FIXTURE_VKEY], { digest: { sha256: sha256(v2doc) } });
    expect(byBytes.matched).toEqual({ sha256: true, sm3: false, by: 'digest' });
  });

  it('verifies without a document, comparing nothing', async () => {
    expect((await verifyReceipt(v2, [FIXTURE_VKEY])).matched.by).toBe('none');
  });

  it('verifies from its JSON text and from its bytes', async () => {
    const text = JSON.stringify(v2);
    expect((await verifyReceipt(text, [FIXTURE_VKEY])).id).toBe(v2.id);
    expect((await verifyReceipt(utf8(text), [FIXTURE_VKEY])).id).toBe(v2.id);
  });
});

describe('when the document is not the deposited one', () => {
  it('fails with RECEIPT_DOCUMENT_MISMATCH', async () => {
    expect(await codeOf(verifyReceipt(v2, [FIXTURE_VKEY], { document: fixtureDocument('battery-formula-v1.txt') }))).toBe('RECEIPT_DOCUMENT_MISMATCH');
  });
  it('fails with RECEIPT_SM3_MISMATCH when only the SM3 differs', async () => {
    const digest = { sha256: toHex(sha256(v2doc)), sm3: toHex(sm3(utf8('other'))) };
    expect(await codeOf(verifyReceipt(v2, [FIXTURE_VKEY], { digest }))).toBe('RECEIPT_SM3_MISMATCH');
  });
  it('rejects a malformed digest argument with RECEIPT_BAD_DIGEST_ARGUMENT', async () => {
    expect(await codeOf(verifyReceipt(v2, [FIXTURE_VKEY], { digest: { sha256: 'ABC' } }))).toBe('RECEIPT_BAD_DIGEST_ARGUMENT');
    expect(await codeOf(verifyReceipt(v2, [FIXTURE_VKEY], { digest: {} }))).toBe('RECEIPT_BAD_DIGEST_ARGUMENT');
  });
});

describe('trust', () => {
  it('never trusts the receipt\'s own log.key: without a trusted key it fails RECEIPT_NO_TRUSTED_KEY', async () => {
    expect(await codeOf(verifyReceipt(v2, []))).toBe('RECEIPT_NO_TRUSTED_KEY');
  });
  it('fails NOTE_UNVERIFIED under another key of the same name (a forged log)', async () => {
    const other = generateSigner('fixtures.cunzheng.test/log').verifierKey;
    expect(await codeOf(verifyReceipt(v2, [other]))).toBe('NOTE_UNVERIFIED');
  });
  it('fails RECEIPT_NO_TRUSTED_KEY when the receipt claims another origin', async () => {
    const c = clone(v2);
    c.log.origin = 'evil.example/log';
    expect(await codeOf(verifyReceipt(c, [FIXTURE_VKEY]))).toBe('RECEIPT_NO_TRUSTED_KEY');
  });
  it('fails CHECKPOINT_ORIGIN_MISMATCH when log.origin names a trusted log but the checkpoint is another\'s', async () => {
    const signer = generateSigner('second.example/log');
    const c = clone(v2);
    c.log.origin = 'second.example/log';
    expect(await codeOf(verifyReceipt(c, [FIXTURE_VKEY, signer.verifierKey]))).toMatch(/NOTE_UNVERIFIED|CHECKPOINT_ORIGIN_MISMATCH/);
  });
});

describe('a tampered receipt fails with its own code', () => {
  const cases: [string, (r: Receipt) => Receipt, string][] = [
    ['the id of another deposit', (r) => ({ ...clone(r), id: '0'.repeat(32) }), 'RECEIPT_ID_MISMATCH'],
    ['a changed entry (id left alone)', (r) => {
      const c = clone(r);
      const e = fromBase64(c.entry);
      e[e.length - 5] = 0x31; // a digit of the time
      c.entry = toBase64(e);
      return c;
    }, 'RECEIPT_ID_MISMATCH'],
    ['a changed entry with a matching id', (r) => withEntry(r, utf8(Buffer.from(fromBase64(r.entry)).toString('utf8').replace('08:32:00.123', '08:31:00.123'))), 'ROOT_MISMATCH'],
    ['a flipped bit in the proof', (r) => {
      const c = clone(r);
      const h = fromBase64(c.proof[0]!);
      h[7]! ^= 0x10;
      c.proof[0] = toBase64(h);
      return c;
    }, 'ROOT_MISMATCH'],
    ['a truncated proof', (r) => ({ ...clone(r), proof: [] }), 'PROOF_TOO_SHORT'],
    ['an extended proof', (r) => ({ ...clone(r), proof: [...r.proof, r.proof[0]!] }), 'PROOF_TOO_LONG'],
    ['index − 1, where that leaf needs a longer proof', (r) => ({ ...clone(r), index: r.index - 1 }), 'PROOF_TOO_SHORT'],
    ['index beyond the tree', (r) => ({ ...clone(r), index: 3 }), 'RECEIPT_INDEX_BEYOND_TREE'],
    ['a checkpoint with a changed size', (r) => ({ ...clone(r), checkpoint: r.checkpoint.replace('\n3\n', '\n4\n') }), 'NOTE_BAD_SIGNATURE'],
    ['a checkpoint whose signature line is removed', (r) => ({ ...clone(r), checkpoint: r.checkpoint.slice(0, r.checkpoint.indexOf('\n\n') + 2) }), 'NOTE_MALFORMED'],
    ['a checkpoint with a hyphen for the em dash', (r) => ({ ...clone(r), checkpoint: r.checkpoint.replace('—', '-') }), 'NOTE_BAD_SIGNATURE_LINE'],
  ];
  for (const [what, mutate, code] of cases) {
    it(`${what} → ${code}`, async () => {
      expect(await codeOf(verifyReceipt(mutate(v2), [FIXTURE_VKEY]))).toBe(code);
    });
  }
  it('index + 1 with a proof of the same length → ROOT_MISMATCH', async () => {
    const v1 = fixtureReceipt('battery-formula-v1.txt'); // leaf 0 of 3; leaf 1 has a 2-hash proof too
    expect(await codeOf(verifyReceipt({ ...clone(v1), index: 1 }, [FIXTURE_VKEY]))).toBe('ROOT_MISMATCH');
  });
});

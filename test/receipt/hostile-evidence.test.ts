/**
 * Receipts that mean two things, and evidence that proves nothing: a receipt with a member twice names two
 * deposits (JSON.parse keeps the last, a first-wins parser the other); a digest the entry does not carry
 * cannot be compared, so it is never a success.
 */
import { describe, expect, it } from 'vitest';
import { buildReceipt, formatReceipt, parseReceipt, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { buildEntry, completeUscc } from '../../src/entry/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { signCheckpoint } from '../../src/checkpoint/index.js';
import { generateSigner, parseSignerKey } from '../../src/note/index.js';
import { codeOf, FIXTURE_VKEY, fixtureDocument, fixtureReceipt } from './helpers.js';

const v1 = fixtureReceipt('battery-formula-v1.txt'); // leaf 0 of the tree of size 3
const v2 = fixtureReceipt('battery-formula-v2.txt'); // leaf 2 of the same tree
const member = (k: string, v: unknown): string => `${JSON.stringify(k)}:${JSON.stringify(v)}`;

/** The receipt text with `first`'s members, then `second`'s under the same names (both genuine deposits). */
function twoDeposits(first: Receipt, second: Receipt, names: (keyof Receipt)[]): string {
  const parts = [member('format', first.format)];
  for (const k of names) parts.push(member(k, first[k]));
  for (const k of names) parts.push(member(k, second[k]));
  for (const k of ['checkpoint', 'anchors', 'log'] as const) parts.push(member(k, first[k]));
  return `{${parts.join(',')}}`;
}

describe('a receipt with a member name twice', () => {
  it('is refused with RECEIPT_DUPLICATE_MEMBER when id, entry, index and proof name two genuine deposits', async () => {
    const text = twoDeposits(v1, v2, ['id', 'entry', 'index', 'proof']);
    // Each half on its own is a receipt that verifies: the duplicate is the only thing wrong.
    expect((await verifyReceipt(JSON.parse(text), [FIXTURE_VKEY])).leafIndex).toBe(2);
    expect(await codeOf(verifyReceipt(text, [FIXTURE_VKEY]))).toBe('RECEIPT_DUPLICATE_MEMBER');
    expect(await codeOf(verifyReceipt(utf8(text), [FIXTURE_VKEY]))).toBe('RECEIPT_DUPLICATE_MEMBER');
    expect(await codeOf(() => parseReceipt(text))).toBe('RECEIPT_DUPLICATE_MEMBER');
  });

  it.each([
    ['index only', (t: string) => t.replace('"index":2', '"index":0,"index":2')],
    ['a name spelt with an escape', (t: string) => t.replace('"index":2', '"\\u0069ndex":0,"index":2')],
    ['log.origin inside the nested object', (t: string) => t.replace('"log":{', '"log":{"origin":"other.example/log",')],
    ['a member of an anchor', (t: string) => t.replace('"anchors":[]', '"anchors":[{"type":"rfc3161","type":"rfc3161","checkpoint":"x","token":"AA==","consistency":[]}]')],
  ])('is refused at every depth: %s', async (_, mutate) => {
    const text = mutate(JSON.stringify(v2));
    expect(text).not.toBe(JSON.stringify(v2));
    expect(await codeOf(() => parseReceipt(text))).toBe('RECEIPT_DUPLICATE_MEMBER');
  });

  it('is not confused by the same name in two different objects, nor by a name inside a string', async () => {
    // "checkpoint" is a member of the receipt and of each anchor; "type" appears in two anchors.
    const anchor = { type: 'rfc3161', checkpoint: v2.checkpoint, token: 'AA==', consistency: [] };
    const text = JSON.stringify({ ...v2, anchors: [anchor, anchor] });
    expect(await codeOf(() => parseReceipt(text))).toBe('NO_ERROR');
    const inString = JSON.stringify({ ...v2, log: { ...v2.log, origin: '"index":1,"index":2' } });
    expect(await codeOf(() => parseReceipt(inString))).toBe('NO_ERROR');
  });

  it('reports the member and its depth', () => {
    try {
      parseReceipt(JSON.stringify(v2).replace('"log":{', '"log":{"key":"k",'));
      expect.unreachable();
    } catch (e) {
      expect((e as { details: unknown }).details).toEqual({ member: 'key', depth: 2 });
    }
  });
});

/** A one-leaf log whose entry carries a SHA-256 digest and no SM3 (a client may deposit SHA-256 alone). */
function shaOnlyReceipt(doc: Uint8Array): { receipt: Receipt; vkey: string } {
  const origin = 'sha-only.test/log';
  const { signerKey, verifierKey } = generateSigner(origin);
  const { bytes } = buildEntry({
    kind: 'deposit', tenant: 't1', subject: { name: '测试公司', uscc: completeUscc('91110000MA00ABCD') },
    digest: { sha256: toHex(sha256(doc)) }, hashedBy: 'client',
  });
  const checkpoint = signCheckpoint({ origin, treeSize: 1, rootHash: hashLeaf(bytes), extensions: [] }, parseSignerKey(signerKey));
  return { receipt: buildReceipt({ entryBytes: bytes, leafIndex: 0, inclusionProof: [], checkpoint, origin, logKey: verifierKey }), vkey: verifierKey };
}

describe('evidence the entry cannot be compared with', () => {
  const doc = fixtureDocument('battery-formula-v1.txt');
  const { receipt, vkey } = shaOnlyReceipt(doc);

  it('an SM3 digest against an entry without SM3 fails RECEIPT_EVIDENCE_NOT_COMPARED (not a success with nothing compared)', async () => {
    expect(await codeOf(verifyReceipt(receipt, [vkey], { digest: { sm3: toHex(sm3(doc)) } }))).toBe('RECEIPT_EVIDENCE_NOT_COMPARED');
    // Even a wrong SM3 "verified" before: nothing was compared at all.
    expect(await codeOf(verifyReceipt(receipt, [vkey], { digest: { sm3: toHex(sm3(utf8('another document'))) } }))).toBe('RECEIPT_EVIDENCE_NOT_COMPARED');
  });

  it('a given SM3 is refused even beside a matching SHA-256: every digest given must be compared', async () => {
    expect(await codeOf(verifyReceipt(receipt, [vkey], { digest: { sha256: sha256(doc), sm3: sm3(doc) } }))).toBe('RECEIPT_EVIDENCE_NOT_COMPARED');
  });

  it('the document itself, or the digests of the document the verifier hashed, compare SHA-256 and say SM3 was not', async () => {
    expect((await verifyReceipt(receipt, [vkey], { document: doc })).matched).toEqual({ sha256: true, sm3: false, by: 'document' });
    const r = await verifyReceipt(receipt, [vkey], { documentDigest: { sha256: toHex(sha256(doc)), sm3: toHex(sm3(doc)) } });
    expect(r.matched).toEqual({ sha256: true, sm3: false, by: 'document' });
    expect(await codeOf(verifyReceipt(receipt, [vkey], { documentDigest: { sha256: sha256(utf8('x')) } }))).toBe('RECEIPT_DOCUMENT_MISMATCH');
  });

  it('an entry carrying SM3 compares both from the document digests, and a wrong SM3 fails', async () => {
    const v1doc = fixtureDocument('battery-formula-v1.txt');
    const ok = await verifyReceipt(v1, [FIXTURE_VKEY], { documentDigest: { sha256: sha256(v1doc), sm3: sm3(v1doc) } });
    expect(ok.matched).toEqual({ sha256: true, sm3: true, by: 'document' });
    expect(await codeOf(verifyReceipt(v1, [FIXTURE_VKEY], { documentDigest: { sha256: sha256(v1doc), sm3: sm3(utf8('x')) } }))).toBe('RECEIPT_SM3_MISMATCH');
  });

  it('more than one kind of evidence is an argument error', async () => {
    expect(await codeOf(verifyReceipt(receipt, [vkey], { document: doc, digest: { sha256: sha256(doc) } }))).toBe('RECEIPT_BAD_DIGEST_ARGUMENT');
  });
});

/**
 * Anchors bind a receipt to another checkpoint of the same log through a consistency proof; the RFC 3161
 * token inside is carried, and its signature is checked by the timestamp verifier (not here). And the
 * C2SP tlog-proof@v1 export/import.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/index.js';
import { buildReceipt, exportTlogProof, importTlogProof, parseTlogProof, verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { toBase64, utf8 } from '../../src/crypto/index.js';
import { buildEntry, completeUscc } from '../../src/entry/index.js';
import { tempDir } from '../ledger/helpers.js';
import { clone, codeOf, FIXTURE_VKEY, fixtureReceipt } from './helpers.js';

let t: ReturnType<typeof tempDir>;
let ledger: Ledger;
let early: Receipt; // leaf 1, at the checkpoint of size 2
let lateCheckpoint: string; // size 40

beforeAll(async () => {
  t = tempDir('cunzheng-anchor-');
  ledger = await Ledger.open({ dataDir: t.dir, origin: 'anchors.test/log', maxGroup: 1 });
  const subject = { name: '测试公司', uscc: completeUscc('91110000MA00ABCD') };
  const entries: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const { bytes } = buildEntry({ kind: 'deposit', tenant: 'tn1', subject, digest: { sha256: '0'.repeat(63) + (i % 10) }, hashedBy: 'client' });
    entries.push(bytes);
    const a = await ledger.append(bytes);
    if (i === 1) {
      early = buildReceipt({ entryBytes: bytes, leafIndex: 1, inclusionProof: await ledger.inclusionProof(1, 2), checkpoint: a.checkpoint, origin: ledger.origin, logKey: ledger.verifierKey });
    }
  }
  lateCheckpoint = ledger.checkpoint;
});
afterAll(async () => {
  await ledger.close();
  t.cleanup();
});

const TOKEN = toBase64(utf8('DER bytes of a TimeStampToken'));

describe('an anchor on a later checkpoint', () => {
  it('verifies with the consistency proof from the receipt\'s tree to the anchored one', async () => {
    const r = clone(early);
    r.anchors = [{ type: 'rfc3161', checkpoint: lateCheckpoint, token: TOKEN, consistency: (await ledger.consistencyProof(2, 40)).map(toBase64) }];
    const v = await verifyReceipt(r, [ledger.verifierKey]);
    expect(v.anchors).toEqual([{ type: 'rfc3161', treeSize: 40, tokenChecked: false }]);
  });

  it('fails when the consistency proof is wrong', async () => {
    const r = clone(early);
    const proof = (await ledger.consistencyProof(3, 40)).map(toBase64);
    r.anchors = [{ type: 'rfc3161', checkpoint: lateCheckpoint, token: TOKEN, consistency: proof }];
    expect(await codeOf(verifyReceipt(r, [ledger.verifierKey]))).toMatch(/ROOT_MISMATCH|PROOF_TOO_(SHORT|LONG)/);
  });

  it('fails when the anchored checkpoint is not signed by the trusted key', async () => {
    const r = clone(early);
    r.anchors = [{ type: 'rfc3161', checkpoint: fixtureReceipt('empty.bin').checkpoint, token: TOKEN, consistency: [] }];
    expect(await codeOf(verifyReceipt(r, [ledger.verifierKey]))).toBe('NOTE_UNVERIFIED');
  });
});

describe('an anchor on an earlier checkpoint', () => {
  it('verifies when that tree already held the leaf', async () => {
    // Receipts are built whole (buildReceipt freezes them): the anchor goes in with the rest.
    const late = buildReceipt({
      entryBytes: Buffer.from(early.entry, 'base64'), leafIndex: 1, inclusionProof: await ledger.inclusionProof(1, 40), checkpoint: lateCheckpoint, origin: ledger.origin, logKey: ledger.verifierKey,
      anchors: [{ type: 'rfc3161', checkpoint: early.checkpoint, token: TOKEN, consistency: (await ledger.consistencyProof(2, 40)).map(toBase64) }],
    });
    expect((await verifyReceipt(late, [ledger.verifierKey])).anchors[0]!.treeSize).toBe(2);
  });

  it('fails ANCHOR_NOT_COVERING when that tree did not hold the leaf yet', async () => {
    const note = (await ledger.checkpointAt(1))!;
    const late = buildReceipt({
      entryBytes: Buffer.from(early.entry, 'base64'), leafIndex: 1, inclusionProof: await ledger.inclusionProof(1, 40), checkpoint: lateCheckpoint, origin: ledger.origin, logKey: ledger.verifierKey,
      anchors: [{ type: 'rfc3161', checkpoint: note, token: TOKEN, consistency: (await ledger.consistencyProof(1, 40)).map(toBase64) }],
    });
    expect(await codeOf(verifyReceipt(late, [ledger.verifierKey]))).toBe('ANCHOR_NOT_COVERING');
  });
});

describe('C2SP tlog-proof@v1', () => {
  const r = fixtureReceipt('battery-formula-v2.txt');

  it('exports the spec\'s line format: header, extra (the entry), index, proof, blank line, checkpoint', () => {
    const text = exportTlogProof(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe('c2sp.org/tlog-proof@v1');
    expect(lines[1]).toBe(`extra ${r.entry}`);
    expect(lines[2]).toBe('index 2');
    expect(lines.slice(3, 3 + r.proof.length)).toEqual(r.proof);
    expect(lines[3 + r.proof.length]).toBe('');
    expect(text.endsWith(r.checkpoint)).toBe(true);
  });

  it('imports back into a receipt that verifies (anchors are not part of the format)', async () => {
    const back = importTlogProof(exportTlogProof(r), FIXTURE_VKEY);
    expect(back).toEqual({ ...r, anchors: [] });
    expect((await verifyReceipt(back, [FIXTURE_VKEY])).leafIndex).toBe(2);
  });

  it.each([
    ['a wrong header', (s: string) => s.replace('tlog-proof@v1', 'tlog-proof@v2'), 'TLOG_PROOF_MALFORMED'],
    ['a leading zero in the index', (s: string) => s.replace('index 2', 'index 02'), 'TLOG_PROOF_MALFORMED'],
    ['an index beyond 2^53', (s: string) => s.replace('index 2', 'index 9007199254740993'), 'TLOG_PROOF_MALFORMED'],
    ['no index', (s: string) => s.replace('index 2\n', ''), 'TLOG_PROOF_MALFORMED'],
    ['a proof line that is not a hash', (s: string) => s.replace(/\nindex 2\n/, '\nindex 2\nAAAA\n'), 'TLOG_PROOF_MALFORMED'],
    ['no blank line', (s: string) => s.replace('\n\n', '\n'), 'TLOG_PROOF_MALFORMED'],
    ['no checkpoint', (s: string) => s.slice(0, s.indexOf('\n\n') + 2), 'TLOG_PROOF_MALFORMED'],
    ['no extra line', (s: string) => s.replace(/extra [^\n]*\n/, ''), 'TLOG_PROOF_NO_ENTRY'],
  ])('rejects %s', async (_, mutate, code) => {
    expect(await codeOf(() => importTlogProof(mutate(exportTlogProof(r)), FIXTURE_VKEY))).toBe(code);
  });

  it('parses a proof without extra data (the spec allows it)', () => {
    const p = parseTlogProof(exportTlogProof(r).replace(/extra [^\n]*\n/, ''));
    expect(p.extra).toBeUndefined();
    expect(p.proof).toHaveLength(1);
  });
});

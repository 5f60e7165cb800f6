/**
 * The summary of a multi-receipt `verify`: it must say how many documents were compared and how many
 * receipts were checked without theirs (mirrored receipts verified without --documents compare nothing),
 * --require-documents makes each of those a failure, and the table stays aligned under CJK names.
 * Receipts of format v2 entries: a deposit prints its operator, an event says in words what was recorded,
 * by whom and when (receipts made here with the fixtures' test-only log key, verified by the built CLI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayWidth } from '../../cli/text-width.js';
import { signCheckpoint } from '../../src/checkpoint/index.js';
import { sha256, sm3, toHex } from '../../src/crypto/index.js';
import { buildEntry, checkEvent } from '../../src/entry/index.js';
import { hashChildren, hashLeaf } from '../../src/merkle/index.js';
import { parseSignerKey } from '../../src/note/index.js';
import { buildReceipt, formatReceipt } from '../../src/receipt/index.js';
import { cli, ROOT } from './run-cli.js';

const VKEY = readFileSync(join(ROOT, 'fixtures/log.vkey'), 'utf8').trim();
const NAMES = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'];

let dir: string;
let receipts: string; // mirrored, as `deposit --out` writes them
let documents: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-verify-summary-'));
  receipts = join(dir, 'receipts');
  documents = join(dir, 'documents');
  mkdirSync(join(receipts, 'sub'), { recursive: true });
  mkdirSync(join(documents, 'sub'), { recursive: true });
  for (const [i, name] of NAMES.entries()) {
    const at = i === 2 ? join('sub', name) : name;
    copyFileSync(join(ROOT, 'fixtures/receipts', `${name}.receipt.json`), join(receipts, `${at}.receipt.json`));
    copyFileSync(join(ROOT, 'fixtures/documents', name), join(documents, at));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify of mirrored receipts', () => {
  it('without --documents says that no document was compared, in the summary and in --json', () => {
    const r = cli(['verify', receipts, '--key', VKEY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 of 3 receipts verified; 0 documents compared.');
    expect(r.stdout).toContain('3 receipts were checked WITHOUT their documents');
    const j = JSON.parse(cli(['verify', receipts, '--key', VKEY, '--json']).stdout);
    expect(j).toMatchObject({ ok: true, verified: 3, documentsCompared: 0, withoutDocument: 3 });
  });

  it('with --documents compares every one and says so', () => {
    const r = cli(['verify', receipts, '--documents', documents, '--key', VKEY]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('3 of 3 receipts verified; 3 documents compared.');
    expect(r.stdout).not.toContain('WITHOUT');
  });

  it('--require-documents fails (exit 1) each receipt checked without its document', () => {
    const r = cli(['verify', receipts, '--key', VKEY, '--require-documents', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: false, verified: 0, failed: 3, documentsCompared: 0 });
    expect(j.results.map((x: { code: string }) => x.code)).toEqual(['DOCUMENT_NOT_COMPARED', 'DOCUMENT_NOT_COMPARED', 'DOCUMENT_NOT_COMPARED']);
  });

  it('--require-documents passes when every document is there, and fails only the receipt whose document is missing', () => {
    expect(cli(['verify', receipts, '--documents', documents, '--key', VKEY, '--require-documents']).code).toBe(0);
    const partial = join(dir, 'partial');
    mkdirSync(partial);
    copyFileSync(join(documents, NAMES[0]!), join(partial, NAMES[0]!));
    const r = cli(['verify', receipts, '--documents', partial, '--key', VKEY, '--require-documents']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 of 3 receipts verified, 2 failed; 1 document compared.');
    expect(r.stdout).toMatch(/DOCUMENT_NOT_COMPARED: .*looked for .*partial/);
  });

  it('CUNZHENG_REQUIRE_DOCUMENTS is the flag\'s environment twin', () => {
    expect(cli(['verify', receipts, '--key', VKEY], { env: { CUNZHENG_REQUIRE_DOCUMENTS: '1' } }).code).toBe(1);
  });
});

describe('the summary table under CJK names', () => {
  it('pads by display width, so every column starts at the same terminal column', () => {
    const cjk = join(dir, 'cjk');
    mkdirSync(cjk);
    copyFileSync(join(ROOT, 'fixtures/receipts/empty.bin.receipt.json'), join(cjk, 'a.receipt.json'));
    copyFileSync(join(ROOT, 'fixtures/receipts/battery-formula-v2.txt.receipt.json'), join(cjk, '电解液配方说明书.txt.receipt.json'));
    copyFileSync(join(ROOT, 'fixtures/receipts/battery-formula-v1.txt.receipt.json'), join(cjk, 'ｆｕｌｌ.receipt.json'));
    const r = cli(['verify', cjk, '--key', VKEY]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('status'));
    const table = lines.slice(head, head + 4);
    expect(table).toHaveLength(4);
    // The column where "leaf" starts in the header is where each row's leaf number starts.
    const leafColumn = displayWidth(table[0]!.slice(0, table[0]!.indexOf('leaf')));
    for (const row of table.slice(1)) {
      const m = /^(verified\s+\S+\s+)(\d)/.exec(row);
      expect(m, row).not.toBeNull();
      expect(displayWidth(m![1]!), row).toBe(leafColumn);
    }
  });
});

describe('receipts of v2 entries', () => {
  const document = join(ROOT, 'fixtures/documents', NAMES[0]!);
  let v2dir: string;
  let depositReceipt: string;
  let eventReceipt: string;
  beforeAll(() => {
    v2dir = join(dir, 'v2');
    mkdirSync(v2dir);
    const signer = parseSignerKey(readFileSync(join(ROOT, 'fixtures/log.key'), 'utf8').trim());
    const bytes = readFileSync(document);
    const common = {
      tenant: 'tn0123456789abcdef01234567', subject: { name: '示例新能源科技有限公司', uscc: '91430100MA4L16JJ1E' }, operator: 'u_0123456789abcdef',
      digest: { sha256: toHex(sha256(bytes)), sm3: toHex(sm3(bytes)) }, size: bytes.length, hashedBy: 'client' as const,
    };
    const nonce = (k: number): Uint8Array => sha256(new TextEncoder().encode(`v2 nonce ${k}`)).subarray(0, 16);
    const deposit = buildEntry({ kind: 'deposit', ...common, meta: { title: '电解液配方 v1' } }, { nonce: nonce(0), time: new Date('2026-11-21T08:30:00.123Z') }).bytes;
    const depositId = toHex(hashLeaf(deposit).subarray(0, 16));
    const event = buildEntry({
      kind: 'classify', ...common, operator: 'u_fedcba9876543210', prev: depositId,
      event: checkEvent('classify', { level: '核心商密', period: '长期', record: { sha256: 'ab'.repeat(32) } }),
    }, { nonce: nonce(1), time: new Date('2026-11-22T01:02:03.456Z') }).bytes;
    const leaves = [hashLeaf(deposit), hashLeaf(event)];
    const checkpoint = signCheckpoint({ origin: signer.name, treeSize: 2, rootHash: hashChildren(leaves[0]!, leaves[1]!), extensions: [] }, signer);
    const receipt = (entryBytes: Uint8Array, i: number): string => formatReceipt(buildReceipt({
      entryBytes, leafIndex: i, inclusionProof: [leaves[1 - i]!], checkpoint, origin: signer.name, logKey: VKEY,
    }));
    depositReceipt = join(v2dir, 'deposit.receipt.json');
    eventReceipt = join(v2dir, 'classify.receipt.json');
    writeFileSync(depositReceipt, receipt(deposit, 0));
    writeFileSync(eventReceipt, receipt(event, 1));
  });

  it('a v2 deposit prints as before, with its operator', () => {
    const r = cli(['verify', depositReceipt, '--file', document, '--key', VKEY]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}Deposit id: [0-9a-f]{32}$/m);
    expect(r.stdout).toContain('  Operator (操作人): u_0123456789abcdef (the tenant\'s user who made the request)');
    expect(r.stdout).toContain('  Kind: deposit (存证)');
    expect(r.stdout).not.toContain('This receipt is of an event');
  });

  it('an event receipt says what was recorded, about which version, by whom and when, in words', () => {
    const r = cli(['verify', eventReceipt, '--file', document, '--key', VKEY]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const depositId = /Deposit id: ([0-9a-f]{32})/.exec(cli(['verify', depositReceipt, '--key', VKEY]).stdout)![1]!;
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^ {2}Event id: [0-9a-f]{32}$/);
    expect(lines[2]).toBe(`  Event: 定密 (classify) of document version ${depositId}, recorded by operator u_fedcba9876543210 of tenant` +
      ' tn0123456789abcdef01234567 (示例新能源科技有限公司), received 2026-11-22 09:02:03.456 +08:00 (Beijing time)');
    for (const want of [
      '  Operator (操作人): u_fedcba9876543210 (the tenant\'s user who made the request)',
      `  Document version concerned (deposit): ${depositId}`,
      '  Recorded: the document was classified as a trade secret (定密)',
      '  Classification level (密级): 核心商密 (core trade secret)',
      '  Secrecy period (保密期限): 长期 (long term: no end date)',
      `  Record of the measure, SHA-256: ${'ab'.repeat(32)}`,
      '  Received: 2026-11-22 09:02:03.456 +08:00 (Beijing time); 2026-11-22T01:02:03.456Z UTC',
      `  Document: ${document} matches the receipt (SHA-256 and SM3): it is the document version the event concerns`,
      '  This receipt is of an event: the enterprise recorded the measure above, about the document version named,',
    ]) expect(lines, want).toContain(want);
  });

  it('an event receipt verifies against the original document alone, and fails against another', () => {
    expect(cli(['verify', eventReceipt, '--file', join(ROOT, 'fixtures/documents', NAMES[1]!), '--key', VKEY]).code).toBe(1);
    const j = JSON.parse(cli(['verify', v2dir, '--key', VKEY, '--json']).stdout);
    expect(j).toMatchObject({ ok: true, verified: 2 });
  });
});

/**
 * The summary of a multi-receipt `verify`: it must say how many documents were compared and how many
 * receipts were checked without theirs (mirrored receipts verified without --documents compare nothing),
 * --require-documents makes each of those a failure, and the table stays aligned under CJK names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayWidth } from '../../cli/text-width.js';
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

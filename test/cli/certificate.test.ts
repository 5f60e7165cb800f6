/**
 * `cunzheng certificate` as a user runs it (the built CLI as a child process), on the checked-in receipts:
 * where it writes, --lang, --out, --file checked (and refused when it does not match), usage errors, and
 * `verify` of what it wrote, text and --json.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const VKEY = readFileSync('fixtures/log.vkey', 'utf8').trim();
const R = (name: string): string => `fixtures/receipts/${name}.receipt.json`;
const D = (name: string): string => `fixtures/documents/${name}`;
const text = (pdf: string): string => execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-cli-cert-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cunzheng certificate', () => {
  it('writes X.certificate.pdf beside X.receipt.json, and verify passes it (exit 0)', () => {
    const receipt = join(dir, 'battery-formula-v2.txt.receipt.json');
    copyFileSync(R('battery-formula-v2.txt'), receipt);
    const r = cli(['certificate', receipt]);
    expect(r.code, r.stderr).toBe(0);
    const pdf = join(dir, 'battery-formula-v2.txt.certificate.pdf');
    expect(r.stdout).toContain(`✔ ${receipt}: certificate ${pdf}`);
    expect(text(pdf)).toContain('电子数据存证证书');
    const v = cli(['verify', pdf, '--key', VKEY]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('Certificate: every printed field, the QR code and both attachments are exactly those the attached receipt makes');
    const j = JSON.parse(cli(['verify', pdf, '--key', VKEY, '--json']).stdout);
    expect(j.results[0]).toMatchObject({ ok: true, certificate: { printedFieldsMatch: true }, id: '164e0b3bed0c2fea4f843324bc0fc48e' });
  });

  it('with --file: hashes the document here and says it matches; verify --file of the certificate checks it again', () => {
    const out = join(dir, 'checked.pdf');
    const r = cli(['certificate', R('battery-formula-v2.txt'), '--file', D('battery-formula-v2.txt'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(text(out)).toContain('已核对：文件battery-formula-v2.txt的SHA-256（及SM3）摘要与本存证记录一致');
    expect(cli(['verify', out, '--file', D('battery-formula-v2.txt'), '--key', VKEY]).code).toBe(0);
    expect(cli(['verify', out, '--file', D('battery-formula-v1.txt'), '--key', VKEY]).code).toBe(1);
  });

  it('refuses a --file that is not the deposited document (exit 1, a code, nothing written)', () => {
    const out = join(dir, 'wrong.pdf');
    const r = cli(['certificate', R('battery-formula-v2.txt'), '--file', D('battery-formula-v1.txt'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CERTIFICATE_DOCUMENT_MISMATCH');
    expect(existsSync(out)).toBe(false);
    const j = JSON.parse(cli(['certificate', R('battery-formula-v2.txt'), '--file', D('battery-formula-v1.txt'), '--out', out, '--json']).stdout);
    expect(j).toMatchObject({ ok: false, made: 0, failed: 1, results: [{ ok: false, code: 'CERTIFICATE_DOCUMENT_MISMATCH' }] });
  });

  it('--lang en, and several receipts into an --out folder', () => {
    const r = cli(['certificate', R('battery-formula-v1.txt'), R('empty.bin'), '--out', dir, '--lang', 'en', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, made: 2, failed: 0 });
    expect(text(join(dir, 'battery-formula-v1.txt.certificate.pdf'))).toContain('ElectronicDataDepositCertificate');
    expect(existsSync(join(dir, 'empty.bin.certificate.pdf'))).toBe(true);
  });

  it('gives no certificate for a receipt that does not verify under its own key (exit 1)', () => {
    const bad = JSON.parse(readFileSync(R('battery-formula-v1.txt'), 'utf8'));
    bad.index = 1;
    const p = join(dir, 'bad.receipt.json');
    writeFileSync(p, JSON.stringify(bad));
    const r = cli(['certificate', p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CERTIFICATE_RECEIPT_INVALID');
    expect(existsSync(join(dir, 'bad.certificate.pdf'))).toBe(false);
  });

  it('usage errors: exit 2 with one line', () => {
    for (const args of [
      ['certificate', R('empty.bin'), '--lang', 'fr'],
      ['certificate', join(dir, 'missing.receipt.json')],
      ['certificate', R('empty.bin'), R('battery-formula-v1.txt'), '--out', join(dir, 'one-file.pdf')],
      ['certificate', R('empty.bin'), '--verifier-url', 'ftp://x'],
      ['certificate', R('empty.bin'), '--file', join(dir, 'no-such-doc')],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

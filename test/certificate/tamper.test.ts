/**
 * `cunzheng verify cert.pdf` on certificates changed after they were made: the attached receipt, a printed
 * field, the parameters in the metadata; and on PDFs that are no certificate (junk, truncated, too large,
 * another PDF). Each is a coded failure (exit 1), never a stack trace; a missing file is a usage error (2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCertificate, extractCertificate, makeCertificate, MAX_CERTIFICATE_BYTES } from '../../src/certificate/index.js';
import { CunzhengError } from '../../src/errors.js';
import { cli } from '../cli/run-cli.js';
import { openFixture, type Fixture } from './helpers.js';

let f: Fixture;
let dir: string;
let pdf: Buffer;
beforeAll(async () => {
  f = await openFixture();
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-cert-tamper-'));
  pdf = (await makeCertificate(f.deposit, { checkedFile: 'formula-v3.txt' })).pdf;
}, 120_000);
afterAll(async () => {
  await f?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function verify(bytes: Uint8Array, name: string): { code: number | null; stdout: string; stderr: string; json: { results: { ok: boolean; code?: string }[] } } {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  const r = cli(['verify', p, '--key', f.vkey, '--json']);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  return { ...r, json: JSON.parse(r.stdout) };
}

/** `pdf` with the first `from` after `after` replaced by `to` (same length: offsets stay right). */
function patch(bytes: Buffer, after: string, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const text = bytes.toString('latin1');
  const at = text.indexOf(from, text.indexOf(after));
  expect(at).toBeGreaterThan(0);
  return Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), 'latin1');
}

describe('verify cert.pdf', () => {
  it('passes the certificate as made, and says the printed fields match', () => {
    const r = verify(pdf, 'good.pdf');
    expect(r.code).toBe(0);
    expect(r.json.results[0]).toMatchObject({ ok: true, certificate: { printedFieldsMatch: true } });
  });

  it('catches a receipt changed inside the certificate (its attachment)', () => {
    const text = pdf.toString('latin1');
    const idx = /"index":(\d)/.exec(text.slice(text.indexOf('/Subtype /application#2Fjson')))!;
    const bad = patch(pdf, '/Subtype /application#2Fjson', idx[0], `"index":${(Number(idx[1]) + 1) % 10}`);
    const r = verify(bad, 'attachment.pdf');
    expect(r.code).toBe(1);
    expect(r.json.results[0]!.ok).toBe(false);
    expect(r.json.results[0]!.code).toMatch(/^(RECEIPT_INDEX_BEYOND_TREE|ROOT_MISMATCH|CERTIFICATE_MISMATCH)$/);
  });

  it('catches a printed field changed (a glyph of the page content)', () => {
    const text = pdf.toString('latin1');
    const content = text.indexOf('BT\n');
    const m = /\[<([0-9a-f]{4})/.exec(text.slice(content))!;
    const glyph = m[1]!;
    const other = glyph === '0001' ? '0002' : '0001';
    const bad = patch(pdf, 'BT\n', `[<${glyph}`, `[<${other}`);
    const r = verify(bad, 'printed.pdf');
    expect(r.code).toBe(1);
    expect(r.json.results[0]).toMatchObject({ ok: false, code: 'CERTIFICATE_MISMATCH' });
  });

  it('catches the parameters changed (the claim that a file was checked)', () => {
    const bad = patch(pdf, '<cunzheng:params>', 'formula-v3.txt', 'formula-v4.txt');
    expect(verify(bad, 'params.pdf').json.results[0]).toMatchObject({ ok: false, code: 'CERTIFICATE_MISMATCH' });
  });

  it('refuses PDFs that are no certificate of ours, each with a code, exit 1', () => {
    const cases: [string, Uint8Array, string][] = [
      ['junk.pdf', Buffer.from('not a pdf at all'), 'CERTIFICATE_MALFORMED'],
      ['truncated.pdf', pdf.subarray(0, 2000), 'CERTIFICATE_MALFORMED'],
      ['empty.pdf', new Uint8Array(0), 'CERTIFICATE_MALFORMED'],
      ['other.pdf', Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'), 'CERTIFICATE_MALFORMED'],
      ['no-params.pdf', patch(pdf, '<cunzheng:params>', 'cunzheng:params>', 'cunzheng:paramz>'), 'CERTIFICATE_MALFORMED'],
      ['huge-length.pdf', Buffer.from(pdf.toString('latin1').replace(/(\/Subtype \/application#2Fjson\n\/Length )\d+/, '$199999999'), 'latin1'), 'CERTIFICATE_MALFORMED'],
    ];
    // One run checks them all: verify takes several files and reports each on its own.
    for (const [name, bytes] of cases) writeFileSync(join(dir, name), bytes);
    const r = cli(['verify', ...cases.map(([name]) => join(dir, name)), '--key', f.vkey, '--json']);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.code).toBe(1);
    const results = (JSON.parse(r.stdout) as { results: { receipt: string; ok: boolean; code?: string }[] }).results;
    expect(results).toHaveLength(cases.length);
    for (const [name, , code] of cases) expect(results.find((x) => x.receipt === join(dir, name)), name).toMatchObject({ ok: false, code });
  });

  it('bounds what it reads: a certificate past the limit is CERTIFICATE_TOO_LARGE, a missing one a usage error', async () => {
    expect(() => extractCertificate(new Uint8Array(MAX_CERTIFICATE_BYTES + 1))).toThrow(expect.objectContaining({ code: 'CERTIFICATE_TOO_LARGE' }));
    const r = cli(['verify', join(dir, 'nope.pdf'), '--key', f.vkey]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const err = await checkCertificate(Buffer.concat([pdf, Buffer.from('\n')])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CunzhengError);
    expect((err as CunzhengError).code).toBe('CERTIFICATE_MISMATCH');
  });
});

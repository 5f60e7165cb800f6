import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli.js';

const VKEY = readFileSync('fixtures/log.vkey', 'utf8').trim();
const R = (name: string): string => `fixtures/receipts/${name}.receipt.json`;
const D = (name: string): string => `fixtures/documents/${name}`;

describe('cunzheng verify', () => {
  it('verifies a receipt against its document and says what it proves (exit 0)', () => {
    const r = cli(['verify', R('battery-formula-v2.txt'), '--file', D('battery-formula-v2.txt'), '--key', VKEY]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatchSnapshot();
  });

  it('verifies several receipts with a trust file and prints a summary', () => {
    const r = cli(['verify', R('battery-formula-v1.txt'), R('empty.bin'), R('battery-formula-v1.txt.at-size-1'), '--trust', 'fixtures/trust.txt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 of 3 receipts verified; 0 documents compared.');
    expect(r.stdout).toContain('3 receipts were checked WITHOUT their documents');
    expect(r.stdout).toContain('This receipt is unanchored');
    expect(r.stdout).toContain('does not prove: who owns or wrote the document');
  });

  it('fails (exit 1) when the file is not the deposited document, and says which check failed', () => {
    const r = cli(['verify', R('battery-formula-v2.txt'), '--file', D('battery-formula-v1.txt'), '--key', VKEY]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatchSnapshot();
  });

  it('fails (exit 1) for a tampered receipt among good ones, and only that one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-cli-'));
    try {
      const bad = JSON.parse(readFileSync(R('battery-formula-v1.txt'), 'utf8'));
      bad.index = 1;
      writeFileSync(join(dir, 'bad.receipt.json'), JSON.stringify(bad));
      const r = cli(['verify', R('empty.bin'), join(dir, 'bad.receipt.json'), '--key', VKEY, '--json']);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ ok: false, verified: 1, failed: 1 });
      expect(out.results[0]).toMatchObject({ ok: true, leafIndex: 1, treeSize: 3, anchored: false, hashedBy: 'client' });
      expect(out.results[1]).toMatchObject({ ok: false, code: 'ROOT_MISMATCH' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the machine result with --json', () => {
    const r = cli(['verify', R('battery-formula-v2.txt'), '--file', D('battery-formula-v2.txt'), '--key', VKEY, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.results[0]).toMatchObject({
      ok: true, document: D('battery-formula-v2.txt'), size: 182, id: '164e0b3bed0c2fea4f843324bc0fc48e', origin: 'fixtures.cunzheng.test/log', leafIndex: 2, treeSize: 3,
      depositor: { name: '示例新能源科技有限公司', uscc: '91430100MA4L16JJ1E' }, matched: { sha256: true, sm3: true, by: 'document' },
      prev: '74352b56150c934055f4bc88293fb8eb', receivedAt: '2026-11-21T08:32:00.123Z',
    });
  });

  it('takes keys from CUNZHENG_KEY and trust files from CUNZHENG_TRUST', () => {
    expect(cli(['verify', R('empty.bin')], { env: { CUNZHENG_KEY: VKEY } }).code).toBe(0);
    expect(cli(['verify', R('empty.bin')], { env: { CUNZHENG_TRUST: 'fixtures/trust.txt' } }).code).toBe(0);
  });

  it('never trusts the key inside the receipt: with no key given it is a usage error (exit 2)', () => {
    const r = cli(['verify', R('empty.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no trusted log key');
    expect(r.stdout).toBe('');
  });

  it.each([
    ['no receipt', ['verify', '--key', VKEY], /missing required argument/],
    ['an unknown option', ['verify', R('empty.bin'), '--key', VKEY, '--frobnicate'], /unknown option/],
    ['a missing receipt file', ['verify', 'nope.receipt.json', '--key', VKEY], /cannot read receipt nope.receipt.json: ENOENT/],
    ['a missing --file', ['verify', R('empty.bin'), '--key', VKEY, '--file', 'nope.pdf'], /cannot read --file nope.pdf/],
    ['a malformed --key', ['verify', R('empty.bin'), '--key', 'not-a-key'], /--key #1: not a verifier key/],
    ['an unknown command', ['frobnicate'], /unknown command/],
  ])('exits 2 for %s', (_, args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 0 for --help and --version', () => {
    expect(cli(['--help']).code).toBe(0);
    expect(cli(['verify', '--help']).stdout).toContain('--file <doc>');
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('cunzheng receipt export --tlog-proof', () => {
  it('prints the receipt as a C2SP tlog-proof', () => {
    const r = cli(['receipt', 'export', '--tlog-proof', R('empty.bin')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['c2sp.org/tlog-proof@v1', expect.stringMatching(/^extra /), 'index 1']);
  });
  it('exits 1 for a file that is not a receipt', () => {
    expect(cli(['receipt', 'export', '--tlog-proof', 'fixtures/log.vkey']).code).toBe(1);
  });
});

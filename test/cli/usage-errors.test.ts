/**
 * A user's mistakes outside `serve`: one line on stderr, exit 2, never a stack trace and never a hang.
 * The config file (misspelt keys, a FIFO), the admin token file of `tenant add`, a bad --url, and
 * commander's own errors (unknown options, missing arguments).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, type CliResult } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'cunzheng-usage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectOneLineUsage(r: CliResult, ...mentions: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^cunzheng: /);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

function fifo(name: string): string {
  const p = join(root, name);
  execFileSync('mkfifo', [p]);
  return p;
}

describe('the config file', () => {
  it('refuses a misspelt key, naming it and the known ones', () => {
    const doc = join(root, 'doc.txt');
    writeFileSync(doc, 'x');
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ URL: 'http://127.0.0.1:1', apiKey: 'czk_x' }), { mode: 0o600 });
    const r = cli(['deposit', doc, '--config', config]);
    expectOneLineUsage(r, '"URL"', 'known keys: url, apiKey');
  });

  it('refuses the default ~/.config/cunzheng/config.json with a misspelt key too', () => {
    const home = join(root, 'home');
    mkdirSync(join(home, '.config', 'cunzheng'), { recursive: true });
    writeFileSync(join(home, '.config', 'cunzheng', 'config.json'), JSON.stringify({ apikey: 'czk_x' }), { mode: 0o600 });
    const doc = join(root, 'doc2.txt');
    writeFileSync(doc, 'x');
    expectOneLineUsage(cli(['deposit', doc], { env: { HOME: home } }), '"apikey"', 'apiKey');
  });

  it('refuses a FIFO given as --config at once instead of waiting for a writer', () => {
    const doc = join(root, 'doc3.txt');
    writeFileSync(doc, 'x');
    const r = cli(['deposit', doc, '--config', fifo('config.fifo'), '--api-key', 'czk_x']);
    expectOneLineUsage(r, 'config', 'FIFO');
  });
});

describe('tenant add', () => {
  it('refuses a --url that is not a URL with one line', () => {
    const r = cli(['tenant', 'add', '--name', '示例有限公司', '--uscc', '91430100MA4L16JJ1E', '--url', 'not a url', '--admin-token', 'a'.repeat(40)]);
    expectOneLineUsage(r, '--url');
  });

  it('refuses an admin-token file that is a FIFO instead of hanging', () => {
    const data = join(root, 'data-fifo');
    mkdirSync(data);
    execFileSync('mkfifo', [join(data, 'admin-token')]);
    const r = cli(['tenant', 'add', '--name', '示例有限公司', '--uscc', '91430100MA4L16JJ1E', '--url', 'http://127.0.0.1:1', '--data', data]);
    expectOneLineUsage(r, 'admin token', 'FIFO');
  });
});

describe('commander errors', () => {
  it.each([
    [['deposit', 'x', '--no-such-flag'], "'--no-such-flag'"],
    [['tenant', 'add', '--name', 'x'], '--uscc'],
    [['no-such-command'], 'no-such-command'],
  ])('%j is one line with the hint on it', (args, mention) => {
    expectOneLineUsage(cli(args), mention, '--help');
  });
});

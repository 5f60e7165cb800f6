/**
 * `cunzheng serve` as a new user starts it: a mistake in any flag, a busy port or an unusable data folder is
 * one line on stderr, exit 2, and nothing created on disk; a good start names the origin beside the verifier
 * key and, the first time, says the origin is now fixed; the ledger's files are the operator's alone (umask
 * 0077) even in a data folder someone made 0755 beforehand.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './run-cli.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';

const root = mkdtempSync(join(tmpdir(), 'cunzheng-serve-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `case-${n++}`);

interface Run { code: number | null; stderr: string; stdout: string }

/**
 * Runs `serve`; a server that starts (which the mistakes must not allow) is stopped after `ms`, or as soon as
 * stderr holds `until`.
 */
function serve(args: string[], ms = 8_000, until?: RegExp, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (until?.test(stderr)) setTimeout(() => child.kill('SIGKILL'), 200);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneLineUsage(r: Run, mention: string): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^cunzheng: /);
  expect(lines[0]).toContain(mention);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

function pemFile(): string {
  const dir = join(root, 'pki');
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'ca.key');
  const crt = join(dir, 'ca.pem');
  if (!existsSync(crt)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=test root', '-days', '2'], { stdio: 'ignore' });
  }
  return crt;
}

describe('cunzheng serve, started wrongly', () => {
  it('refuses --log-level chatty with one line, exit 2, and no data folder', async () => {
    const data = fresh();
    const r = await serve(['--data', data, '--port', '0', '--log-level', 'chatty']);
    expectOneLineUsage(r, '--log-level');
    expect(existsSync(data)).toBe(false);
  });

  it('refuses admission and connection limits that are not whole numbers, or too small to admit a request', async () => {
    for (const [flag, value] of [['--max-inflight', '12k'], ['--max-tenant-inflight', '1000'], ['--max-connections', '0']] as const) {
      const data = fresh();
      expectOneLineUsage(await serve(['--data', data, '--port', '0', flag, value]), flag);
      expect(existsSync(data)).toBe(false);
    }
  });

  it('refuses a --data below a regular file with one line, exit 2, and creates nothing', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await serve(['--data', join(file, 'data'), '--port', '0']);
    expectOneLineUsage(r, '--data');
    expect(readdirSync(root)).not.toContain('data');
  });

  it('refuses a --data that is a regular file', async () => {
    const file = join(root, 'another-file');
    writeFileSync(file, 'x');
    expectOneLineUsage(await serve(['--data', file, '--port', '0']), '--data');
  });

  it('refuses a --data that cannot be created (under /proc) at once, instead of spinning', async () => {
    if (process.platform !== 'linux') return;
    const r = await serve(['--data', '/proc/cunzheng-no-such/data', '--port', '0']);
    expectOneLineUsage(r, '--data');
  });

  it('refuses a busy port before it creates the data folder or a key', async () => {
    const busy: Server = createServer();
    await new Promise<void>((res) => busy.listen(0, '127.0.0.1', () => res()));
    const port = (busy.address() as { port: number }).port;
    try {
      const data = fresh();
      const r = await serve(['--data', data, '--port', String(port)]);
      expectOneLineUsage(r, 'already in use');
      expect(existsSync(data)).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('refuses an --origin with a space and leaves no empty ledger/ behind, in a new or an existing folder', async () => {
    const data = fresh();
    expectOneLineUsage(await serve(['--data', data, '--port', '0', '--origin', 'example.com/my log']), '--origin');
    expect(existsSync(data)).toBe(false);
    const existing = fresh();
    mkdirSync(existing);
    expectOneLineUsage(await serve(['--data', existing, '--port', '0', '--origin', 'example.com/my log']), '--origin');
    expect(readdirSync(existing)).toEqual([]);
  });

  it('refuses --tsa not-a-url (with good --tsa-roots), creating nothing', async () => {
    const data = fresh();
    const r = await serve(['--data', data, '--port', '0', '--tsa', 'not-a-url', '--tsa-roots', pemFile()]);
    expectOneLineUsage(r, '--tsa');
    expect(existsSync(data)).toBe(false);
  });

  it.each([
    [['--admin-token', 'short'], '--admin-token'],
    [['--port', '70000'], '--port'],
    [['--anchor-interval', '0'], '--anchor-interval'],
    [['--rate-limit', 'lots'], '--rate-limit'],
    [['--tsa', 'http://tsa.example/'], '--tsa-roots'],
    [['--host', 'no-such-host.invalid'], '--host'],
  ])('refuses %j with one line and creates nothing', async (flags, mention) => {
    const data = fresh();
    expectOneLineUsage(await serve(['--data', data, '--port', '0', ...flags]), mention);
    expect(existsSync(data)).toBe(false);
  });
});

describe('cunzheng serve on a damaged data folder', () => {
  it('is an internal error: one line, exit 3, the stack only with CUNZHENG_DEBUG, and nothing added', async () => {
    const data = fresh();
    mkdirSync(data);
    writeFileSync(join(data, 'log.key'), 'not a signer key\n');
    const r = await serve(['--data', data, '--port', '0', '--log-level', 'warn']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^cunzheng: LOG_KEY_INVALID: cannot start: /);
    expect(readdirSync(data)).toEqual(['log.key']);
    const debug = await serve(['--data', data, '--port', '0', '--log-level', 'warn'], 8_000, undefined, { CUNZHENG_DEBUG: '1' });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe('cunzheng serve, started well', () => {
  it('prints the origin beside the verifier key, and on the first start only that it is now fixed', async () => {
    const data = fresh();
    const args = ['--data', data, '--port', '0', '--origin', 'notary.example.cn/2026', '--admin-token', 'o'.repeat(40), '--log-level', 'warn'];
    const first = await serve(args, 8_000, /verifier key[^\n]*\n  \S+\n/);
    expect(first.stderr).toContain('cunzheng: log origin: notary.example.cn/2026');
    expect(first.stderr).toMatch(/log verifier key[^\n]*\n  notary\.example\.cn\/2026\+[0-9a-f]{8}\+/);
    expect(first.stderr).toContain('is now fixed');
    const second = await serve(args, 8_000, /verifier key[^\n]*\n  \S+\n/);
    expect(second.stderr).toContain('cunzheng: log origin: notary.example.cn/2026');
    expect(second.stderr).not.toContain('is now fixed');
  });

  it('says the default origin is for development on a first start without --origin', async () => {
    const r = await serve(['--data', fresh(), '--port', '0', '--admin-token', 'o'.repeat(40), '--log-level', 'warn'], 8_000, /verifier key[^\n]*\n  \S+\n/);
    expect(r.stderr).toContain('cunzheng: log origin: localhost/cunzheng');
    expect(r.stderr).toContain('development default');
  });

  it('keeps every file it writes private in a data folder that was 0755 before (umask 0077)', async () => {
    const data = fresh();
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    const admin = 'u'.repeat(40);
    const server = new ServerProcess(data, await freePort(), admin);
    try {
      await server.start();
      const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
      const t = (await (await fetch(`${server.url}/v1/admin/tenants`, { method: 'POST', headers, body: JSON.stringify({ name: '权限测试有限公司', uscc: completeUscc('91430100MA4L0D0D') }) })).json()) as { apiKey: string };
      const res = await fetch(`${server.url}/v1/deposits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sha256: toHex(sha256(utf8('umask'))) }),
      });
      expect(res.status).toBe(201);
    } finally {
      await server.kill('SIGTERM');
    }
    const open: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        const st = lstatSync(p);
        if ((st.mode & 0o077) !== 0) open.push(`${p} ${(st.mode & 0o777).toString(8)}`);
        if (st.isDirectory()) walk(p);
      }
    };
    walk(data);
    expect(readdirSync(join(data, 'ledger')).length).toBeGreaterThan(0);
    expect(open).toEqual([]);
  });
});

/**
 * Paths from the user that are not what they seem: a FIFO (a plain open or read waits for a writer forever),
 * /dev/zero or a symlink to it (a read never ends), a file past any honest size. Every command that reads
 * a user's path must refuse them at once, with one line on stderr and exit 2 — real FIFOs, real devices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliAsync } from './cli-async.js';
import { ROOT } from './run-cli.js';

const VKEY = readFileSync(join(ROOT, 'fixtures/log.vkey'), 'utf8').trim();
const RECEIPT = join(ROOT, 'fixtures/receipts/empty.bin.receipt.json');
const posix = process.platform !== 'win32';

let dir: string;
let fifo: string;
let zero: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-hostile-files-'));
  fifo = join(dir, 'pipe.receipt.json');
  execFileSync('mkfifo', [fifo]);
  zero = join(dir, 'zero.receipt.json');
  symlinkSync('/dev/zero', zero);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 2 promptly with exactly one line on stderr naming the path, and nothing on stdout. */
function expectRefused(r: Awaited<ReturnType<typeof cliAsync>>, path: string, why: RegExp): void {
  expect(r.timedOut, 'the command hung').toBe(false);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toMatch(why);
}

// A hang guard, not a timing goal: a refusal that waits for a writer, or reads without end, never returns;
// under a loaded machine a healthy start of the command line alone took more than 4 s.
const quick = { timeoutMs: 15_000 };

describe.runIf(posix)('a receipt that is not a regular file', () => {
  it('verify refuses a FIFO at once (exit 2) instead of waiting for a writer forever', async () => {
    expectRefused(await cliAsync(['verify', fifo, '--key', VKEY], quick), fifo, /FIFO/);
  });

  it('verify refuses a symlink to /dev/zero instead of reading without end', async () => {
    expectRefused(await cliAsync(['verify', zero, '--key', VKEY], quick), zero, /character device/);
  });

  it('receipt export refuses a FIFO and /dev/zero', async () => {
    expectRefused(await cliAsync(['receipt', 'export', '--tlog-proof', fifo], quick), fifo, /FIFO/);
    expectRefused(await cliAsync(['receipt', 'export', '--tlog-proof', zero], quick), zero, /character device/);
  });

  it('receipt upgrade refuses a FIFO before asking any server', async () => {
    expectRefused(await cliAsync(['receipt', 'upgrade', fifo, '--url', 'http://127.0.0.1:9', '--key', VKEY], quick), fifo, /FIFO/);
  });

  it('verify of a folder does not silently leave out a FIFO named *.receipt.json', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    copyFileSync(RECEIPT, join(folder, 'a.receipt.json'));
    execFileSync('mkfifo', [join(folder, 'b.receipt.json')]);
    expectRefused(await cliAsync(['verify', folder, '--key', VKEY], quick), join(folder, 'b.receipt.json'), /FIFO/);
  });
});

describe('a receipt past the size cap', () => {
  it('is refused before it is read whole (exit 2, not a parse of 5 MiB)', async () => {
    const big = join(dir, 'big.receipt.json');
    writeFileSync(big, ' '.repeat(5 * 1024 * 1024));
    expectRefused(await cliAsync(['verify', big, '--key', VKEY], quick), big, /larger than \d+ bytes/);
    expectRefused(await cliAsync(['receipt', 'export', '--tlog-proof', big], quick), big, /larger than \d+ bytes/);
  });
});

describe.runIf(posix)('trust material and documents that are not regular files', () => {
  it('a trust file that is a FIFO', async () => {
    expectRefused(await cliAsync(['verify', RECEIPT, '--trust', fifo], quick), fifo, /FIFO/);
  });

  it('--tsa-roots that is a symlink to /dev/zero (verify and upgrade)', async () => {
    expectRefused(await cliAsync(['verify', RECEIPT, '--key', VKEY, '--tsa-roots', zero], quick), zero, /character device/);
    expectRefused(await cliAsync(['receipt', 'upgrade', RECEIPT, '--url', 'http://127.0.0.1:9', '--key', VKEY, '--tsa-roots', zero], quick), zero, /character device/);
  });

  it('a trust file or PEM past the size cap', async () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, '#'.repeat(5 * 1024 * 1024));
    expectRefused(await cliAsync(['verify', RECEIPT, '--trust', big], quick), big, /larger than \d+ bytes/);
  });

  it('--file that is a FIFO', async () => {
    expectRefused(await cliAsync(['verify', RECEIPT, '--key', VKEY, '--file', fifo], quick), fifo, /FIFO/);
  });

  it('audit --state that is a FIFO, before any network', async () => {
    expectRefused(await cliAsync(['audit', '--url', 'http://127.0.0.1:9', '--key', VKEY, '--state', fifo], quick), fifo, /FIFO/);
  });

  it('a FIFO where the document beside a receipt should be fails that receipt (exit 1) instead of skipping the comparison', async () => {
    const folder = join(dir, 'beside');
    mkdirSync(folder);
    copyFileSync(RECEIPT, join(folder, 'empty.bin.receipt.json'));
    execFileSync('mkfifo', [join(folder, 'empty.bin')]);
    const r = await cliAsync(['verify', join(folder, 'empty.bin.receipt.json'), '--key', VKEY, '--json'], quick);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ ok: false, code: 'FILE_NOT_REGULAR' });
  });
});

/**
 * `cunzheng deposit` as a new user hits it, against a real server on a free port: a file name too long for
 * `<name>.receipt.json`, a folder its receipt cannot be written to, a changed file (the old receipt kept),
 * links and FIFOs in a folder (said, and --follow-symlinks), names kept out of the ledger unless --names,
 * and the progress rate in human units on a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { CLI } from './run-cli.js';

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let server: ServerProcess;
let env: Record<string, string>;
const ADMIN = 'deposit-user-admin-token-0123456789abcdef';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-deposit-user-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  const res = await fetch(`${server.url}/v1/admin/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
  });
  const t = (await res.json()) as { apiKey: string };
  // The rescue folder is a temp folder, never the real ~/.local/share.
  env = { CUNZHENG_URL: server.url, CUNZHENG_API_KEY: t.apiKey, XDG_DATA_HOME: join(dir, 'xdg'), HOME: join(dir, 'home') };
}, 60_000);

afterAll(async () => {
  await server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function folder(files: Record<string, string> = {}): string {
  const f = join(dir, `case-${n++}`);
  mkdirSync(f);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(f, name), text);
  return f;
}

async function treeSize(): Promise<number> {
  return ((await (await fetch(`${server.url}/v1/log`)).json()) as { treeSize: number }).treeSize;
}

function entryOf(receiptFile: string): ReturnType<typeof parseEntry> {
  return parseEntry(fromBase64(parseReceipt(readFileSync(receiptFile)).entry));
}

describe('a file name too long for "<name>.receipt.json"', () => {
  it.each([[235], [245]])('of %i bytes is deposited, its receipt written and named, and a re-run deposits nothing new', async (bytes) => {
    const name = `${'配'.repeat(50)}${'x'.repeat(bytes - 150 - 4)}.txt`; // 50 × 3 bytes of CJK, then ASCII
    expect(Buffer.byteLength(name)).toBe(bytes);
    const f = folder({ [name]: `long name ${bytes}` });
    const first = await run(['deposit', f], dir);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const id = /deposited ([0-9a-f]{32})/.exec(first.stdout)?.[1];
    expect(id, first.stdout).toBeDefined();
    const receipts = readdirSync(f).filter((x) => x.endsWith('.receipt.json'));
    expect(receipts).toHaveLength(1);
    expect(parseReceipt(readFileSync(join(f, receipts[0]!))).id).toBe(id);
    if (bytes + '.receipt.json'.length > 255) expect(first.stderr).toContain(receipts[0]!); // said where it went
    const size = await treeSize();
    const again = await run(['deposit', f], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 unchanged');
    expect(await treeSize()).toBe(size);
  });
});

describe('a receipt that cannot be written beside its file', () => {
  it('goes to the rescue folder, named on stderr, and a re-run gets the same receipt without a new deposit', async () => {
    const f = folder({ 'plan.txt': 'rescue me' });
    const notAFolder = join(dir, `out-file-${n++}`);
    writeFileSync(notAFolder, 'x'); // --out under a regular file: no receipt can be written there
    const first = await run(['deposit', f, '--out', join(notAFolder, 'receipts')], dir);
    expect(first.code).toBe(1);
    const id = /deposited ([0-9a-f]{32})/.exec(first.stdout)?.[1];
    expect(id, first.stdout + first.stderr).toBeDefined();
    const rescued = join(dir, 'xdg', 'cunzheng', 'receipts', `${id}.receipt.json`);
    expect(first.stderr).toContain(rescued);
    expect(parseReceipt(readFileSync(rescued)).id).toBe(id);
    const size = await treeSize();
    const again = await run(['deposit', f, '--out', join(notAFolder, 'receipts')], dir);
    expect(again.stdout).toContain(`already deposited as ${id}`);
    expect(await treeSize()).toBe(size);
  });

  it('is printed whole on stderr when even the rescue folder cannot be written', async () => {
    const f = folder({ 'plan.txt': 'print me' });
    const blocker = join(dir, `blocker-${n++}`);
    writeFileSync(blocker, 'x');
    const r = await run(['deposit', f, '--out', join(blocker, 'o')], dir, { XDG_DATA_HOME: join(blocker, 'xdg') });
    expect(r.code).toBe(1);
    const id = /deposited ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    expect(id, r.stdout + r.stderr).toBeDefined();
    const line = r.stderr.split('\n').find((l) => l.startsWith('{'));
    expect(parseReceipt(JSON.parse(line!)).id).toBe(id);
  });
});

describe('a changed file deposited again', () => {
  it('keeps the old receipt as <file>.receipt.v1.json, then .v2, and the new entry names the old one as prev', async () => {
    const f = folder({ 'formula.txt': 'v1' });
    const receipt = join(f, 'formula.txt.receipt.json');
    expect((await run(['deposit', f], dir)).code).toBe(0);
    const v1 = readFileSync(receipt, 'utf8');
    writeFileSync(join(f, 'formula.txt'), 'v2');
    const second = await run(['deposit', f], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(join(f, 'formula.txt.receipt.v1.json'), 'utf8')).toBe(v1);
    expect(entryOf(receipt).prev).toBe(parseReceipt(v1).id);
    const v2 = readFileSync(receipt, 'utf8');
    writeFileSync(join(f, 'formula.txt'), 'v3');
    expect((await run(['deposit', f], dir)).code).toBe(0);
    expect(readFileSync(join(f, 'formula.txt.receipt.v2.json'), 'utf8')).toBe(v2);
    expect(readFileSync(join(f, 'formula.txt.receipt.v1.json'), 'utf8')).toBe(v1);
    expect(entryOf(receipt).prev).toBe(parseReceipt(v2).id);
    // History receipts are never deposited as documents.
    expect((await run(['deposit', f], dir)).stdout).toContain('1 files');
  });
});

describe('links and special files in a deposited folder', () => {
  function linked(): { f: string; outside: string } {
    const f = folder({ 'a.txt': 'a' });
    const outside = folder({ 'spec.txt': 'shared spec' });
    symlinkSync(outside, join(f, 'shared'));
    symlinkSync(join(f, 'a.txt'), join(f, 'a-again'));
    mkdirSync(join(f, 'sub'));
    symlinkSync('..', join(f, 'sub', 'loop'));
    execFileSync('mkfifo', [join(f, 'pipe')]);
    return { f, outside };
  }

  it('says which links it did not follow and which special files it skipped, on stderr', async () => {
    const { f } = linked();
    const r = await run(['deposit', f], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('skipped 3 symbolic links');
    expect(r.stderr).toContain('--follow-symlinks');
    for (const l of ['shared', 'a-again', 'sub/loop']) expect(r.stderr).toContain(join(f, l));
    expect(r.stderr).toMatch(/skipped 1 special file[^\n]*\n  [^\n]*pipe/);
  });

  it('with --follow-symlinks deposits what links point to once, refuses the loop, and names links leading outside', async () => {
    const { f, outside } = linked();
    const r = await run(['deposit', f, '--follow-symlinks'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(f, 'shared', 'spec.txt.receipt.json'))).toBe(true);
    expect(existsSync(join(f, 'a-again.receipt.json'))).toBe(false); // a.txt is listed once, under its own name
    expect(r.stdout).toContain('2 files');
    expect(r.stderr).toContain(`${join(f, 'shared')} → ${outside}`);
    expect(r.stderr).toMatch(/a loop[^\n]*\n  [^\n]*sub\/loop/);
  });

  it('refuses a FIFO given as a path at once, saying it is a FIFO', async () => {
    const f = folder();
    execFileSync('mkfifo', [join(f, 'named-pipe')]);
    const r = await run(['deposit', join(f, 'named-pipe')], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FIFO');
  });
});

describe('names', () => {
  it('sends no file name or path by default', async () => {
    const f = folder({ '秘密配方.txt': 'secret' });
    expect((await run(['deposit', f], dir)).code).toBe(0);
    expect(entryOf(join(f, '秘密配方.txt.receipt.json')).meta).toBeUndefined();
  });

  it('sends them with --names and says so, and sends a --title given', async () => {
    const f = folder({ 'named.txt': 'named' });
    const r = await run(['deposit', f, '--names', '--title', '配方'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--names');
    expect(entryOf(join(f, 'named.txt.receipt.json')).meta).toMatchObject({ filename: 'named.txt', path: 'named.txt', title: '配方' });
  });
});

describe('progress on a terminal', () => {
  it('shows the hashing rate in human units', () => {
    const f = folder({ 'rate.txt': 'x'.repeat(29) });
    // script(1) gives the command a terminal, so the progress line is drawn.
    const cmd = [process.execPath, CLI, 'deposit', f].map((a) => `'${a}'`).join(' ');
    const out = execFileSync('script', ['-qec', cmd, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
    const rates = [...out.matchAll(/, ([0-9.]+) (B|KiB|MiB|GiB)\/s/g)].map((m) => m[1]!);
    expect(rates.length, out).toBeGreaterThan(0);
    for (const r of rates) expect(r).toMatch(/^\d+(\.\d{1,2})?$/);
  });
});

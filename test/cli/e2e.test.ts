/**
 * The three users, end to end, as they would work: the built CLI in child processes against a real server
 * on a random port, in temp dirs. An enterprise deposits a folder, a litigator verifies, an auditor audits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc } from '../../src/entry/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { CLI } from './run-cli.js';

interface Run { code: number | null; stdout: string; stderr: string }

/** Output with the run-specific parts (roots, hashes, ids, times) replaced, for snapshots. */
function normalized(text: string): string {
  return text
    .replace(/[A-Za-z0-9+/]{43}=/g, '<hash>')
    .replace(/\b[0-9a-f]{64}\b/g, '<digest>')
    .replace(/\b[0-9a-f]{32}\b/g, '<id>')
    .replace(/tn_[0-9a-f]{24}/g, '<tenant>')
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d{3}(Z| \+08:00)/g, '<time>')
    .replace(/localhost\/cunzheng\+[0-9a-f]{8}/g, '<key>');
}

/** Runs the CLI asynchronously (the server runs in another process, so a blocking spawn would be fine too). */
function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let server: ServerProcess;
let vkey: string;
let env: Record<string, string>;
const ADMIN = 'e2e-admin-token-0123456789abcdef';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-e2e-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
  const t = await run(['tenant', 'add', '--name', '示例新能源科技有限公司', '--uscc', completeUscc('91430100MA4L16JJ'), '--url', server.url, '--admin-token', ADMIN, '--json'], dir);
  expect(t.code).toBe(0);
  env = { CUNZHENG_URL: server.url, CUNZHENG_API_KEY: JSON.parse(t.stdout).apiKey };
  // The enterprise's R&D folder: nested folders, unicode names, an empty file, and things to skip.
  const rd = join(dir, 'rd');
  mkdirSync(join(rd, '配方', '2026 版'), { recursive: true });
  mkdirSync(join(rd, '.git'));
  mkdirSync(join(rd, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(rd, '配方', '电解液.txt'), 'LiPF6 1.1 mol/L in EC:EMC 3:7\n');
  writeFileSync(join(rd, '配方', '2026 版', 'formula ✓.txt'), 'revision 2026\n');
  writeFileSync(join(rd, 'design.md'), '# design\n');
  writeFileSync(join(rd, 'empty.bin'), '');
  writeFileSync(join(rd, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(rd, 'node_modules', 'x', 'index.js'), 'x');
}, 60_000);

afterAll(async () => {
  await server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('an enterprise deposits a folder, a litigator verifies it, an auditor audits the log', () => {
  it('deposits every file (but .git and node_modules) and writes a receipt beside each', async () => {
    const r = await run(['deposit', 'rd', '--key', vkey], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4 files');
    expect(r.stdout).toContain('4 deposited');
    for (const f of ['配方/电解液.txt', '配方/2026 版/formula ✓.txt', 'design.md', 'empty.bin']) expect(existsSync(join(dir, 'rd', `${f}.receipt.json`)), f).toBe(true);
    expect(existsSync(join(dir, 'rd', '.git', 'HEAD.receipt.json'))).toBe(false);
    expect(existsSync(join(dir, 'rd', 'node_modules', 'x', 'index.js.receipt.json'))).toBe(false);
  });

  it('verifies the whole folder, each receipt against the file beside it', async () => {
    const r = await run(['verify', 'rd', '--key', vkey, '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, verified: 4, failed: 0 });
    for (const res of out.results) expect(res.matched).toMatchObject({ sha256: true, sm3: true });
  });

  it('when one file changes, only its verification fails (exit 1)', async () => {
    appendFileSync(join(dir, 'rd', 'design.md'), 'a new section\n');
    const r = await run(['verify', 'rd', '--key', vkey, '--json'], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verified: 3, failed: 1 });
    expect(out.results.find((x: { ok: boolean }) => !x.ok)).toMatchObject({ receipt: join('rd', 'design.md.receipt.json'), code: 'RECEIPT_DOCUMENT_MISMATCH' });
    const human = await run(['verify', 'rd', '--key', vkey], dir);
    expect(human.code).toBe(1);
    expect(normalized(human.stdout.slice(human.stdout.indexOf('status  ')))).toMatchSnapshot();
  });

  it('depositing again skips unchanged files and makes the changed one a new version of the old receipt', async () => {
    const old = parseReceipt(readFileSync(join(dir, 'rd', 'design.md.receipt.json')));
    const r = await run(['deposit', 'rd', '--json'], dir, env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ deposited: 0, newVersions: 1, unchanged: 3, failed: 0 });
    const v = await run(['verify', join('rd', 'design.md.receipt.json'), '--key', vkey, '--json'], dir);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ prev: old.id, matched: { sha256: true } });
  });

  it('mirrors receipts under --out and verifies them with --documents', async () => {
    const r = await run(['deposit', 'rd', '--out', 'receipts'], dir, env);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'receipts', '配方', '电解液.txt.receipt.json'))).toBe(true);
    const v = await run(['verify', 'receipts', '--documents', 'rd', '--key', vkey, '--json'], dir);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results.every((x: { document: string | null }) => x.document !== null)).toBe(true);
  });

  it('audits twice with growth in between: first trust on first use, then a consistency proof', async () => {
    const first = await run(['audit', '--url', server.url, '--key', vkey, '--state', 'audit.json'], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/first audit: checkpoint of size \d+ trusted on first use/);
    expect(normalized(first.stdout)).toMatchSnapshot();
    writeFileSync(join(dir, 'rd', 'new.txt'), 'new\n');
    expect((await run(['deposit', 'rd'], dir, env)).code).toBe(0);
    const second = await run(['audit', '--url', server.url, '--key', vkey, '--state', 'audit.json', '--full'], dir);
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/consistent with the checkpoint of size \d+ seen before/);
    expect(second.stdout).toContain('every public tile downloaded');
    expect(normalized(second.stdout)).toMatchSnapshot();
  });

  it('refreshes an old receipt with receipt upgrade', async () => {
    const path = join(dir, 'rd', 'empty.bin.receipt.json');
    const before = parseReceipt(readFileSync(path));
    const r = await run(['receipt', 'upgrade', path, '--url', server.url, '--key', vkey], dir);
    expect(r.code).toBe(0);
    const after = parseReceipt(readFileSync(path));
    expect(after.id).toBe(before.id);
    expect(after.checkpoint).not.toBe(before.checkpoint);
    expect((await run(['verify', path, '--key', vkey], dir)).code).toBe(0);
  });
});

describe('when the log shows the auditor a forged history', () => {
  it('a rewritten tree under the same key at the same URL: audit exits 1 and writes the evidence', async () => {
    // A second server with the SAME log key but a different history, on the same URL after a restart.
    const forgedData = join(dir, 'forged-data');
    mkdirSync(forgedData, { recursive: true });
    writeFileSync(join(forgedData, 'log.key'), readFileSync(join(server.dataDir, 'log.key')), { mode: 0o600 });
    await server.kill('SIGKILL');
    const forged = new ServerProcess(forgedData, server.port, ADMIN);
    await forged.start();
    try {
      const t = await run(['tenant', 'add', '--name', '伪造公司', '--uscc', completeUscc('91110000MA00ABCD'), '--url', forged.url, '--admin-token', ADMIN, '--json'], dir);
      const forgedEnv = { CUNZHENG_URL: forged.url, CUNZHENG_API_KEY: JSON.parse(t.stdout).apiKey };
      mkdirSync(join(dir, 'other'));
      for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'other', `f${i}.txt`), `forged ${i}\n`);
      expect((await run(['deposit', 'other', '--out', 'other-receipts'], dir, forgedEnv)).code).toBe(0);
      const r = await run(['audit', '--url', forged.url, '--key', vkey, '--state', 'audit.json', '--evidence', 'evidence.json'], dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('evidence written to evidence.json');
      expect(normalized(r.stdout)).toMatchSnapshot();
      const ev = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8'));
      expect(ev.oldCheckpoint).toMatch(/^localhost\/cunzheng\n\d+\n/);
      expect(ev.newCheckpoint).toMatch(/^localhost\/cunzheng\n\d+\n/);
      expect(ev.problem.code).toMatch(/ROOT_MISMATCH|AUDIT_LOG_SHRANK/);
      // the state file still holds the honest checkpoint
      expect(JSON.parse(readFileSync(join(dir, 'audit.json'), 'utf8')).checkpoint).toBe(ev.oldCheckpoint);
    } finally {
      await forged.kill('SIGKILL');
      await server.start();
    }
  });

  it('a second server with another key: audit exits 1 (the checkpoint does not verify)', async () => {
    const other = new ServerProcess(join(dir, 'other-data'), await freePort(), ADMIN);
    await other.start();
    try {
      const r = await run(['audit', '--url', other.url, '--key', vkey, '--state', 'audit.json', '--evidence', 'evidence2.json'], dir);
      expect(r.code).toBe(1);
      expect(JSON.parse(readFileSync(join(dir, 'evidence2.json'), 'utf8')).problem.code).toBe('NOTE_UNVERIFIED');
    } finally {
      await other.kill('SIGKILL');
    }
  });
});

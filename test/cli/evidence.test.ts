/**
 * `cunzheng evidence` and `cunzheng verify case.zip` through a real server process and the built command line:
 * a folder of files deposited with `cunzheng deposit`, a 定密 event, a new version; a package of the folder
 * (completed from the service's history) and one of deposit ids; Info-ZIP `unzip` and coreutils `sha256sum -c`
 * accept it; its deposited roots are the naive RFC 6962 MTH of its sums files; `verify case.zip` passes, and
 * each kind of tampering exits 1 with its code and no stack trace; usage mistakes exit 2 with one line.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';
import { patchDeclaredSize, patchName, readAll, zipOf } from '../evidence/zip-tools.js';

const ADMIN = 'evidence-cli-admin-token-0123456789abcdef';
let dir: string;
let server: ServerProcess;
let vkey: string;
let env: Record<string, string>;
let folderZip: string;

async function run(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cliAsync(args, { cwd: dir, env, timeoutMs });
}
async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  expect(r.code, `cunzheng ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const h = (alg: string, ...parts: (Uint8Array | string)[]): Buffer => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return x.digest();
};
function mth(alg: string, leaves: string[]): Buffer {
  if (leaves.length === 1) return h(alg, Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(alg, Buffer.from([1]), mth(alg, leaves.slice(0, k)), mth(alg, leaves.slice(k)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-evidence-cli-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
  const t = await cliAsync(['tenant', 'add', '--name', '示例新能源科技有限公司', '--uscc', completeUscc('91430100MA4L16JJ'), '--url', server.url, '--admin-token', ADMIN, '--json'], { cwd: dir });
  expect(t.code, t.stderr).toBe(0);
  env = { CUNZHENG_URL: server.url, CUNZHENG_API_KEY: (JSON.parse(t.stdout) as { apiKey: string }).apiKey };
  mkdirSync(join(dir, 'case'));
  writeFileSync(join(dir, 'case', 'formula.txt'), 'LiPF6 1.1 mol/L in EC:EMC 3:7\n');
  writeFileSync(join(dir, 'case', 'process.txt'), '涂布 120 °C, 辊压 3 MPa\n');
  await ok(['deposit', 'case', '--title', '电解液配方', '--key', vkey]);
  await ok(['event', 'classify', 'case/formula.txt', '--level', '核心商密', '--period', '2099-12-31', '--basis', '配方为核心技术', '--key', vkey]);
  writeFileSync(join(dir, 'case', 'formula.txt'), 'LiPF6 1.2 mol/L in EC:EMC:DMC 3:5:2\n');
  await ok(['deposit', 'case', '--title', '电解液配方', '--key', vkey]);
  // The event's receipt is left out of the folder: the service's history completes it.
  rmSync(join(dir, 'case', 'formula.txt.classify.1.receipt.json'));
  folderZip = join(dir, 'case.zip');
  await ok(['evidence', 'case', '--out', folderZip, '--title', '（2026）湘01民初123号', '--key', vkey]);
}, 300_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('cunzheng evidence', () => {
  it('packages a folder with every version and event, which unzip, sha256sum -c and the naive RFC 6962 roots accept', () => {
    expect(existsSync(`${folderZip}.tmp`)).toBe(false);
    const out = join(dir, 'unzipped');
    const u = spawnSync('unzip', ['-q', folderZip, '-d', out], { encoding: 'utf8' });
    expect(u.status, u.stderr).toBe(0);
    const c = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(c.status, c.stdout + c.stderr).toBe(0);
    const kinds = readdirSync(join(out, 'exhibits')).filter((n) => n.endsWith('.receipt.json')).sort()
      .map((n) => parseEntry(fromBase64(parseReceipt(readFileSync(join(out, 'exhibits', n))).entry)).kind);
    // formula.txt: v1, classify, v2; process.txt: v1 — by document (its first entry), then ledger order.
    expect(kinds.sort()).toEqual(['classify', 'deposit', 'deposit', 'deposit']);
    expect(readdirSync(join(out, 'exhibits'))).toHaveLength(8);
    expect(existsSync(join(out, 'verifier.html'))).toBe(true);
    const lines = (name: string): string[] => readFileSync(join(out, name), 'utf8').split(/(?<=\n)/);
    const entry = parseEntry(fromBase64(parseReceipt(readFileSync(join(out, 'package.receipt.json'))).entry));
    expect(entry.digest.sha256).toBe(mth('sha256', lines('SHA256SUMS')).toString('hex'));
    expect(entry.digest.sm3).toBe(mth('sm3', lines('SM3SUMS')).toString('hex'));
    expect(readFileSync(join(out, 'log', 'verifier-keys.txt'), 'utf8')).toBe(`${vkey}\n`);
  });

  it('verifies with cunzheng verify case.zip, offline, part by part', async () => {
    const r = await run(['verify', folderZip, '--key', vkey]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('every part verifies');
    expect(r.stdout).toMatch(/✔ E004 /);
    const j = await run(['verify', folderZip, '--key', vkey, '--json']);
    const report = JSON.parse(j.stdout) as { ok: boolean; exhibits: unknown[] };
    expect(report.ok).toBe(true);
    expect(report.exhibits).toHaveLength(4);
  });

  it('packages deposit ids under the log\'s own key, and says that key is a hint', async () => {
    const id = parseReceipt(readFileSync(join(dir, 'case', 'process.txt.receipt.json'))).id;
    const zip = join(dir, 'ids.zip');
    const r = await run(['evidence', id, '--out', zip, '--lang', 'en', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { ok: boolean; exhibits: number; keysFromLog: boolean };
    expect(res).toMatchObject({ ok: true, exhibits: 1, keysFromLog: true });
    const readme = (await readAll(zip)).find(([n]) => n === 'README.txt')![1];
    expect(new TextDecoder().decode(readme)).toContain('taken from the log itself');
    expect((await run(['verify', zip, '--key', vkey])).code).toBe(0);
  });
});

describe('cunzheng verify case.zip on a tampered package', () => {
  const cases: [string, (es: [string, Uint8Array][]) => Promise<Buffer>, string][] = [
    ['a byte of a certificate', async (es) => zipOf(es.map(([n, b]) => {
      if (n !== 'exhibits/E001.certificate.pdf') return [n, b];
      const x = Buffer.from(b);
      x[x.length - 300] = x[x.length - 300]! ^ 1;
      return [n, x];
    })), 'EVIDENCE_FILE_MISMATCH'],
    ['a removed file', async (es) => zipOf(es.filter(([n]) => n !== 'log/consistency.json')), 'EVIDENCE_MISSING_FILE'],
    ['an added file', async (es) => zipOf([...es, ['evil.sh', new TextEncoder().encode('rm -rf /')]]), 'EVIDENCE_UNLISTED_FILE'],
    ['a ../x entry', async (es) => patchName(await zipOf([...es, ['Q9Q9Q/xy', new Uint8Array(1)]]), 'Q9Q9Q/xy', '../Q9/xy'), 'EVIDENCE_BAD_ENTRY_NAME'],
    ['a zip bomb-ish declared size', async (es) => patchDeclaredSize(await zipOf(es), 'README.txt', 0xfffffff0), 'EVIDENCE_TOO_LARGE'],
  ];
  it.each(cases)('%s: exit 1 with its code, no stack trace', async (_what, make, code) => {
    const path = join(dir, 'tampered.zip');
    writeFileSync(path, await make(await readAll(folderZip)));
    const r = await run(['verify', path, '--key', vkey]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(code);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('usage mistakes', () => {
  it.each([
    [['evidence', 'case'], 'out'],
    [['evidence', 'case', '--out', 'case.zip'], 'exists'],
    [['evidence', 'nothing-here', '--out', 'x.zip'], 'not a deposit id'],
    [['evidence', 'case', '--out', 'y.zip', '--lang', 'fr'], '--lang'],
    [['verify', 'case.zip'], 'no trusted log key'],
    [['verify', 'case.zip', 'case/process.txt.receipt.json', '--key', 'x'], ''],
  ])('%j exits 2 with one line', async (args, words) => {
    const r = await run(args as string[]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(words);
  });
});

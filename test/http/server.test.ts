/**
 * The built `cunzheng serve` as an operator runs it: a separate process on a free port. It creates its
 * log key and admin token 0600, `cunzheng tenant add` registers a tenant against it, SIGTERM in the middle
 * of a stream of deposits loses none that were acknowledged and exits 0, and its logs carry no secret and
 * no document data. Needs `npx tsc -p .` first (it runs dist/cli/main.js).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../src/ledger/index.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { USCC_A, digestOf, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const MARKER = 'UPLOADED-DOCUMENT-CONTENT-7f3a9c21-never-log-me';
const SECRET_FILENAME = 'merger-plan-confidential.pdf';

let data: ReturnType<typeof tempDir>;
let child: ChildProcess | undefined;
let url: string;
let stdout = '';
let stderr = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function waitUntilServing(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not come up:\n${stderr}\n${stdout}`);
}

beforeAll(async () => {
  expect(existsSync(CLI), `${CLI} is missing: run npx tsc -p . first`).toBe(true);
  data = tempDir('cunzheng-serve-');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [CLI, 'serve', '--data', data.dir, '--port', String(port), '--origin', 'test.example/serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  exited = new Promise((resolve) => child!.on('exit', (code, signal) => resolve({ code, signal })));
  await waitUntilServing();
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  data?.cleanup();
});

let apiKey: string;
const acknowledged: Receipt[] = [];
const depositedDigests: string[] = [];

describe('cunzheng serve', () => {
  it('creates the log key and the admin token with mode 0600 on first start', () => {
    for (const f of ['log.key', 'admin-token']) {
      expect(statSync(join(data.dir, f)).mode & 0o777, f).toBe(0o600);
    }
    expect(readFileSync(join(data.dir, 'admin-token'), 'utf8').trim().length).toBeGreaterThanOrEqual(16);
    expect(stderr).toContain(join(data.dir, 'admin-token'));
  });

  it('registers a tenant with `cunzheng tenant add`, which prints the API key once', () => {
    const r = spawnSync(process.execPath, [CLI, 'tenant', 'add', '--name', '长沙存证测试有限公司', '--uscc', USCC_A, '--url', url, '--data', data.dir], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const keys = r.stdout.match(/czk_[A-Za-z0-9_-]{43}/g);
    expect(keys, r.stdout).toHaveLength(1);
    apiKey = keys![0]!;
    expect(r.stdout).toMatch(/^Tenant tn_[0-9a-f]{24} created/);
  });

  it('hashes an uploaded document', async () => {
    const body = Buffer.from(`%PDF-1.7\n${MARKER}\n${'binary payload '.repeat(1000)}\n${MARKER}\n`);
    const res = await fetch(`${url}/v1/documents?filename=${SECRET_FILENAME}&title=${MARKER}-title`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/pdf' },
      body,
    });
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as Receipt;
    acknowledged.push(receipt);
    const log = (await (await fetch(`${url}/v1/log`)).json()) as { key: string };
    await verifyReceipt(receipt, [log.key], { document: body });
  });

  it('on SIGTERM amid deposits, answers what it accepted durably and exits 0', async () => {
    let n = 0;
    let stop = false;
    let statuses: number[] = [];
    const worker = async (): Promise<void> => {
      while (!stop) {
        const sha256 = digestOf(`serve deposit ${n++}`);
        let res: Response;
        try {
          res = await fetch(`${url}/v1/deposits`, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ sha256 }),
          });
        } catch {
          return; // the server has gone: connection refused or reset
        }
        statuses.push(res.status);
        if (res.status === 201) {
          acknowledged.push((await res.json()) as Receipt);
          depositedDigests.push(sha256);
        } else {
          const body = (await res.json()) as { statusCode: number; code: string };
          if (res.status === 503) {
            expect(body).toMatchObject({ statusCode: 503, code: 'SERVICE_CLOSING' });
            expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          }
          if (res.status >= 500) return;
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
    const signalled = Date.now();
    child!.kill('SIGTERM');
    const exit = await exited;
    // Prompt: keep-alive connections must not hold the shutdown until their timeout.
    expect(Date.now() - signalled).toBeLessThan(10_000);
    stop = true;
    await Promise.all(workers);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(statuses.filter((s) => s === 201).length).toBe(acknowledged.length - 1);
    expect(statuses.every((s) => s === 201 || s === 503), `statuses: ${[...new Set(statuses)].join(',')}`).toBe(true);
    statuses = [];

    const ledger = await Ledger.open({ dataDir: data.dir });
    try {
      expect(ledger.treeSize).toBeGreaterThanOrEqual(acknowledged.length);
      for (const r of acknowledged) {
        const stored = await ledger.entry(r.index);
        expect(stored, `receipt ${r.id} at ${r.index}`).toBeDefined();
        expect(Buffer.from(stored!).equals(Buffer.from(fromBase64(r.entry)))).toBe(true);
        await verifyReceipt(r, [ledger.verifierKey]);
      }
    } finally {
      await ledger.close();
    }
  });

  it('logs no API key, no admin token, and nothing of the documents or their metadata', () => {
    const logs = stdout + stderr;
    expect(stdout).toContain('cunzheng is serving');
    expect(stdout).toContain('shutting down');
    expect(stdout).toContain('/v1/documents');
    const adminToken = readFileSync(join(data.dir, 'admin-token'), 'utf8').trim();
    const forbidden = [apiKey, apiKey.slice(4, 24), adminToken, adminToken.slice(4, 24), MARKER, SECRET_FILENAME, 'binary payload', ...depositedDigests];
    for (const f of forbidden) expect(logs.includes(f), `the logs contain ${f.slice(0, 30)}`).toBe(false);
    for (const r of acknowledged) {
      expect(logs.includes(r.entry.slice(0, 40))).toBe(false);
    }
  });
});

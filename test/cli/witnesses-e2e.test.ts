/**
 * Witnesses end to end, real processes: `cunzheng serve --witness-policy` (a 2-of-3 policy) and three
 * `cunzheng witness serve` processes on real ports. Deposits get cosigned receipts that `cunzheng verify --policy` accepts; with one
 * witness down deposits go on and the quorum is still met; with two down deposits go on, receipts verify
 * without the policy and fail with it (POLICY_QUORUM_NOT_MET); a witness that lost its state is brought
 * back through 409 (its state folder deleted, key kept: it says 0, the log sends old 0 and no proof); `receipt upgrade` carries the cosignatures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { completeUscc } from '../../src/entry/index.js';
import { loadOrCreateLogKey } from '../../src/ledger/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parsePolicy, policyVerifiers } from '../../src/policy/index.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';
import { policyText } from '../service/witness-helpers.js';
import { WitnessProcess } from '../witness/witness-process.js';

const ORIGIN = 'test.example/witnessed-e2e';
const ADMIN = 'e2e-admin-token-0123456789abcdef0123';
const root = mkdtempSync(join(tmpdir(), 'cunzheng-witnesses-e2e-'));
const names = ['w1.example/witness', 'w2.example/witness', 'w3.example/witness'];

interface Witness { name: string; port: number; vkey: string; url: string; w: WitnessProcess }
const witnesses: Witness[] = [];
let logKey: string;
let server: ServerProcess;
let apiKey: string;
let policyFile: string;

/** Starts (or restarts) the witness process on its data folder and port: its key, so its vkey, stays. */
async function startWitness(x: Witness): Promise<void> {
  await x.w.start();
  if (x.vkey !== '') expect(x.w.vkey).toBe(x.vkey);
  x.vkey = x.w.vkey;
}

/** Takes it down hard (kill -9), as a crashed or unplugged witness. */
async function stopWitness(x: Witness): Promise<void> {
  await x.w.kill('SIGKILL');
}

async function deposit(label: string): Promise<{ id: string; index: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/v1/deposits`, {
    method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sha256: toHex(sha256(utf8(label))) }),
  });
  expect(res.status).toBe(201);
  const r = (await res.json()) as { id: string; index: number };
  return { id: r.id, index: r.index, ms: performance.now() - t0 };
}

interface Log { treeSize: number; cosignedTreeSize: number | null; quorumMet: boolean | null; witnesses: { name: string; size: number | null; lastError: string | null; failures: number }[] }
async function log(): Promise<Log> {
  return (await (await fetch(`${server.url}/v1/log`)).json()) as Log;
}

/** Polls GET /v1/deposits/<id> until its checkpoint carries `cosigners` cosignatures of the policy (exactly). */
async function receiptWith(id: string, cosigners: number, timeoutMs = 10_000): Promise<{ text: string; cosigned: number }> {
  const verifiers = policyVerifiers(parsePolicy(readFileSync(policyFile)));
  const t0 = performance.now();
  for (;;) {
    const text = await (await fetch(`${server.url}/v1/deposits/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).text();
    const cp = openCheckpoint((JSON.parse(text) as { checkpoint: string }).checkpoint, verifiers);
    if (cp.cosignatures.length === cosigners) return { text, cosigned: cp.cosignatures.length };
    if (performance.now() - t0 > timeoutMs) throw new Error(`receipt ${id} has ${cp.cosignatures.length} cosignatures, not ${cosigners}: ${JSON.stringify(await log())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function verify(text: string, withPolicy: boolean): Promise<{ code: number | null; json: { results: { ok: boolean; code?: string }[] } }> {
  const file = join(root, `r-${randomBytes(4).toString('hex')}.receipt.json`);
  writeFileSync(file, text);
  const r = await cliAsync(['verify', file, '--key', logKey, '--json', ...(withPolicy ? ['--policy', policyFile] : [])]);
  return { code: r.code, json: JSON.parse(r.stdout) as { results: { ok: boolean; code?: string }[] } };
}

beforeAll(async () => {
  const data = join(root, 'log');
  mkdirSync(data, { mode: 0o700 });
  logKey = (await loadOrCreateLogKey(join(data, 'log.key'), ORIGIN)).verifierKey;
  for (const [i, name] of names.entries()) {
    const port = await freePort();
    const x: Witness = { name, port, vkey: '', url: `http://127.0.0.1:${port}`, w: new WitnessProcess(join(root, `w${i + 1}`), port, name, [logKey]) };
    witnesses.push(x);
  }
  await Promise.all(witnesses.map(startWitness));
  policyFile = join(root, 'policy.txt');
  writeFileSync(policyFile, policyText(logKey, witnesses, 2));
  server = new ServerProcess(data, await freePort(), ADMIN, ['--origin', ORIGIN, '--witness-policy', policyFile, '--workers', '0']);
  await server.start();
  const t = await fetch(`${server.url}/v1/admin/tenants`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '见证测试有限公司', uscc: completeUscc('91430100MA4L7W7W') }),
  });
  expect(t.status, await t.clone().text()).toBe(201);
  apiKey = ((await t.json()) as { apiKey: string }).apiKey;
}, 30_000);

afterAll(async () => {
  await server?.kill('SIGTERM');
  for (const x of witnesses) await x.w.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

describe('a log with three witnesses and a 2-of-3 policy', () => {
  it('prints its witnesses at start and gives cosigned receipts that verify with the policy', async () => {
    expect(server.logs).toContain('witnesses (quorum g');
    for (const n of names) expect(server.logs).toContain(n);
    const d = await deposit('all three up');
    const r = await receiptWith(d.id, 3);
    const v = await verify(r.text, true);
    expect(v.code, JSON.stringify(v.json)).toBe(0);
    const l = await log();
    expect(l.quorumMet).toBe(true);
    expect(l.witnesses.map((w) => w.lastError)).toEqual([null, null, null]);
    // /checkpoint is the cosigned one.
    const cp = openCheckpoint(await (await fetch(`${server.url}/checkpoint`)).text(), policyVerifiers(parsePolicy(readFileSync(policyFile))));
    expect(cp.cosignatures.length).toBe(3);
  });

  it('with one witness down, deposits go on and the quorum is still met', async () => {
    await stopWitness(witnesses[0]!);
    const ds = [];
    for (let i = 0; i < 5; i++) ds.push(await deposit(`one down ${i}`));
    expect(Math.max(...ds.map((d) => d.ms))).toBeLessThan(1000);
    const r = await receiptWith(ds.at(-1)!.id, 2);
    expect((await verify(r.text, true)).code).toBe(0);
    expect((await log()).quorumMet).toBe(true);
  });

  it('with two witnesses down, deposits go on; receipts verify without the policy and fail with it', async () => {
    await stopWitness(witnesses[1]!);
    const ds = [];
    for (let i = 0; i < 5; i++) ds.push(await deposit(`two down ${i}`));
    expect(Math.max(...ds.map((d) => d.ms))).toBeLessThan(1000);
    const r = await receiptWith(ds.at(-1)!.id, 1);
    expect((await verify(r.text, false)).code).toBe(0);
    const v = await verify(r.text, true);
    expect(v.code).toBe(1);
    expect(v.json.results[0]).toMatchObject({ ok: false, code: 'POLICY_QUORUM_NOT_MET' });
    const l = await log();
    expect(l.quorumMet).toBe(false);
    expect(l.witnesses[0]!.failures).toBeGreaterThan(0);
    expect(l.witnesses[0]!.lastError).toBe('WITNESS_UNREACHABLE');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('cunzheng_witness_quorum_met 0');
    expect(metrics).toMatch(/cunzheng_witness_lag_entries\{witness="w1.example\/witness"\} [1-9]/);
  });

  it('a witness that lost its state is brought back through 409: old N, then old 0 with no proof', async () => {
    const x = witnesses[2]!;
    const known = (await log()).witnesses[2]!.size!;
    expect(known).toBeGreaterThan(0);
    await stopWitness(x);
    rmSync(join(x.w.dataDir, 'state'), { recursive: true, force: true });
    await startWitness(x); // same key and port, empty state
    const d = await deposit('after the amnesia');
    await receiptWith(d.id, 1);
    const seen = await x.w.waitForRequests(2);
    expect(seen.slice(0, 2).map((s) => [s.oldSize! > 0, s.status]), JSON.stringify(seen)).toEqual([[true, 409], [false, 200]]);
    expect(seen[0]!.witnessSize).toBe(0);
    expect(seen[1]!.proofLines).toBe(0);
    // The other two come back (their backoff ends within seconds): the quorum is met again.
    await Promise.all([startWitness(witnesses[0]!), startWitness(witnesses[1]!)]);
    const again = await deposit('all back');
    const r = await receiptWith(again.id, 3, 20_000);
    expect((await verify(r.text, true)).code).toBe(0);
  }, 30_000);

  it('receipt upgrade moves a receipt to the newest cosigned checkpoint, cosignatures included', async () => {
    const d = await deposit('to upgrade');
    const file = join(root, 'upgrade.receipt.json');
    const cosigned = JSON.parse((await receiptWith(d.id, 3)).text) as { checkpoint: string };
    // The same receipt with the log's signature alone (as a deposit's own answer is).
    const logOnly = cosigned.checkpoint.split('\n').filter((l) => !l.startsWith('\u2014 ') || l.startsWith(`\u2014 ${ORIGIN} `)).join('\n');
    writeFileSync(file, JSON.stringify({ ...cosigned, checkpoint: logOnly }));
    expect((await verify(readFileSync(file, 'utf8'), false)).code).toBe(0);
    expect((await verify(readFileSync(file, 'utf8'), true)).code).toBe(1);
    await deposit('one more, so that the log grows');
    const u = await cliAsync(['receipt', 'upgrade', file, '--url', server.url, '--key', logKey, '--json']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect((await verify(readFileSync(file, 'utf8'), true)).code).toBe(0);
  });

  it('receipt upgrade never drops a cosigner without --policy, and with it keeps a receipt witnessed', async () => {
    const file = join(root, 'upgrade.receipt.json'); // cosigned by all three (the test before)
    const before = readFileSync(file, 'utf8');
    await stopWitness(witnesses[0]!);
    const d = await deposit('one witness down again');
    await receiptWith(d.id, 2);
    const refused = await cliAsync(['receipt', 'upgrade', file, '--url', server.url, '--key', logKey, '--json']);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(JSON.parse(refused.stdout).results[0]).toMatchObject({ ok: false, code: 'UPGRADE_WOULD_LOSE_EVIDENCE' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    const ok = await cliAsync(['receipt', 'upgrade', file, '--url', server.url, '--key', logKey, '--policy', policyFile, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).results[0]).toMatchObject({ ok: true, changed: true, witnessed: true });
    expect((await verify(readFileSync(file, 'utf8'), true)).code).toBe(0);
  });
});

describe('serve --witness-policy, started wrongly', () => {
  async function refused(policy: string | undefined, mention: string): Promise<void> {
    const data = join(root, `wrong-${randomBytes(4).toString('hex')}`);
    const file = join(root, `policy-${randomBytes(4).toString('hex')}.txt`);
    if (policy !== undefined) writeFileSync(file, policy);
    const r = await cliAsync(['serve', '--data', data, '--port', String(await freePort()), '--origin', ORIGIN, '--witness-policy', file], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(mention);
    expect(existsSync(data)).toBe(false);
  }

  it('a missing file, a file that is no policy, a witness URL the log cannot ask: one line, exit 2, nothing created', async () => {
    await refused(undefined, '--witness-policy');
    await refused('quorum\n', 'POLICY_');
    await refused(policyText(logKey, [{ name: 'x.example/w', vkey: witnesses[0]!.vkey.replace(/^[^+]+/, 'x.example/w'), url: 'ftp://127.0.0.1:9/' }], 1), '--witness-policy');
  });

  it('a policy that does not list this log\'s key: one line naming the key to add, exit 2, nothing created', async () => {
    await refused(policyText(witnesses[0]!.vkey.replace(/^[^+]+\+[^+]+/, 'z'), witnesses, 2), '--witness-policy');
    const data = join(root, 'first-start');
    const file = join(root, 'policy-other-log.txt');
    writeFileSync(file, readFileSync(policyFile, 'utf8')); // lists the e2e log's key, not the new log's
    const r = await cliAsync(['serve', '--data', data, '--port', String(await freePort()), '--origin', ORIGIN, '--witness-policy', file], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/WITNESS_POLICY_OTHER_LOG: .*log test\.example\/witnessed-e2e\+[0-9a-f]{8}\+/);
    expect(existsSync(data)).toBe(false);
  });
});

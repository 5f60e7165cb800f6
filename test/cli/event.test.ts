/**
 * `cunzheng event` and `cunzheng history` against a real server: a file deposited with `cunzheng deposit`,
 * then classified, granted and concealed by FILE and by ID, the record hashed locally (never sent), each
 * event receipt written beside the file as <file>.<kind>.<n>.receipt.json (or under --out) and verified
 * under --key and offline; the history in words, in Beijing time; every mistake one line and exit 2.
 * A document's whole life through every kind (a new version between, every receipt verified against the
 * version it concerns, an event after destroy refused) is test/cli/lifecycle-e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { parseReceipt, verifyReceipt } from '../../src/receipt/index.js';
import { fromBase64, sha256, toHex } from '../../src/crypto/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';

let dir: string;
let server: ServerProcess;
let env: Record<string, string>;
let logKey: string;
const ADMIN = 'event-cli-admin-token-0123456789abcdef';

const run = (args: string[], extra: Record<string, string> = {}) => cliAsync(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 30_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-event-cli-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  const res = await fetch(`${server.url}/v1/admin/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '示例新能源科技有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
  });
  const t = (await res.json()) as { apiKey: string };
  logKey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
  env = { CUNZHENG_URL: server.url, CUNZHENG_API_KEY: t.apiKey, HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg') };
}, 60_000);

afterAll(async () => {
  await server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('cunzheng event and history', () => {
  it("records a document's events by FILE and ID, receipts beside it, verified, and tells its history", async () => {
    const file = join(dir, 'formula.txt');
    writeFileSync(file, '配方 A-17: 42% 某某');
    const dep = await run(['deposit', file, '--json']);
    expect(dep.code, dep.stderr).toBe(0);
    const depReceipt = parseReceipt(readFileSync(`${file}.receipt.json`));
    const form = join(dir, '定密审批表.pdf');
    writeFileSync(form, 'signed form bytes');

    const classify = await run(['event', 'classify', file, '--level', '核心商密', '--period', '长期', '--basis', '研发成果', '--record', form, '--key', logKey, '--json']);
    expect(classify.code, classify.stderr).toBe(0);
    const out = JSON.parse(classify.stdout) as { receipt: string; deposit: string; verified: boolean };
    expect(out).toMatchObject({ deposit: depReceipt.id, receipt: `${file}.classify.1.receipt.json`, verified: true });
    const r = parseReceipt(readFileSync(out.receipt));
    const e = parseEntry(fromBase64(r.entry));
    expect(e).toMatchObject({ v: 2, kind: 'classify', prev: depReceipt.id });
    expect(e.event).toMatchObject({ level: '核心商密', period: '长期', basis: '研发成果', record: { sha256: toHex(sha256(readFileSync(form))), size: 17 } });
    await verifyReceipt(r, [logKey], { digest: { sha256: toHex(sha256(readFileSync(file))) } });

    const grant = await run(['event', 'access-grant', depReceipt.id, '--who', 'E1001', '--role', 'chemist', '--out', join(dir, 'out')]);
    expect(grant.code, grant.stderr).toBe(0);
    expect(existsSync(join(dir, 'out', `${depReceipt.id}.access-grant.1.receipt.json`))).toBe(true);
    const again = await run(['event', 'conceal', file, '--measures', 'encryption,marking']);
    const again2 = await run(['event', 'conceal', file, '--measures', 'sealing']);
    expect(again.code, again.stderr).toBe(0);
    expect(again2.code, again2.stderr).toBe(0);
    expect(existsSync(`${file}.conceal.2.receipt.json`)).toBe(true);
    // The event receipts are themselves receipts `cunzheng verify` checks against the file.
    const verify = await run(['verify', `${file}.classify.1.receipt.json`, '--file', file, '--key', logKey]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const history = await run(['history', file]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/Document [0-9a-f]{32}: classified, level 核心商密, period 长期/);
    expect(history.stdout).toContain('E1001 (chemist)');
    expect(history.stdout).toMatch(/\+08:00 {2}deposit/);
    expect(history.stdout).toContain('classified (定密) as 核心商密, secrecy period 长期');
    expect(history.stdout).toContain('access granted to E1001 as chemist');
    expect(history.stdout).toContain('concealment measures (隐密): encryption, marking');
    const json = await run(['history', depReceipt.id, '--json']);
    const h = JSON.parse(json.stdout) as { items: { kind: string }[] };
    expect(h.items.map((i) => i.kind)).toEqual(['deposit', 'classify', 'access-grant', 'conceal', 'conceal']);
  }, 120_000);

  it('answers each mistake with one line and exit 2', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'never deposited');
    const deposited = join(dir, 'deposited.txt');
    writeFileSync(deposited, 'deposited once');
    expect((await run(['deposit', deposited])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['event', 'bury', deposited], /event kind "bury"/],
      [['event', 'classify', deposited, '--who', 'E1'], /--who does not belong to classify/],
      [['event', 'classify', join(dir, 'missing.txt'), '--level', 'x'], /no such file, and not a deposit id/],
      [['event', 'classify', file, '--level', '核心商密', '--period', '长期'], /not deposited/],
      [['event', 'conceal', deposited, '--measures', 'a,,b'], /without empty items/],
      [['event', 'conceal', deposited, '--measures', 'hiding'], /EVENT_BAD_MEASURE/],
      [['event', 'declassify', deposited, '--reason', 'x'], /LIFECYCLE_NOT_CLASSIFIED/],
      [['event', 'access-grant', deposited, '--who', '11010519491231002X'], /EVENT_PERSONAL_DATA/],
      [['event', 'destroy', deposited, '--reason', 'x', '--method', 'y', '--record', join(dir, 'nope.pdf')], /--record/],
      [['history', join(dir, 'missing.txt')], /no such file/],
      [['event', 'conceal', deposited, '--measures', 'other'], /API key/],
    ];
    // Each case stands alone (none may write anything): they run at once, each its own process.
    const results = await Promise.all(cases.map(([args], i) => run(args, i === cases.length - 1 ? { CUNZHENG_API_KEY: 'czk_wrong' } : {})));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});

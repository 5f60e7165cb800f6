/**
 * The console's 证据包 button end to end: a real `cunzheng serve`, the console built, headless chromium. Two
 * of three documents ticked in the 清单 with a matter typed: the page asks POST /v1/evidence with the
 * session's key, saves the zip under the service's name, and the built `cunzheng verify case.zip --key …`
 * accepts it (exit 0), holding exactly the ticked documents' versions and events; the package's own deposit
 * is then in the tenant's deposits. Nothing ticked: a hint, no request. A viewer: the service's 403, shown
 * with its code. A depositor gets their own document's package from its history screen. Every request of
 * the page goes to its own origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sha256, sm3, toHex, utf8 } from '../../src/crypto/index.js';
import type { ServerProcess } from '../support/server-process.js';
import { cliAsync } from '../cli/cli-async.js';
import { api, buildConsole, launch, makeTenant, openPage, startServer, type RecordedPage, type Tenant } from './console-support.js';

let dir: string;
let server: ServerProcess;
let tenant: Tenant;
let vkey: string;
let browser: Browser;
let rec: RecordedPage;
let page: Page;
const docs: { id: string; latest: string }[] = [];

async function signIn(key: string): Promise<void> {
  await page.goto(`${server.url}/app`);
  await page.fill('#sign-in input[name="key"]', key);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForSelector('#signed-in');
}

async function deposit(text: string, title: string, prev?: string): Promise<string> {
  const d = utf8(text);
  return (await api<{ id: string }>(server, tenant.officerKey, 'POST', '/v1/deposits', { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)), size: d.length, meta: { title }, ...(prev === undefined ? {} : { prev }) })).id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-console-evidence-'));
  buildConsole();
  server = await startServer(dir);
  tenant = await makeTenant(server);
  vkey = (await api<{ key: string }>(server, '', 'GET', '/v1/log')).key;
  const formula = await deposit('LiPF6 1.1 mol/L in EC:EMC 3:7\n', '电解液配方');
  await api(server, tenant.officerKey, 'POST', `/v1/deposits/${formula}/events`, { kind: 'classify', level: '核心商密', period: '2099-12-31', basis: '定密审批表 2026-001' });
  docs.push({ id: formula, latest: await deposit('LiPF6 1.2 mol/L in EC:EMC:DMC 3:5:2\n', '电解液配方', formula) });
  const coating = await deposit('speed,12 m/min\ntemp,85 C\n', '涂布工艺参数');
  docs.push({ id: coating, latest: coating });
  const other = await deposit('其他文件\n', '其他文件');
  docs.push({ id: other, latest: other });
  browser = await launch();
  rec = await openPage(browser);
  page = rec.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const tick = (doc: string): Promise<void> => page.check(`#inventory-table tbody tr[data-doc="${doc}"] input[type="checkbox"]`);

describe('the 证据包 button', () => {
  it('with nothing ticked says so and asks nothing', async () => {
    await signIn(tenant.officerKey);
    await page.goto(`${server.url}/app#inventory`);
    await page.waitForSelector('#inventory-table');
    const before = rec.requests.filter((u) => u.endsWith('/v1/evidence')).length;
    await page.click('#evidence-go');
    expect(await page.textContent('#evidence-out')).toContain('请先勾选文件');
    expect(rec.requests.filter((u) => u.endsWith('/v1/evidence')).length).toBe(before);
  });

  it('downloads the package of the ticked documents, which cunzheng verify accepts', async () => {
    await tick(docs[0]!.id);
    await tick(docs[1]!.id);
    await page.fill('input[name="evidence-title"]', '（2026）湘01民初123号');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.click('#evidence-go')]);
    expect(download.suggestedFilename()).toMatch(/^evidence-\d{8}-\d{6}-（2026）湘01民初123号\.zip$/);
    const path = join(dir, 'case.zip');
    await download.saveAs(path);
    await page.waitForSelector('#evidence-saved');
    // v1, its 定密 event and v2 of the formula; the coating file: four exhibits.
    expect(await page.textContent('#evidence-saved')).toContain('4 件证物');
    mkdirSync(join(dir, 'shots'), { recursive: true });
    await page.screenshot({ path: join(dir, 'shots', 'console-evidence.png'), fullPage: true });
    if (process.env.CUNZHENG_SHOTS !== undefined) writeFileSync(join(process.env.CUNZHENG_SHOTS, 'console-evidence.png'), readFileSync(join(dir, 'shots', 'console-evidence.png')));
    const v = await cliAsync(['verify', path, '--key', vkey, '--json'], { cwd: dir, timeoutMs: 180_000 });
    expect(v.code, `${v.stdout}\n${v.stderr}`).toBe(0);
    const report = JSON.parse(v.stdout) as { title?: string; exhibits: { id: string }[]; packageReceipt?: { id: string } };
    const ids = report.exhibits.map((e) => e.id);
    expect(ids).toHaveLength(4);
    expect(ids).toContain(docs[0]!.id);
    expect(ids).toContain(docs[0]!.latest);
    expect(ids).toContain(docs[1]!.id);
    expect(ids).not.toContain(docs[2]!.id);
    // The package's deposit is one of the tenant's, titled with the matter.
    const listing = await api<{ deposits: { id: string; title?: string }[] }>(server, tenant.officerKey, 'GET', '/v1/deposits?limit=3');
    expect(listing.deposits.find((d) => d.id === report.packageReceipt?.id)?.title).toBe('证据包 （2026）湘01民初123号');
  }, 300_000);

  it("gives a depositor the package of their own document from its history screen", async () => {
    const d = utf8('工艺卡 2026-07\n');
    const own = (await api<{ id: string }>(server, tenant.depositorKey, 'POST', '/v1/deposits', { sha256: toHex(sha256(d)), sm3: toHex(sm3(d)), meta: { title: '工艺卡' } })).id;
    await page.click('#sign-out');
    await signIn(tenant.depositorKey);
    await page.goto(`${server.url}/app#history/${own}`);
    await page.waitForSelector('#history-table');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.click('#evidence-go')]);
    expect(download.suggestedFilename()).toMatch(/^evidence-\d{8}-\d{6}\.zip$/);
    const path = join(dir, 'own.zip');
    await download.saveAs(path);
    await page.waitForSelector('#evidence-saved');
    await page.screenshot({ path: join(dir, 'shots', 'console-evidence-history.png'), fullPage: true });
    if (process.env.CUNZHENG_SHOTS !== undefined) writeFileSync(join(process.env.CUNZHENG_SHOTS, 'console-evidence-history.png'), readFileSync(join(dir, 'shots', 'console-evidence-history.png')));
    const v = await cliAsync(['verify', path, '--key', vkey, '--json'], { cwd: dir, timeoutMs: 180_000 });
    expect(v.code, `${v.stdout}\n${v.stderr}`).toBe(0);
    expect((JSON.parse(v.stdout) as { exhibits: { id: string }[] }).exhibits.map((e) => e.id)).toEqual([own]);
  }, 300_000);

  it("shows a viewer the service's 403 with its code", async () => {
    await page.click('#sign-out');
    await signIn(tenant.viewerKey);
    await page.goto(`${server.url}/app#inventory`);
    await page.waitForSelector('#inventory-table');
    await tick(docs[2]!.id);
    await page.click('#evidence-go');
    const err = await page.waitForSelector('#evidence-out .error');
    expect(await err.getAttribute('data-code')).toBe('ROLE_FORBIDDEN');
  });

  it('requested nothing but its own origin, and reported no error but the refusal it was asked to show', () => {
    const origin = new URL(server.url).origin;
    expect(rec.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(rec.problems.filter((p) => !/403/.test(p))).toEqual([]);
  });
});

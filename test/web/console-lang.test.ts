/**
 * The console's language switch keeps what the user entered, chose and was shown: the key typed at sign-in,
 * the files chosen to deposit with their title and the names box, the outcome of a deposit, the 清单's
 * filters, rows and ticks, a measure's form with its record file, a new user's key shown once — all drawn
 * again in the other language. A real `cunzheng serve`, the built console, Debian's headless chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../support/server-process.js';
import { api, buildConsole, launch, makeTenant, openPage, startServer, type RecordedPage, type Tenant } from './console-support.js';

let dir: string;
let server: ServerProcess;
let tenant: Tenant;
let browser: Browser;
let rec: RecordedPage;
let page: Page;

const toggle = async (want: 'zh' | 'en'): Promise<void> => {
  await page.click('#lang');
  await expect.poll(() => page.textContent('#lang')).toBe(want === 'en' ? '中文' : 'English');
};
const value = (selector: string): Promise<string> => page.locator(selector).inputValue();
/** The names of the files a file input holds. */
const fileNames = (selector: string): Promise<string[]> =>
  page.locator(selector).evaluate((i) => Array.from((i as unknown as { files: ArrayLike<{ name: string }> | null }).files ?? []).map((f) => f.name));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-console-lang-'));
  buildConsole();
  server = await startServer(dir);
  tenant = await makeTenant(server);
  writeFileSync(join(dir, 'a.txt'), 'first document\n');
  writeFileSync(join(dir, 'b.txt'), 'second document\n');
  writeFileSync(join(dir, 'record.txt'), '销毁记录 2026-07\n');
  browser = await launch();
  rec = await openPage(browser);
  page = rec.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the language switch keeps the forms', () => {
  it('keeps the key typed at sign-in', async () => {
    await page.goto(`${server.url}/app`);
    await page.fill('#sign-in input[name="key"]', tenant.officerKey);
    await toggle('en');
    expect(await page.textContent('#sign-in')).toContain('API key');
    expect(await value('#sign-in input[name="key"]')).toBe(tenant.officerKey);
    await page.click('#sign-in button[type="submit"]');
    await page.waitForSelector('#signed-in');
    await toggle('zh');
  });

  it('keeps the files chosen, the title and the names box, then the outcome of the deposit', async () => {
    await page.click('nav a[data-screen="deposit"]');
    await page.setInputFiles('#deposit-files', [join(dir, 'a.txt'), join(dir, 'b.txt')]);
    await page.fill('main input[name="title"]', '研发资料');
    await page.check('main input[name="names"]');
    await toggle('en');
    expect(await page.textContent('main h2')).toBe('Deposit');
    expect(await value('main input[name="title"]')).toBe('研发资料');
    expect(await page.isChecked('main input[name="names"]')).toBe(true);
    expect(await page.textContent('#deposit-status')).toMatch(/^2 files selected/);
    expect(await fileNames('#deposit-files')).toEqual(['a.txt', 'b.txt']);
    await page.click('#deposit-go');
    await page.waitForSelector('#deposit-zip', { timeout: 30_000 });
    expect(await page.textContent('#deposit-status')).toContain('Done: 2 new deposits');
    // What was sent is what was entered before the switch.
    const listed = await api<{ deposits: { title?: string }[] }>(server, tenant.officerKey, 'GET', '/v1/deposits');
    expect(listed.deposits.map((d) => d.title)).toEqual(['研发资料', '研发资料']);
    await toggle('zh');
    expect(await page.textContent('#deposit-status')).toContain('完成：新存证 2 个');
    expect(await page.locator('#deposit-table tbody tr').count()).toBe(2);
    expect(await page.textContent('#deposit-table')).toContain('新存证');
    expect(await page.locator('#deposit-zip').count()).toBe(1);
  });

  it('keeps the 清单 filters, its rows and the ticks', async () => {
    await page.click('nav a[data-screen="inventory"]');
    await page.waitForSelector('#inventory-table');
    await page.selectOption('#inventory-filter select[name="status"]', 'unclassified');
    await page.fill('#inventory-filter input[name="since"]', '2020-01-01');
    await page.click('#inventory-filter button[type="submit"]');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(2);
    await page.locator('#inventory-table tbody tr').first().locator('input[type="checkbox"]').check();
    await page.fill('#inventory-filter input[name="label"]', '未提交的标签');
    expect(await page.textContent('#inventory-table')).toContain('未定密');
    await toggle('en');
    expect(await page.textContent('main h2')).toBe('Trade-secret inventory');
    expect(await value('#inventory-filter select[name="status"]')).toBe('unclassified');
    expect(await value('#inventory-filter input[name="since"]')).toBe('2020-01-01');
    expect(await value('#inventory-filter input[name="label"]')).toBe('未提交的标签');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(2);
    expect(await page.textContent('#inventory-table')).not.toContain('未定密');
    expect(await page.textContent('#inventory-count')).toBe('2 rows shown');
    expect(await page.locator('#inventory-table tbody tr').first().locator('input[type="checkbox"]').isChecked()).toBe(true);
    await toggle('zh');
  });

  it('keeps a measure\'s form and its record file, then its outcome', async () => {
    const id = (await api<{ deposits: { id: string }[] }>(server, tenant.officerKey, 'GET', '/v1/deposits')).deposits[0]!.id;
    await page.goto(`${server.url}/app#event/${id}`);
    await page.selectOption('#event-form select[name="kind"]', 'destroy');
    await page.fill('#event-form input[name="reason"]', '项目终止');
    await page.fill('#event-form input[name="method"]', '碎纸机');
    await page.setInputFiles('#event-record', join(dir, 'record.txt'));
    await toggle('en');
    expect(await value('#event-form select[name="kind"]')).toBe('destroy');
    expect(await value('#event-form input[name="reason"]')).toBe('项目终止');
    expect(await value('#event-form input[name="method"]')).toBe('碎纸机');
    expect(await fileNames('#event-record')).toEqual(['record.txt']);
    await page.click('#event-go');
    const eventId = await (await page.waitForSelector('#event-done')).getAttribute('data-id');
    expect(await page.textContent('#event-status')).toBe(`Recorded: event ${eventId}`);
    await toggle('zh');
    expect(await page.getAttribute('#event-done', 'data-id')).toBe(eventId);
    expect(await page.textContent('#event-status')).toBe(`已记录：事件编号 ${eventId}`);
    const history = await api<{ items: { kind: string }[] }>(server, tenant.officerKey, 'GET', `/v1/deposits/${id}/history`);
    expect(history.items.map((i) => i.kind)).toEqual(['deposit', 'destroy']);
  });

  it('keeps a new user\'s key on show and the add form as typed', async () => {
    await page.click('nav a[data-screen="users"]');
    await page.waitForSelector('#users-table');
    await page.selectOption('#user-add select[name="role"]', 'viewer');
    await page.fill('#user-add input[name="ref"]', 'E5001');
    await page.click('#user-add button[type="submit"]');
    const key = await (await page.waitForSelector('#new-key')).textContent();
    await page.selectOption('#user-add select[name="role"]', 'officer');
    await page.fill('#user-add input[name="ref"]', 'E5002');
    await toggle('en');
    expect(await page.textContent('#new-key')).toBe(key);
    expect(await page.textContent('#users-key')).toContain('shown this once');
    await page.waitForSelector('#users-table');
    expect(await value('#user-add select[name="role"]')).toBe('officer');
    expect(await value('#user-add input[name="ref"]')).toBe('E5002');
    await toggle('zh');
    expect(await page.textContent('#new-key')).toBe(key);
  });

  it('starts a screen afresh when it is visited again', async () => {
    await page.click('nav a[data-screen="inventory"]');
    await page.waitForSelector('#inventory-table');
    expect(await value('#inventory-filter select[name="status"]')).toBe('');
    await page.click('nav a[data-screen="users"]');
    await page.waitForSelector('#users-table');
    expect(await page.locator('#new-key').count()).toBe(0);
    expect(rec.problems).toEqual([]);
  });
});

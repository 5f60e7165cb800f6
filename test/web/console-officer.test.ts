/**
 * The console end to end for the secrecy officer, past one page: a 清单 and a deposit list longer than a page
 * (the API's `next` / `cursor` followed by "load more", every document once), the 清单 CSV as the route gives
 * it to curl (Chinese and English, filtered), and a user's key rotated (the old key refused at once, the new
 * one shown once and working) and a user revoked (after the confirmation; dismissed, nothing happens).
 * A real `cunzheng serve`, the built console, Debian's headless chromium.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../support/server-process.js';
import { api, buildConsole, launch, makeTenant, openPage, startServer, type RecordedPage, type Tenant } from './console-support.js';

const DOCUMENTS = 230;

let dir: string;
let server: ServerProcess;
let tenant: Tenant;
let browser: Browser;
let rec: RecordedPage;
let page: Page;

async function download(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(dir, `download-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

const curl = async (path: string, key: string, accept = 'application/json'): Promise<Response> =>
  fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}`, accept } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-console-officer-'));
  buildConsole();
  server = await startServer(dir);
  tenant = await makeTenant(server);
  const items = Array.from({ length: DOCUMENTS }, (_, i) => ({ sha256: randomBytes(32).toString('hex'), sm3: randomBytes(32).toString('hex'), size: i + 1, meta: { title: `文件 ${String(i).padStart(3, '0')}` } }));
  await api(server, tenant.officerKey, 'POST', '/v1/deposits', { items });
  browser = await launch();
  rec = await openPage(browser);
  page = rec.page;
  await page.goto(`${server.url}/app`);
  await page.fill('#sign-in input[name="key"]', tenant.officerKey);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForSelector('#signed-in');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const rowIds = (table: string, attr: string): Promise<string[]> =>
  page.locator(`${table} tbody tr`).evaluateAll((rs, a) => rs.map((r) => r.getAttribute(a) ?? ''), attr);

describe('past one page', () => {
  it('pages through the 清单 with "load more", every document once', async () => {
    await page.goto(`${server.url}/app#inventory`);
    await page.waitForSelector('#inventory-table');
    expect(await page.locator('#inventory-table tbody tr').count()).toBe(100);
    expect(await page.textContent('#inventory-count')).toBe('显示 100 条');
    await page.click('#inventory-more');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(200);
    await page.click('#inventory-more');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(DOCUMENTS);
    expect(await page.locator('#inventory-more').count()).toBe(0);
    // The same documents the API gives, walking its next cursor.
    const want: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const p: { rows: { doc: string }[]; next: string | null } = await api(server, tenant.officerKey, 'GET', `/v1/inventory?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
      want.push(...p.rows.map((r) => r.doc));
      cursor = p.next;
    }
    const got = await rowIds('#inventory-table', 'data-doc');
    expect(new Set(got).size).toBe(DOCUMENTS);
    expect(got).toEqual(want);
    if (process.env.CUNZHENG_SHOTS !== undefined) await page.screenshot({ path: join(process.env.CUNZHENG_SHOTS, 'console-inventory-paged.png') });
  });

  it('pages through the deposits with "load more"', async () => {
    await page.click('nav a[data-screen="deposits"]');
    await page.waitForSelector('#deposits-table');
    expect(await page.locator('#deposits-table tbody tr').count()).toBe(100);
    await page.click('#deposits-more');
    await expect.poll(() => page.locator('#deposits-table tbody tr').count()).toBe(200);
    await page.click('#deposits-more');
    await expect.poll(() => page.locator('#deposits-table tbody tr').count()).toBe(DOCUMENTS);
    expect(await page.locator('#deposits-more').count()).toBe(0);
    expect(new Set(await rowIds('#deposits-table', 'data-id')).size).toBe(DOCUMENTS);
  });
});

describe('the 清单 CSV', () => {
  it('downloads the CSV the route gives curl, in Chinese, then filtered and in English', async () => {
    await page.click('nav a[data-screen="inventory"]');
    await page.waitForSelector('#inventory-table');
    const zh = await download(() => page.click('#inventory-csv'));
    expect(zh.name).toBe('商业秘密清单.csv');
    const direct = Buffer.from(await (await curl('/v1/inventory?lang=zh', tenant.officerKey, 'text/csv')).arrayBuffer());
    expect(zh.bytes.equals(direct)).toBe(true);
    expect([...zh.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(zh.bytes.toString('utf8').trimEnd().split('\r\n')).toHaveLength(DOCUMENTS + 1);
    await page.click('#lang');
    await page.selectOption('#inventory-filter select[name="status"]', 'classified');
    const en = await download(() => page.click('#inventory-csv'));
    expect(en.name).toBe('inventory.csv');
    const directEn = Buffer.from(await (await curl('/v1/inventory?status=classified&lang=en', tenant.officerKey, 'text/csv')).arrayBuffer());
    expect(en.bytes.equals(directEn)).toBe(true);
    expect(en.bytes.toString('utf8').trimEnd().split('\r\n')).toHaveLength(1); // the header: nothing classified
    await page.click('#lang');
  });
});

describe('users: rotate and revoke', () => {
  let depositor: string;
  let viewer: string;

  beforeAll(async () => {
    depositor = (await api<{ id: string }>(server, tenant.depositorKey, 'GET', '/v1/users/me')).id;
    viewer = (await api<{ id: string }>(server, tenant.viewerKey, 'GET', '/v1/users/me')).id;
  });

  it('rotates a user\'s key: the new one shown once and working, the old one refused at once', async () => {
    await page.click('nav a[data-screen="users"]');
    await page.waitForSelector('#users-table');
    await page.click(`#users-table button[data-action="rotate"][data-user="${depositor}"]`);
    const key = (await (await page.waitForSelector('#new-key')).textContent())!;
    expect(key).not.toBe(tenant.depositorKey);
    expect((await curl('/v1/users/me', tenant.depositorKey)).status).toBe(401);
    expect(await api(server, key, 'GET', '/v1/users/me')).toMatchObject({ id: depositor, role: 'depositor' });
    // Shown once: gone when the screen is visited again.
    await page.click('nav a[data-screen="deposit"]');
    await page.click('nav a[data-screen="users"]');
    await page.waitForSelector('#users-table');
    expect(await page.locator('#new-key').count()).toBe(0);
  });

  it('revokes a user only once the officer confirms', async () => {
    const revoke = `#users-table button[data-action="revoke"][data-user="${viewer}"]`;
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.click(revoke);
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('E3001');
    expect((await curl('/v1/users/me', tenant.viewerKey)).status).toBe(200);
    page.once('dialog', (d) => void d.accept());
    await page.click(revoke);
    await expect.poll(() => page.textContent(`#users-table tr[data-user="${viewer}"]`)).toContain('已撤销');
    expect(await page.locator(revoke).count()).toBe(0);
    expect((await curl('/v1/users/me', tenant.viewerKey)).status).toBe(401);
    const listed = await api<{ users: { id: string; revoked?: string }[] }>(server, tenant.officerKey, 'GET', '/v1/users');
    expect(listed.users.find((u) => u.id === viewer)?.revoked).toMatch(/^\d{4}-/);
    // The officer's own row offers neither (the service would refuse to lock the tenant out).
    const me = (await api<{ id: string }>(server, tenant.officerKey, 'GET', '/v1/users/me')).id;
    expect(await page.locator(`#users-table tr[data-user="${me}"] button`).count()).toBe(0);
    expect(rec.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  });
});

describe('the 清单 CSV past the service\'s cap of 50,000 rows an answer', () => {
  it('follows Cunzheng-Next and saves one file of every part, as curl gets them one by one', async () => {
    const more = 50_001 - DOCUMENTS;
    for (let b = 0; b < more; b += 10_000) {
      const items = Array.from({ length: Math.min(10_000, more - b) }, () => ({ sha256: randomBytes(32).toString('hex'), sm3: randomBytes(32).toString('hex'), size: 1 }));
      await api(server, tenant.officerKey, 'POST', '/v1/deposits', { items });
    }
    const parts: Buffer[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const res = await curl(`/v1/inventory?lang=zh${cursor === null ? '' : `&cursor=${cursor}`}`, tenant.officerKey, 'text/csv');
      const bytes = Buffer.from(await res.arrayBuffer());
      // Each part a whole CSV: its BOM and header, which the console keeps only once.
      parts.push(first ? bytes : bytes.subarray(bytes.indexOf(0x0a) + 1));
      cursor = res.headers.get('cunzheng-next');
    }
    expect(parts.length).toBe(2);
    await page.click('nav a[data-screen="inventory"]');
    await page.waitForSelector('#inventory-table');
    const all = await download(() => page.click('#inventory-csv'));
    expect(all.bytes.equals(Buffer.concat(parts))).toBe(true);
    const lines = all.bytes.toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(50_001 + 1);
    expect(new Set(lines.slice(1)).size).toBe(50_001);
  }, 300_000);
});

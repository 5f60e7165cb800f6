/**
 * The tenant console (/app) end to end: a real `cunzheng serve`, the page built by web/build.mjs, driven
 * in Debian's headless chromium. A folder deposited from the console lands in the ledger as exactly its
 * files' digests (nothing else sent), and the zip of receipts it offers verifies with the real CLI against
 * the files; the 清单 filters; a document's history; a measure recorded with its record hashed in the page;
 * a certificate downloaded; the users screen for an officer and the service's 403 for the others; errors
 * shown with their code in Chinese and in English. Every request the page makes goes to its own origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { unzipSync, strFromU8 } from 'fflate';
import { formatReceipt, parseReceipt } from '../../src/receipt/index.js';
import { zipTexts } from '../../web/console/receipt-zip.js';
import type { ServerProcess } from '../support/server-process.js';
import { cli } from '../cli/run-cli.js';
import { api, buildConsole, launch, makeTenant, openPage, startServer, type RecordedPage, type Tenant } from './console-support.js';

let dir: string;
let server: ServerProcess;
let tenant: Tenant;
let vkey: string;
let browser: Browser;
let rec: RecordedPage;
let page: Page;
const shots = (): string => join(dir, 'shots');

/** The folder deposited: nested, a Chinese name, an empty file. */
const FOLDER: Record<string, string> = {
  'rd-2026/配方.txt': 'LiPF6 1.1 mol/L in EC:EMC 3:7\n',
  'rd-2026/工艺/涂布参数.csv': 'speed,12 m/min\ntemp,85 C\n',
  'rd-2026/notes/empty.md': '',
};
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

async function shot(name: string): Promise<void> {
  mkdirSync(shots(), { recursive: true });
  await page.screenshot({ path: join(shots(), `console-${name}.png`), fullPage: true });
  // The README shows three of them (docs/console-*.png); the others stay in the test's folder.
  if (process.env.CUNZHENG_RENDER_DOCS === '1' && ['deposit', 'inventory', 'history'].includes(name)) copyFileSync(join(shots(), `console-${name}.png`), join('docs', `console-${name}.png`));
}

async function signIn(key: string): Promise<void> {
  await page.goto(`${server.url}/app`);
  await page.fill('#sign-in input[name="key"]', key);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForSelector('#signed-in');
}

async function download(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(dir, `download-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-console-'));
  buildConsole();
  server = await startServer(dir);
  tenant = await makeTenant(server);
  vkey = (await api<{ key: string }>(server, '', 'GET', '/v1/log')).key;
  for (const [path, text] of Object.entries(FOLDER)) {
    mkdirSync(dirname(join(dir, 'docs', path)), { recursive: true });
    writeFileSync(join(dir, 'docs', path), text);
  }
  browser = await launch();
  rec = await openPage(browser);
  page = rec.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the page', () => {
  it('is served with a strict CSP header and meta: its own inline code, requests to its own origin only', async () => {
    const res = await fetch(`${server.url}/app`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src 'self'/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval';/);
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
    expect(markup.match(/<script/g)).toHaveLength(1);
    expect(markup).not.toMatch(/\s(src|href)=(?!["']?data:)/i);
  });

  it('asks for a key in Chinese, keeps it in sessionStorage only, and shows who signed in', async () => {
    await page.goto(`${server.url}/app`);
    expect(await page.textContent('#sign-in')).toContain('API 密钥');
    await shot('signin');
    await signIn(tenant.officerKey);
    expect(await page.textContent('#signed-in')).toContain('保密员');
    expect(await page.evaluate('[Object.keys(localStorage).length, Object.values(sessionStorage)]')).toEqual([0, expect.arrayContaining([tenant.officerKey])]);
  });
});

describe('deposit', () => {
  let ids: string[] = [];

  it('hashes a folder in the browser and deposits exactly its digests, no names', async () => {
    await page.click('nav a[data-screen="deposit"]');
    await page.setInputFiles('#deposit-folder', join(dir, 'docs', 'rd-2026'));
    await page.click('#deposit-go');
    await page.waitForSelector('#deposit-zip', { timeout: 30_000 });
    expect(await page.textContent('#deposit-status')).toContain('新存证 3 个');
    await shot('deposit');
    const listed = await api<{ deposits: { id: string; sha256: string; title?: string }[] }>(server, tenant.officerKey, 'GET', '/v1/deposits');
    expect(listed.deposits.map((d) => d.sha256).sort()).toEqual(Object.values(FOLDER).map(sha256).sort());
    expect(listed.deposits.every((d) => d.title === undefined)).toBe(true);
    ids = listed.deposits.map((d) => d.id);
    for (const id of ids) {
      const entry = JSON.parse(Buffer.from(parseReceipt(await api(server, tenant.officerKey, 'GET', `/v1/deposits/${id}`)).entry, 'base64').toString('utf8')) as Record<string, unknown>;
      expect(entry.meta).toBeUndefined();
      expect(entry.hashedBy).toBe('client');
    }
  });

  it('offers the receipts as one deterministic zip that the CLI verifies against the files', async () => {
    const zip = await download(() => page.click('#deposit-zip'));
    expect(zip.name).toBe('rd-2026.receipts.zip');
    const files = unzipSync(new Uint8Array(zip.bytes));
    expect(Object.keys(files).sort()).toEqual(Object.keys(FOLDER).map((p) => `${p}.receipt.json`).sort());
    const out = join(dir, 'receipts');
    const texts: { name: string; text: string }[] = [];
    for (const [name, data] of Object.entries(files)) {
      const text = strFromU8(data);
      expect(text).toBe(formatReceipt(parseReceipt(JSON.parse(text))));
      texts.push({ name, text });
      mkdirSync(dirname(join(out, name)), { recursive: true });
      writeFileSync(join(out, name), text);
    }
    expect(Buffer.from(zipTexts(texts)).equals(zip.bytes)).toBe(true);
    const v = cli(['verify', out, '--documents', join(dir, 'docs'), '--require-documents', '--key', vkey, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, verified: 3, documentsCompared: 3, failed: 0 });
  });

  it('says a second deposit of the same files was deposited before, writing nothing new', async () => {
    await page.click('#deposit-go');
    await expect.poll(() => page.textContent('#deposit-status')).toContain('此前已存证 3 个');
    const listed = await api<{ deposits: unknown[] }>(server, tenant.officerKey, 'GET', '/v1/deposits');
    expect(listed.deposits).toHaveLength(3);
  });
});

describe('lifecycle', () => {
  let formula: string;
  let others: string[];

  beforeAll(async () => {
    const listed = await api<{ deposits: { id: string; sha256: string }[] }>(server, tenant.officerKey, 'GET', '/v1/deposits');
    formula = listed.deposits.find((d) => d.sha256 === sha256(FOLDER['rd-2026/配方.txt']!))!.id;
    others = listed.deposits.filter((d) => d.id !== formula).map((d) => d.id);
    writeFileSync(join(dir, '定密审批表.txt'), '定密审批表 No. 2026-001, signed\n');
  });

  it('records a classification, its written record hashed in the page (only the digest sent)', async () => {
    await page.goto(`${server.url}/app#event/${formula}`);
    await page.waitForSelector('#event-form select[name="level"] option[value="核心商密"]', { state: 'attached' });
    await page.selectOption('#event-form select[name="kind"]', 'classify');
    await page.selectOption('#event-form select[name="level"]', '核心商密');
    await page.fill('#event-form input[name="period"]', '2031-12-31');
    await page.fill('#event-form input[name="basis"]', '定密审批表 2026-001');
    await page.setInputFiles('#event-record', join(dir, '定密审批表.txt'));
    await shot('event');
    await page.click('#event-go');
    const eventId = await (await page.waitForSelector('#event-done')).getAttribute('data-id');
    const receipt = parseReceipt(await api(server, tenant.officerKey, 'GET', `/v1/deposits/${eventId}`));
    const entry = JSON.parse(Buffer.from(receipt.entry, 'base64').toString('utf8')) as { kind: string; prev: string; event: Record<string, unknown> };
    expect(entry).toMatchObject({ kind: 'classify', prev: formula });
    expect(entry.event).toEqual({
      basis: '定密审批表 2026-001', level: '核心商密', period: '2031-12-31',
      record: { sha256: sha256('定密审批表 No. 2026-001, signed\n'), sm3: expect.stringMatching(/^[0-9a-f]{64}$/), size: Buffer.byteLength('定密审批表 No. 2026-001, signed\n') },
    });
    const saved = await download(() => page.click('#event-receipt'));
    writeFileSync(join(dir, 'classify.receipt.json'), saved.bytes);
    const v = cli(['verify', join(dir, 'classify.receipt.json'), '--file', join(dir, 'docs', 'rd-2026', '配方.txt'), '--key', vkey, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('shows the service\'s refusal with its code, in Chinese, then in English', async () => {
    await page.click('#event-go'); // the same classification again
    const error = await page.waitForSelector('#event-out .error');
    expect(await error.getAttribute('data-code')).toBe('LIFECYCLE_ALREADY_CLASSIFIED');
    expect(await error.textContent()).toContain('该文件已定密');
    await page.click('#lang'); // the screen is drawn again in English, the form and the refusal kept
    expect(await page.locator('#event-form input[name="period"]').inputValue()).toBe('2031-12-31');
    await page.click('#event-go');
    const en = await page.waitForSelector('#event-out .error');
    expect(await en.getAttribute('data-code')).toBe('LIFECYCLE_ALREADY_CLASSIFIED');
    expect(await en.textContent()).not.toContain('该文件已定密');
    expect(await en.textContent()).toMatch(/classif/i);
    await page.click('#lang');
  });

  it('filters the 清单 by status and level', async () => {
    await page.goto(`${server.url}/app#inventory`);
    await page.waitForSelector('#inventory-table');
    expect(await page.locator('#inventory-table tbody tr').count()).toBe(3);
    await page.selectOption('#inventory-filter select[name="status"]', 'classified');
    await page.click('#inventory-filter button[type="submit"]');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(1);
    const row = page.locator('#inventory-table tbody tr');
    expect(await row.getAttribute('data-doc')).toBe(formula);
    expect(await row.textContent()).toContain('核心商密');
    expect(await row.textContent()).toContain('已定密');
    await shot('inventory');
    await page.selectOption('#inventory-filter select[name="status"]', 'unclassified');
    await page.click('#inventory-filter button[type="submit"]');
    await expect.poll(() => page.locator('#inventory-table tbody tr').count()).toBe(2);
    expect((await page.locator('#inventory-table tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-doc')))).sort()).toEqual([...others].sort());
    await page.selectOption('#inventory-filter select[name="status"]', '');
    await page.selectOption('#inventory-filter select[name="level"]', '重要商密');
    await page.click('#inventory-filter button[type="submit"]');
    await page.waitForSelector('#inventory-out p.empty');
  });

  it('shows a document\'s history: the deposit, then the classification, in Beijing time', async () => {
    await page.goto(`${server.url}/app#history/${formula}`);
    await page.waitForSelector('#history-table');
    expect(await page.locator('#history-table tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-kind')))).toEqual(['deposit', 'classify']);
    expect(await page.getAttribute('#history-state', 'data-status')).toBe('classified');
    const text = await page.textContent('#history-table');
    expect(text).toContain('+08:00');
    expect(text).toContain('定密审批表 2026-001');
    const time = (await api<{ items: { time: string }[] }>(server, tenant.officerKey, 'GET', `/v1/deposits/${formula}/history`)).items[0]!.time;
    const beijing = new Date(Date.parse(time) + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(text).toContain(`${beijing} +08:00`);
    await shot('history');
  });

  it('downloads a certificate, the same bytes the route gives curl', async () => {
    const cert = await download(() => page.click(`#history-table tr[data-kind="deposit"] button[data-action="certificate-zh"]`));
    expect(cert.name).toBe(`${formula}.certificate.pdf`);
    expect(cert.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const direct = Buffer.from(await (await fetch(`${server.url}/v1/deposits/${formula}/certificate?lang=zh`, { headers: { authorization: `Bearer ${tenant.officerKey}` } })).arrayBuffer());
    expect(cert.bytes.equals(direct)).toBe(true);
  });
});

describe('users and roles', () => {
  it('lets the officer see the users and add one, whose key is shown once', async () => {
    await page.goto(`${server.url}/app#users`);
    await page.waitForSelector('#users-table');
    expect(await page.locator('#users-table tbody tr').count()).toBe(3);
    await page.selectOption('#user-add select[name="role"]', 'viewer');
    await page.fill('#user-add input[name="ref"]', 'E4001');
    await page.click('#user-add button[type="submit"]');
    const key = (await (await page.waitForSelector('#new-key')).textContent())!;
    await expect.poll(() => page.locator('#users-table tbody tr').count()).toBe(4);
    expect((await api<{ role: string; ref: string }>(server, key, 'GET', '/v1/users/me'))).toMatchObject({ role: 'viewer', ref: 'E4001' });
    await shot('users');
  });

  it('shows the service\'s 403 to a depositor, who still deposits and lists their own', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in');
    expect(await page.evaluate('Object.values(sessionStorage)')).not.toContain(tenant.officerKey);
    await signIn(tenant.depositorKey);
    await page.goto(`${server.url}/app#users`);
    const error = await page.waitForSelector('#users-out .error');
    expect(await error.getAttribute('data-code')).toBe('ROLE_FORBIDDEN');
    expect(await error.textContent()).toContain('当前角色无权进行此操作');
    expect(await page.locator('#users-table').count()).toBe(0);
    await page.goto(`${server.url}/app#inventory`);
    expect(await (await page.waitForSelector('#inventory-out .error')).getAttribute('data-code')).toBe('ROLE_FORBIDDEN');
    await page.goto(`${server.url}/app#deposits`);
    await page.waitForSelector('#deposits-out p.empty');
  });

  it('refuses a wrong key at sign-in with its code', async () => {
    await page.click('#sign-out');
    await page.fill('#sign-in input[name="key"]', 'czk_not-a-key');
    await page.click('#sign-in button[type="submit"]');
    expect(await (await page.waitForSelector('#sign-in .error')).getAttribute('data-code')).toBe('UNAUTHORIZED');
  });
});

describe('what the page talks to', () => {
  it('requested nothing but its own origin, and reported no error but the refusals it was asked to show', () => {
    const origin = new URL(server.url).origin;
    const elsewhere = rec.requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== origin);
    expect(elsewhere).toEqual([]);
    expect(rec.requests.some((u) => u.startsWith(`${origin}/v1/deposits`))).toBe(true);
    expect(rec.problems.filter((p) => !/status of (401|403|409)/.test(p))).toEqual([]);
  });
});

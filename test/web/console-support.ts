/**
 * What the console's browser tests share: a real `cunzheng serve` with the console built, a tenant and its
 * users made through the public API (as curl would), and one headless Debian chromium (playwright-core)
 * that records every request the page makes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { completeUscc } from '../../src/entry/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { ROOT } from '../cli/run-cli.js';

export const ADMIN = 'console-e2e-admin-token-0123456789abcdef0123';

/** Builds dist/web/console.html from the sources (web/build.mjs), as the install does. */
export function buildConsole(): void {
  const r = spawnSync(process.execPath, ['web/build.mjs', 'console'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`web build failed: ${r.stderr}`);
}

export async function startServer(dir: string): Promise<ServerProcess> {
  const server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  return server;
}

/** An API call with a bearer token, answered as JSON (throws on a status other than `want`). */
export async function api<T>(server: ServerProcess, token: string, method: string, path: string, body?: unknown, want = [200, 201]): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!want.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface Tenant {
  officerKey: string;
  depositorKey: string;
  viewerKey: string;
}

/** A tenant (its founding officer's key) and a depositor and a viewer added by that officer. */
export async function makeTenant(server: ServerProcess, name = '示例新能源科技有限公司'): Promise<Tenant> {
  const t = await api<{ apiKey: string }>(server, ADMIN, 'POST', '/v1/admin/tenants', { name, uscc: completeUscc('91430100MA4L16JJ'), allowDuplicateUscc: true });
  const d = await api<{ apiKey: string }>(server, t.apiKey, 'POST', '/v1/users', { role: 'depositor', ref: 'E2001' });
  const v = await api<{ apiKey: string }>(server, t.apiKey, 'POST', '/v1/users', { role: 'viewer', ref: 'E3001' });
  return { officerKey: t.apiKey, depositorKey: d.apiKey, viewerKey: v.apiKey };
}

/** playwright's launch gives chromium a fresh, empty profile of its own (its --user-data-dir), deleted on close. */
export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CUNZHENG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page (and its workers) requested. */
  requests: string[];
  /** Console errors and CSP violations reported by the page. */
  problems: string[];
}

export async function openPage(browser: Browser, viewport = { width: 1280, height: 860 }): Promise<RecordedPage> {
  const context = await browser.newContext({ acceptDownloads: true, viewport, locale: 'zh-CN', timezoneId: 'Europe/Berlin' });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { context, page, requests, problems };
}

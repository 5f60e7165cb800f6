/**
 * /verify and /verify/download from a real `cunzheng serve` listening on loopback: the page with this log's
 * keys prefilled (and shown in Chromium as the server's own), the download without them and as an attachment,
 * both under a CSP with no connect-src; after the page has loaded it makes no request at all. Without the
 * built file the routes answer 503 VERIFIER_NOT_BUILT and the service still serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { verifyPageRoutes } from '../../src/http/routes/verify-page.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers.js';

const ADMIN = 'verify-route-admin-token-0123456789abcdef';
let dir: string;
let server: ServerProcess;
let browser: Browser;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-verify-route-'));
  server = new ServerProcess(join(dir, 'data'), await freePort(), ADMIN);
  [browser] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }), server.start()]);
  key = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('GET /verify and /verify/download', () => {
  it('serve the page with the log key prefilled, and the file without it as an attachment, both under the CSP', async () => {
    const page = await fetch(`${server.url}/verify`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('connect-src');
    const html = await page.text();
    expect(html).toContain(`<meta name="cunzheng-served-key" content="${key}">`);
    const download = await fetch(`${server.url}/verify/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="cunzheng-verifier.html"');
    expect(download.headers.get('content-security-policy')).toBe(csp);
    const file = await download.text();
    expect(file).toContain('<meta name="cunzheng-served-key" content="">');
    expect(file.replace('<meta name="cunzheng-served-key" content="">', '')).toBe(html.replace(`<meta name="cunzheng-served-key" content="${key}">`, ''));
  });

  it('shows the served key as the server\'s own in Chromium, and the page requests nothing after it loaded', async () => {
    const context = await browser.newContext();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${server.url}/verify`);
    await p.waitForSelector('#verify');
    expect(await p.textContent('.served code.key')).toBe(key);
    expect(await p.isChecked('#use-served-key')).toBe(true);
    expect(await p.textContent('.served')).toContain('被验证的服务器本身');
    await p.click('#verify');
    await p.waitForTimeout(200);
    expect(requests).toEqual([`${server.url}/verify`]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('answer 503 VERIFIER_NOT_BUILT when the page was not built', async () => {
    const app = Fastify();
    await verifyPageRoutes(app, { ledger: { verifierKey: key, sm2VerifierKey: undefined } as never }, null);
    for (const url of ['/verify', '/verify/download']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ statusCode: 503, code: 'VERIFIER_NOT_BUILT' });
    }
    await app.close();
  });
});

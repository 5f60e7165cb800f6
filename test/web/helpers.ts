/**
 * The browser verifier driven in real Chromium (Debian's /usr/bin/chromium through playwright-core): one
 * browser per test file, the built file (dist/web/verifier.html) opened from file://, every request that is
 * not file:, blob: or data: aborted and recorded, so a test can assert that nothing left the page.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const VERIFIER_HTML = fileURLToPath(new URL('../../dist/web/verifier.html', import.meta.url));
export const VERIFIER_URL = pathToFileURL(VERIFIER_HTML).href;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** The flags a root, headless, offline Chromium needs here (no sandbox, no background connections). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OfflineBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Every request the pages made that was not file:, blob: or data: (each was aborted). */
  leaked: string[];
  /** Uncaught errors on the pages. */
  errors: string[];
  close(): Promise<void>;
}

/** A headless Chromium with a fresh, empty profile (playwright makes one per launch) and the network blocked. */
export async function launchOffline(): Promise<OfflineBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  if (!existsSync(VERIFIER_HTML)) throw new Error(`${VERIFIER_HTML} is missing: run node web/build.mjs (npm run build)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ serviceWorkers: 'block', locale: 'zh-CN', timezoneId: 'UTC' });
  const leaked: string[] = [];
  const errors: string[] = [];
  await context.route('**', async (route) => {
    const url = route.request().url();
    if (/^(file|blob|data):/.test(url)) return route.continue();
    leaked.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => {
    if (!/^(file|blob|data):/.test(req.url()) && !leaked.includes(req.url())) leaked.push(req.url());
  });
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(e.message)));
  return { browser, context, leaked, errors, close: () => browser.close() };
}

export interface BrowserCase {
  receipts: string[];
  documents?: string[];
  keys?: string[];
  policy?: string;
  tsaPem?: string;
  requireDocuments?: boolean;
  lang?: 'zh' | 'en';
  /** Called once the documents are chosen, before Verify is pressed (to change them behind the page's back). */
  afterDocuments?: () => void;
}

export interface BrowserVerdict {
  receipt: string;
  verdict: string;
  code: string;
}

/** Loads the verifier afresh in `page`, gives it the inputs, presses Verify and reads each result's verdict. */
export async function verifyInBrowser(page: Page, c: BrowserCase, url = VERIFIER_URL): Promise<BrowserVerdict[]> {
  await page.goto('about:blank'); // a new document, even when only the fragment would change
  await page.goto(url);
  if (c.lang === 'en') await page.click('#lang');
  await page.setInputFiles('#receipts', c.receipts);
  await page.locator('#receipt-list li').nth(c.receipts.length - 1).waitFor();
  if (c.documents !== undefined && c.documents.length > 0) {
    await page.setInputFiles('#documents', c.documents);
  }
  c.afterDocuments?.();
  await page.fill('#keys', (c.keys ?? []).join('\n'));
  if (c.policy !== undefined || c.tsaPem !== undefined || c.requireDocuments === true) await page.click('#optional summary');
  if (c.policy !== undefined) await page.fill('#policy', c.policy);
  if (c.tsaPem !== undefined) await page.fill('#tsa', c.tsaPem);
  if (c.requireDocuments === true) await page.check('#require-documents');
  await page.click('#verify');
  await page.waitForSelector('#results[data-state="done"]', { state: 'attached', timeout: 60_000 });
  return page.$$eval('#results article.result', (els) =>
    els.map((e) => ({ receipt: e.getAttribute('data-receipt') ?? '', verdict: e.getAttribute('data-verdict') ?? '', code: e.getAttribute('data-code') ?? '' })),
  );
}

export interface CliVerdict {
  receipt: string;
  ok: boolean;
  code?: string;
}

/**
 * `cunzheng verify ARGS --json` (the built CLI): its per-receipt results. `unprivileged`: run as nobody when
 * the tests run as root (whom a file's permissions never stop), so that a file without read permission is one.
 */
export function cliVerify(args: string[], unprivileged = false): Promise<CliVerdict[]> {
  const as = unprivileged && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'verify', ...args, '--json'], { env: { PATH: process.env.PATH ?? '' }, maxBuffer: 64 << 20, ...as }, (err, stdout, stderr) => {
      if (err !== null && (err as { code?: number }).code !== 1) return reject(new Error(`cunzheng verify failed (${String((err as { code?: number }).code)}): ${stderr}`));
      try {
        resolve((JSON.parse(stdout) as { results: CliVerdict[] }).results);
      } catch (e) {
        reject(new Error(`cunzheng verify printed no JSON: ${stdout} ${stderr} ${(e as Error).message}`));
      }
    });
  });
}

/**
 * Hashing in real Chromium: the built verifier hashes documents with WebAssembly under its own CSP, and with
 * the portable JavaScript — same verdicts, same digests — where the policy refuses WebAssembly; and
 * `'wasm-unsafe-eval'` is the narrowest source that lets WebAssembly compile: without it compiling is refused,
 * with it eval() of text still is.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_VKEY, FIXTURES } from '../receipt/helpers.js';
import { launchOffline, VERIFIER_HTML, verifyInBrowser, type OfflineBrowser } from './helpers.js';

let off: OfflineBrowser;
let page: Page;
let dir: string;

beforeAll(async () => {
  off = await launchOffline();
  page = await off.context.newPage();
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-web-hash-'));
}, 60_000);

afterAll(async () => {
  await off?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** v1 verifies against its receipt; v2 given under v1's name does not (RECEIPT_DOCUMENT_MISMATCH). */
function documents(): { receipts: string[]; documents: string[] } {
  const at = mkdtempSync(join(dir, 'docs-'));
  copyFileSync(join(FIXTURES, 'receipts/battery-formula-v1.txt.receipt.json'), join(at, 'battery-formula-v1.txt.receipt.json'));
  copyFileSync(join(FIXTURES, 'documents/battery-formula-v1.txt'), join(at, 'battery-formula-v1.txt'));
  copyFileSync(join(FIXTURES, 'receipts/battery-formula-v1.txt.receipt.json'), join(at, 'other.txt.receipt.json'));
  copyFileSync(join(FIXTURES, 'documents/battery-formula-v2.txt'), join(at, 'other.txt'));
  return { receipts: [join(at, 'battery-formula-v1.txt.receipt.json'), join(at, 'other.txt.receipt.json')], documents: [join(at, 'battery-formula-v1.txt'), join(at, 'other.txt')] };
}

const WANT = [
  { receipt: 'battery-formula-v1.txt.receipt.json', verdict: 'verified', code: '' },
  { receipt: 'other.txt.receipt.json', verdict: 'failed', code: 'RECEIPT_DOCUMENT_MISMATCH' },
];

describe('hashing documents in Chromium', () => {
  it('uses WebAssembly in the built verifier, under its own policy', async () => {
    expect(await verifyInBrowser(page, { ...documents(), keys: [FIXTURE_VKEY] })).toEqual(WANT);
    expect(await page.getAttribute('#results', 'data-hash-engine')).toBe('wasm');
    expect(off.errors).toEqual([]);
  });

  it('falls back to the portable hashes, with the same verdicts, where the policy refuses WebAssembly', async () => {
    const html = readFileSync(VERIFIER_HTML, 'utf8');
    const stripped = html.replace(" 'wasm-unsafe-eval'", '');
    expect(stripped).not.toBe(html);
    const file = join(dir, 'verifier-no-wasm.html');
    writeFileSync(file, stripped);
    expect(await verifyInBrowser(page, { ...documents(), keys: [FIXTURE_VKEY] }, pathToFileURL(file).href)).toEqual(WANT);
    expect(await page.getAttribute('#results', 'data-hash-engine')).toBe('portable');
    expect(off.errors).toEqual([]);
  });

  it("needs 'wasm-unsafe-eval' to compile WebAssembly, which still refuses eval() of text", async () => {
    // The smallest module: magic and version.
    const probe = `(async () => {
      const out = [];
      try { await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); out.push('wasm:ok'); } catch (e) { out.push('wasm:' + e.name); }
      try { (0, eval)('1'); out.push('eval:ok'); } catch (e) { out.push('eval:' + e.name); }
      document.body.dataset.probe = out.join(' ');
    })();`;
    const hash = `'sha256-${createHash('sha256').update(probe).digest('base64')}'`;
    const run = async (scriptSrc: string): Promise<string | null> => {
      const file = join(dir, `probe-${createHash('sha256').update(scriptSrc).digest('hex').slice(0, 8)}.html`);
      writeFileSync(file, `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptSrc}"></head><body><script>${probe}</script></body></html>`);
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-probe]', { state: 'attached' });
      return page.getAttribute('body', 'data-probe');
    };
    expect(await run(hash)).toBe('wasm:CompileError eval:EvalError');
    expect(await run(`${hash} 'wasm-unsafe-eval'`)).toBe('wasm:ok eval:EvalError');
    // What 'unsafe-eval' would open besides.
    expect(await run(`${hash} 'unsafe-eval'`)).toBe('wasm:ok eval:ok');
    expect(off.leaked).toEqual([]);
  });
});

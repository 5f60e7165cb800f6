/**
 * The verifier's language switch keeps everything entered and shown: receipts and documents chosen, keys,
 * policy, TSA roots, the "require documents" box, and the results, drawn again in the other language — also
 * when the switch comes while documents are being hashed. Chromium from file://, the network blocked.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_VKEY, FIXTURES } from '../receipt/helpers.js';
import { launchOffline, VERIFIER_URL, type OfflineBrowser } from './helpers.js';

let off: OfflineBrowser;
let page: Page;
let dir: string;

beforeAll(async () => {
  off = await launchOffline();
  page = await off.context.newPage();
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-web-lang-'));
  copyFileSync(join(FIXTURES, 'receipts/battery-formula-v1.txt.receipt.json'), join(dir, 'battery-formula-v1.txt.receipt.json'));
  copyFileSync(join(FIXTURES, 'documents/battery-formula-v1.txt'), join(dir, 'battery-formula-v1.txt'));
  copyFileSync(join(FIXTURES, 'receipts/empty.bin.receipt.json'), join(dir, 'empty.bin.receipt.json'));
  // Large enough that hashing takes a while: the switch below comes while it runs.
  const big = new Uint8Array(96 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i >>> 12;
  writeFileSync(join(dir, 'big.bin'), big);
}, 60_000);

afterAll(async () => {
  await off?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const verdicts = (): Promise<string[][]> =>
  page.$$eval('#results article.result', (els) => els.map((e) => [e.getAttribute('data-receipt') ?? '', e.getAttribute('data-verdict') ?? '', e.getAttribute('data-code') ?? '']));

describe('the verifier\'s language switch', () => {
  it('keeps the inputs and draws the results again in the other language', async () => {
    await page.goto(VERIFIER_URL);
    await page.setInputFiles('#receipts', [join(dir, 'battery-formula-v1.txt.receipt.json'), join(dir, 'empty.bin.receipt.json')]);
    await page.locator('#receipt-list li').nth(1).waitFor();
    await page.setInputFiles('#documents', [join(dir, 'battery-formula-v1.txt')]);
    await page.fill('#keys', FIXTURE_VKEY);
    await page.click('#optional summary');
    await page.check('#require-documents');
    await page.fill('#tsa', '');
    await page.click('#verify');
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached' });
    const before = await verdicts();
    expect(before).toEqual([
      ['battery-formula-v1.txt.receipt.json', 'verified', ''],
      ['empty.bin.receipt.json', 'failed', 'DOCUMENT_NOT_COMPARED'],
    ]);
    expect(await page.textContent('article.result[data-verdict="verified"] h3')).toContain('已验证');
    await page.click('#lang');
    expect(await page.textContent('#lang')).toBe('中文');
    expect(await page.getAttribute('#results', 'data-state')).toBe('done');
    expect(await page.getAttribute('#results', 'data-hash-engine')).toBe('wasm');
    expect(await verdicts()).toEqual(before);
    expect(await page.textContent('article.result[data-verdict="verified"] h3')).toContain('VERIFIED');
    expect(await page.locator('#receipt-list li').allTextContents()).toEqual(['battery-formula-v1.txt.receipt.json', 'empty.bin.receipt.json']);
    expect(await page.textContent('#document-count')).toMatch(/^1 file, /);
    expect(await page.locator('#keys').inputValue()).toBe(FIXTURE_VKEY);
    expect(await page.isChecked('#require-documents')).toBe(true);
    // Verified again in English: the same inputs, the same verdicts.
    await page.click('#verify');
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached' });
    expect(await verdicts()).toEqual(before);
    expect(off.errors).toEqual([]);
  });

  it('finishes a run under way when the language switches, in the new language', async () => {
    await page.goto('about:blank');
    await page.goto(VERIFIER_URL);
    await page.setInputFiles('#receipts', [join(dir, 'empty.bin.receipt.json')]);
    await page.locator('#receipt-list li').first().waitFor();
    await page.setInputFiles('#documents', [join(dir, 'big.bin')]);
    await page.fill('#keys', FIXTURE_VKEY);
    await page.click('#verify');
    await page.click('#lang');
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached', timeout: 60_000 });
    expect(await verdicts()).toEqual([['empty.bin.receipt.json', 'failed', 'RECEIPT_DOCUMENT_MISMATCH']]);
    expect(await page.textContent('article.result h3')).toContain('NOT VERIFIED');
    expect(await page.isEnabled('#verify')).toBe(true);
    expect(await page.textContent('#status')).toBe('');
    expect(off.errors).toEqual([]);
    expect(off.leaked).toEqual([]);
  });
});

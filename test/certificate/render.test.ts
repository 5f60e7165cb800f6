/**
 * Page 1 of a certificate rendered (pdftoppm -png -r 80), Chinese and English, from a real anchored receipt:
 * it must render, and with CUNZHENG_RENDER_DOCS=1 the renders are written to docs/certificate-zh.png and
 * docs/certificate-en.png (the README shows them; look at them after changing the layout).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCertificate } from '../../src/certificate/index.js';
import { openFixture, poppler, type Fixture } from './helpers.js';

let f: Fixture;
let dir: string;
beforeAll(async () => {
  f = await openFixture();
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-cert-render-'));
}, 120_000);
afterAll(async () => {
  await f?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it('renders page 1 in both languages', async () => {
  for (const lang of ['zh', 'en'] as const) {
    const pdf = join(dir, `${lang}.pdf`);
    writeFileSync(pdf, (await makeCertificate(f.deposit, { lang })).pdf);
    poppler('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, lang)]);
    const png = PNG.sync.read(readFileSync(join(dir, `${lang}.png`)));
    expect([png.width, png.height]).toEqual([662, 936]);
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 128) ink++;
    expect(ink).toBeGreaterThan(10_000);
    if (process.env.CUNZHENG_RENDER_DOCS === '1') copyFileSync(join(dir, `${lang}.png`), `docs/certificate-${lang}.png`);
  }
});

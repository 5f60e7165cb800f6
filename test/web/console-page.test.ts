/**
 * GET /app (src/http/routes/app-page.ts): the built page with a policy made of its own inline code's hashes,
 * the page's <meta> policy added when the build wrote none, and 503 CONSOLE_NOT_BUILT — never a failed start —
 * when the page is not there.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { appPageRoutes, consolePagePath, consolePolicy, loadConsolePage } from '../../src/http/routes/app-page.js';

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

async function serve(page: ReturnType<typeof loadConsolePage>) {
  const app = Fastify();
  await app.register(async (s) => appPageRoutes(s, page));
  return app;
}

describe('GET /app', () => {
  it('answers 503 CONSOLE_NOT_BUILT when the page was not built, and the page loader does not throw', async () => {
    expect(loadConsolePage(join(tmpdir(), 'no-such-dir', 'console.html'))).toBeNull();
    const app = await serve(null);
    const res = await app.inject({ method: 'GET', url: '/app' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'CONSOLE_NOT_BUILT' });
    expect(res.json().message).toMatch(/build/);
  });

  it('serves the page with a header policy of its inline code\'s hashes, and adds the <meta> policy when missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-page-'));
    const script = 'document.title = "x";';
    const style = 'body{color:red}';
    writeFileSync(join(dir, 'console.html'), `<!doctype html><html><head><style>${style}</style></head><body><script>${script}</script></body></html>`);
    const page = loadConsolePage(join(dir, 'console.html'))!;
    const app = await serve(page);
    for (const url of ['/app', '/app/']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain(`script-src ${hash(script)} 'wasm-unsafe-eval';`);
      expect(csp).toContain(`style-src ${hash(style)};`);
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.body).toContain(`<meta http-equiv="Content-Security-Policy" content="${consolePolicy(res.body, true)}">`);
    }
  });

  it('keeps the meta policy the build wrote, and allows no script it does not hash', () => {
    const html = '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body><script src="https://elsewhere.example/x.js"></script></body></html>';
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-page-'));
    writeFileSync(join(dir, 'console.html'), html);
    const page = loadConsolePage(join(dir, 'console.html'))!;
    expect(page.html.toString('utf8')).toBe(html);
    expect(page.policy).toContain("script-src 'none'");
  });

  it('reads the built console from dist/web/console.html', () => {
    expect(consolePagePath()).toMatch(/[\\/]dist[\\/]web[\\/]console\.html$/);
  });
});

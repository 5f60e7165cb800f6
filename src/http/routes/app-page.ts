/**
 * GET /app — the tenant console (web/console/, built into dist/web/console.html: one HTML file, every script
 * and style inline). The page itself is public: it holds no tenant data and no key; it asks for a user's API
 * key and then speaks only the public API of this same origin, as curl would.
 *
 * The file is read once, when the application is built. Missing (the web build was not run), the service
 * still starts and /app answers 503 CONSOLE_NOT_BUILT.
 *
 * Content-Security-Policy, sent as a header (and as the page's own <meta http-equiv>, which the build writes
 * or, when it did not, this route adds): nothing but the page's own inline script and style (by their
 * SHA-256, computed here from the bytes served), requests to this origin only (`connect-src 'self'`), the
 * hashing worker from a blob: URL and its WebAssembly ('wasm-unsafe-eval', which allows no eval of text), no frames, no forms posting elsewhere, no base URL.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../schemas.js';
import { httpAnswer } from '../status-table.js';

/** dist/web/console.html, from this module in dist/src/http/routes/ (built) or in src/http/routes/ (tests on sources). */
export function consolePagePath(): string {
  const here = fileURLToPath(import.meta.url);
  const inDist = /[\\/]dist[\\/]src[\\/]http[\\/]routes[\\/][^\\/]+$/.test(here);
  return fileURLToPath(new URL(inDist ? '../../../web/console.html' : '../../../dist/web/console.html', import.meta.url));
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The hashes of every inline <script> and <style> element's text, as CSP sources. */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const of = (tag: string): string[] => {
    const out: string[] = [];
    const re = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi');
    for (const m of html.matchAll(re)) {
      if (/\ssrc\s*=/i.test(m[1] ?? '')) continue; // an external script is not allowed by any hash: it stays blocked
      const h = sha256(m[2] ?? '');
      if (!out.includes(h)) out.push(h);
    }
    return out;
  };
  return { scripts: of('script'), styles: of('style') };
}

/** The console's policy: its own inline code, this origin, a blob: worker, nothing else. */
export function consolePolicy(html: string, forMeta = false): string {
  const { scripts, styles } = inlineHashes(html);
  return [
    "default-src 'none'",
    // 'wasm-unsafe-eval': the hashing workers compile WebAssembly (SHA-256, SM3); it allows no eval() of text.
    `script-src ${scripts.length === 0 ? "'none'" : `${scripts.join(' ')} 'wasm-unsafe-eval'`}`,
    `style-src ${styles.length === 0 ? "'none'" : styles.join(' ')}`,
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
    // frame-ancestors is ignored (and warned about) in a <meta> policy: the header carries it.
    ...(forMeta ? [] : ["frame-ancestors 'none'"]),
  ].join('; ');
}

/** The page with its policy in a <meta http-equiv> (added after <head> when the build wrote none). */
export function withMetaPolicy(html: string): string {
  if (/<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy/i.test(html)) return html;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${consolePolicy(html, true)}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  return head === null ? `${meta}${html}` : `${html.slice(0, head.index + head[0].length)}${meta}${html.slice(head.index + head[0].length)}`;
}

export interface ConsolePage {
  html: Buffer;
  policy: string;
}

/** The built page and its policy, or null when the file is not there. */
export function loadConsolePage(path = consolePagePath()): ConsolePage | null {
  if (!existsSync(path)) return null;
  const html = withMetaPolicy(readFileSync(path, 'utf8'));
  return { html: Buffer.from(html, 'utf8'), policy: consolePolicy(html) };
}

/** The routes, with the page read now (`null`: not built, answered 503). */
export async function appPageRoutes(app: FastifyInstance, page: ConsolePage | null = loadConsolePage()): Promise<void> {
  const handler = async (_req: unknown, reply: import('fastify').FastifyReply): Promise<unknown> => {
    if (page === null) {
      const answer = httpAnswer('CONSOLE_NOT_BUILT', 'the console page is not built (dist/web/console.html): run the web build (npm install runs it), then restart the service');
      return reply.status(answer.statusCode).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(answer);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', page.policy)
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .send(page.html);
  };
  // A page, not an API route: kept out of the OpenAPI document (whose paths are the API's).
  const schema = { hide: true, summary: 'The tenant console (HTML)', response: { 503: ErrorBody } };
  app.get('/app', { schema }, handler);
  app.get('/app/', { schema }, handler);
}

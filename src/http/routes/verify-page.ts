/**
 * GET /verify — the browser verifier (web/verifier/, built into dist/web/verifier.html: one HTML file, every
 * script and style inline, no request to anywhere); GET /verify/download — the same file as an attachment,
 * to keep with the evidence and open from disk with the network off. Both public, no authentication.
 *
 * /verify prefills this log's verifier keys (Ed25519, and SM2 with --sm2) in a <meta name="cunzheng-served-key">
 * that the page shows as coming from the server being checked — which proves only that the server agrees
 * with itself (README: the trusted key comes from somewhere else). The downloaded file carries no key.
 *
 * The file is read once, when the application is built. Missing (the web build was not run), the service
 * still starts and both routes answer 503 VERIFIER_NOT_BUILT. The Content-Security-Policy header is the
 * page's own <meta http-equiv> policy (written by web/build.mjs with the hashes of its inline script and
 * style; no connect-src: the page can reach nothing) plus frame-ancestors 'none', which a <meta> cannot carry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServiceContext } from '../context.js';
import { ErrorBody } from '../schemas.js';
import { httpAnswer } from '../status-table.js';

/** dist/web/verifier.html, from this module in dist/src/http/routes/ (built) or in src/http/routes/ (tests on sources). */
export function verifierPagePath(): string {
  const here = fileURLToPath(import.meta.url);
  const inDist = /[\\/]dist[\\/]src[\\/]http[\\/]routes[\\/][^\\/]+$/.test(here);
  return fileURLToPath(new URL(inDist ? '../../../web/verifier.html' : '../../../dist/web/verifier.html', import.meta.url));
}

export interface VerifierPage {
  html: string;
  policy: string;
}

const SERVED_KEY = '<meta name="cunzheng-served-key" content="">';
const META_CSP = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/;

/** The built page and the policy to send with it, or undefined when the file is not there (or has no policy). */
export function loadVerifierPage(path = verifierPagePath()): VerifierPage | undefined {
  if (!existsSync(path)) return undefined;
  const html = readFileSync(path, 'utf8');
  const csp = META_CSP.exec(html)?.[1];
  if (csp === undefined || !html.includes(SERVED_KEY)) return undefined;
  return { html, policy: `${csp}; frame-ancestors 'none'` };
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `page`: the built page (read from dist/web/verifier.html when not given), or null for none (503). */
export async function verifyPageRoutes(app: FastifyInstance, ctx: Pick<ServiceContext, 'ledger'>, given?: VerifierPage | null): Promise<void> {
  const page = given === undefined ? loadVerifierPage() : given ?? undefined;
  const keys = [ctx.ledger.verifierKey, ...(ctx.ledger.sm2VerifierKey === undefined ? [] : [ctx.ledger.sm2VerifierKey])];
  const served = page === undefined ? undefined : Buffer.from(page.html.replace(SERVED_KEY, `<meta name="cunzheng-served-key" content="${escapeAttr(keys.join(' '))}">`), 'utf8');
  const pristine = page === undefined ? undefined : Buffer.from(page.html, 'utf8');

  const send = (reply: FastifyReply, body: Buffer | undefined, download: boolean): FastifyReply => {
    if (body === undefined || page === undefined) {
      const answer = httpAnswer('VERIFIER_NOT_BUILT', 'the verifier page is not built (dist/web/verifier.html): run the web build (npm install runs it), then restart the service');
      return reply.status(answer.statusCode).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(answer);
    }
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', page.policy)
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer');
    if (download) reply.header('content-disposition', 'attachment; filename="cunzheng-verifier.html"');
    return reply.send(body);
  };
  // Pages, not API: left out of the OpenAPI document (README.md and src/http/README.md list them).
  const schema = { tags: ['public'], hide: true, response: { 503: ErrorBody } };
  app.get('/verify', { schema: { ...schema, summary: "The receipt verifier (HTML, offline in the browser); this log's key prefilled, marked as the server's own" } }, async (_req, reply) => send(reply, served, false));
  app.get('/verify/', { schema }, async (_req, reply) => send(reply, served, false));
  app.get('/verify/download', { schema: { ...schema, summary: 'The receipt verifier as one self-contained HTML file, to open from disk with the network off' } }, async (_req, reply) => send(reply, pristine, true));
}

/**
 * The network half of revocation: right after a token is obtained and verified, fetch the evidence for its chain
 * (signer and intermediates; the root is trusted as configured) and verify it as of the token's genTime:
 *
 *   OCSP  POST <url>  Content-Type: application/ocsp-request  body: OCSPRequest (DER)   → application/ocsp-response
 *   CRL   GET  <url>                                                                   → DER CertificateList
 *
 * URLs: the configured ones for the TSA's own certificate (serve --tsa-ocsp / --tsa-crl), then each
 * certificate's AIA (OCSP) and CDP (CRL). OCSP is tried first, a CRL only when no OCSP answer holds. Every reply
 * is bounded (MAX_OCSP_BYTES, MAX_CRL_BYTES, `timeoutMs` for the whole exchange) and verified before it is kept.
 * A revoked certificate is final (TSA_CERT_REVOKED is thrown); anything else that keeps a certificate without
 * evidence is reported in `failures`, so the caller can keep the token and try again later.
 */
import { errorText, isOurs } from './asn1.js';
import { tsaError } from './errors.js';
import { MAX_CRL_BYTES } from './revocation-crl.js';
import { MAX_OCSP_BYTES } from './revocation-ocsp.js';
import { buildOcspRequest, revocationUrls } from './revocation-request.js';
import { certificateHash, type RevocationEvidence, type RevocationReport, verifyRevocation } from './revocation.js';

export type RevocationFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Uint8Array; signal: AbortSignal },
) => Promise<Response>;

export interface FetchRevocationOptions {
  /** OCSP responder for the TSA's certificate, before its AIA. */
  ocspUrl?: string;
  /** CRL of the TSA certificate's issuer, before its CDP. */
  crlUrl?: string;
  /** Deadline for each exchange (default 10 s). */
  timeoutMs?: number;
  fetch?: RevocationFetch;
}

export interface RevocationFailure {
  /** SHA-256 hex of the certificate left without evidence. */
  cert: string;
  /** `no-url`: neither configured nor named by the certificate; else the last error (code: message). */
  error: string;
  noUrl: boolean;
}

export interface FetchedRevocation {
  evidence: RevocationEvidence[];
  report: RevocationReport;
  failures: RevocationFailure[];
}

/** Fetches and verifies evidence for `chain` (TimestampVerification.chain) as of `genTime`. */
export async function fetchRevocation(chain: readonly Uint8Array[], genTime: Date, options: FetchRevocationOptions = {}): Promise<FetchedRevocation> {
  const evidence: RevocationEvidence[] = [];
  const failures: RevocationFailure[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = certificateHash(chain[i]!);
    const named = revocationUrls(chain[i]!);
    const ocsp = [...(i === 0 && options.ocspUrl !== undefined ? [options.ocspUrl] : []), ...named.ocsp];
    const crl = [...(i === 0 && options.crlUrl !== undefined ? [options.crlUrl] : []), ...named.crl];
    if (ocsp.length === 0 && crl.length === 0) {
      failures.push({ cert, error: 'no-url', noUrl: true });
      continue;
    }
    let last = '';
    let found: RevocationEvidence | undefined;
    const attempts: [string, 'ocsp' | 'crl'][] = [...ocsp.map((u) => [u, 'ocsp'] as [string, 'ocsp']), ...crl.map((u) => [u, 'crl'] as [string, 'crl'])];
    for (const [url, kind] of attempts) {
      try {
        const bytes = kind === 'ocsp' ? await postOcsp(url, await buildOcspRequest(chain[i]!, chain[i + 1]!), options) : await getCrl(url, options);
        const candidate: RevocationEvidence = { cert, [kind]: bytes };
        await verifyRevocation(chain, genTime, { revocation: [candidate] });
        found = candidate;
        break;
      } catch (err) {
        if (isOurs(err) && err.code === 'TSA_CERT_REVOKED') throw err;
        last = isOurs(err) ? `${err.code}: ${err.message}` : errorText(err);
      }
    }
    if (found === undefined) failures.push({ cert, error: last.slice(0, 500), noUrl: false });
    else evidence.push(found);
  }
  const report = await verifyRevocation(chain, genTime, { revocation: evidence });
  return { evidence, report, failures };
}

async function postOcsp(url: string, request: Uint8Array, options: FetchRevocationOptions): Promise<Uint8Array> {
  return exchange(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' }, body: request }, MAX_OCSP_BYTES, 'application/ocsp-response', options);
}

async function getCrl(url: string, options: FetchRevocationOptions): Promise<Uint8Array> {
  return exchange(url, { method: 'GET', headers: { accept: 'application/pkix-crl' } }, MAX_CRL_BYTES, undefined, options);
}

async function exchange(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Uint8Array },
  max: number,
  contentType: string | undefined,
  options: FetchRevocationOptions,
): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw tsaError('TSA_BAD_URL', 'revocation URL must be http or https');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const fetchFn: RevocationFetch = options.fetch ?? ((u, i) => fetch(u, i));
  try {
    const response = await fetchFn(url, { ...init, signal: controller.signal });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw tsaError('TSA_HTTP_ERROR', `${url} answered HTTP ${response.status}`, { url, status: response.status });
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== undefined && type !== contentType) {
      await response.body?.cancel().catch(() => undefined);
      throw tsaError('TSA_BAD_REPLY', `${url} answered with content type "${type}", not ${contentType}`, { url });
    }
    if (Number(response.headers.get('content-length') ?? '0') > max || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw tsaError('TSA_BAD_REPLY', `${url}: no body, or one larger than ${max} bytes`, { url });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const part = await reader.read();
      if (part.done) break;
      total += part.value.length;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        throw tsaError('TSA_BAD_REPLY', `${url} sent more than ${max} bytes`, { url });
      }
      chunks.push(part.value);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    return out;
  } catch (err) {
    if (isOurs(err)) throw err;
    if (controller.signal.aborted) throw tsaError('TSA_TIMEOUT', `${url} did not answer within ${timeoutMs} ms`, { url, timeoutMs });
    throw tsaError('TSA_UNREACHABLE', `cannot reach ${url}: ${errorText((err as { cause?: unknown }).cause ?? err)}`, { url });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The network half of the anchor: asks an RFC 3161 TSA over HTTP (RFC 3161 §3.4) to stamp a digest.
 *
 *   POST <url>  Content-Type: application/timestamp-query   body: TimeStampReq (DER)
 *   200         Content-Type: application/timestamp-reply   body: TimeStampResp (DER)
 *
 * The reply is untrusted until verified: it must parse, be granted, and carry a token that stamps our imprint and
 * echoes our nonce, signed by a time-stamping certificate (and chaining to `roots` when given). The whole exchange,
 * body included, is bounded by `timeoutMs` and MAX_RESPONSE_BYTES.
 */
import { toBase64, utf8 } from '../crypto/index.js';
import { errorText, isOurs } from './asn1.js';
import { tsaError } from './errors.js';
import { buildTimestampRequest } from './timestamp-request.js';
import { MAX_RESPONSE_BYTES, parseTimeStampResponse } from './timestamp-response.js';
import { checkTimestampToken, type TimestampVerification, verifyTimestampToken } from './verify-token.js';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array; signal: AbortSignal },
) => Promise<Response>;

export interface RequestTimestampOptions {
  /** Deadline for the whole exchange, reply body included (default 10 s). */
  timeoutMs?: number;
  /** For tests or proxies; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Trusted roots (DER); when given, the token's chain is verified too. */
  roots?: readonly Uint8Array[];
}

export interface TimestampResult {
  /** DER of the TimeStampToken, exactly as received: what receipts carry. */
  token: Uint8Array;
  genTime: Date;
  /** What verification established (tsa, serial, policy, accuracy…). `chain` is empty when no roots were given. */
  verification: TimestampVerification;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Requests a timestamp on `imprint` (SHA-256, 32 bytes) from the TSA at `url`. */
export async function requestTimestamp(url: string, imprint: Uint8Array, options: RequestTimestampOptions = {}): Promise<TimestampResult> {
  const { target, authorization } = checkUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw tsaError('TSA_BAD_ARGUMENT', 'timeoutMs: expected a positive integer');
  const request = buildTimestampRequest(imprint);
  const fetchFn: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let reply: Uint8Array;
  try {
    reply = await exchange(fetchFn, target, authorization, request.der, controller.signal);
  } catch (err) {
    if (timedOut) throw tsaError('TSA_TIMEOUT', `the TSA at ${target} did not answer within ${timeoutMs} ms`, { url: target, timeoutMs }, err);
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let token: Uint8Array;
  try {
    token = parseTimeStampResponse(reply);
  } catch (err) {
    if (isOurs(err) && err.code === 'TSA_REJECTED') throw err;
    throw tsaError('TSA_BAD_REPLY', `the TSA at ${target} sent an unreadable TimeStampResp`, { url: target }, err);
  }
  const expected = { imprint: request.imprint, nonce: request.nonce };
  const verification =
    options.roots === undefined
      ? await checkTimestampToken(token, expected)
      : await verifyTimestampToken(token, { ...expected, roots: options.roots });
  return { token, genTime: verification.genTime, verification };
}

async function exchange(
  fetchFn: FetchLike,
  url: string,
  authorization: string | undefined,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const headers: Record<string, string> = {
    'content-type': 'application/timestamp-query',
    accept: 'application/timestamp-reply',
  };
  if (authorization !== undefined) headers.authorization = authorization;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers,
      body,
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw tsaError('TSA_UNREACHABLE', `cannot reach the TSA at ${url}: ${causeText(err)}`, { url }, err);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw tsaError('TSA_HTTP_ERROR', `the TSA at ${url} answered HTTP ${response.status}`, {
      url,
      status: response.status,
      retryAfter: response.headers.get('retry-after') ?? undefined,
    });
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/timestamp-reply') {
    await response.body?.cancel().catch(() => undefined);
    throw tsaError('TSA_BAD_REPLY', `the TSA at ${url} answered with content type "${type}", not application/timestamp-reply`, {
      url,
      got: type,
    });
  }
  return readBounded(response, url);
}

async function readBounded(response: Response, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tsaError('TSA_BAD_REPLY', `the TSA at ${url} announced a ${declared}-byte reply`, { url, got: declared });
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let part: Awaited<ReturnType<typeof reader.read>>;
    try {
      part = await reader.read();
    } catch (err) {
      if (isOurs(err)) throw err;
      throw tsaError('TSA_UNREACHABLE', `the connection to the TSA at ${url} broke: ${causeText(err)}`, { url }, err);
    }
    if (part.done) break;
    total += part.value.length;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tsaError('TSA_BAD_REPLY', `the TSA at ${url} sent more than ${MAX_RESPONSE_BYTES} bytes`, { url });
    }
    chunks.push(part.value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Credentials in the URL (https://user:pass@tsa…) become a Basic Authorization header and leave the URL. */
function checkUrl(url: string): { target: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw tsaError('TSA_BAD_URL', `TSA URL ${JSON.stringify(String(url).slice(0, 200))} is not a URL`, undefined, err);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw tsaError('TSA_BAD_URL', `TSA URL must be http or https, got ${parsed.protocol}`);
  }
  if (parsed.username === '' && parsed.password === '') return { target: parsed.toString() };
  let credentials: string;
  try {
    credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  } catch (err) {
    throw tsaError('TSA_BAD_URL', 'TSA URL has badly escaped credentials', undefined, err);
  }
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.toString(), authorization: `Basic ${toBase64(utf8(credentials))}` };
}

/** fetch's TypeError hides the reason (ECONNREFUSED…) in `cause`. */
function causeText(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : errorText(cause ?? err);
}

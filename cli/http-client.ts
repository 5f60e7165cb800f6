/**
 * A small HTTP client for the command line: timeouts, size caps, and errors that say what failed.
 *
 * The server is not trusted: a body is read as a stream and the request aborted as soon as it passes the
 * cap (a reply of 300 MB never sits in memory whole, let alone three times over), and only http: and https:
 * URLs are fetched (`--url 127.0.0.1:8080`, without a scheme, is a usage error, not a stack trace).
 * Every failure to get an answer is a NetworkError: one line on stderr, exit 2, in every command.
 */
import { EXIT_USAGE, UsageError } from './exit-codes.js';

/** The server could not be reached or did not answer as HTTP should. Exit 2, like every usage error. */
export class NetworkError extends UsageError {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** The largest body any answer of the API may have (a receipt batch of 10,000 is about 30 MiB). */
export const MAX_BODY = 64 * 1024 * 1024;

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  /** A smaller cap for this request (default MAX_BODY). */
  maxBytes?: number;
}

/**
 * The base URL of a service given by the user (`--url`, CUNZHENG_URL, a config file), with a final "/" so
 * that relative routes resolve under it. Anything but an absolute http: or https: URL is a usage error.
 */
export function serviceUrl(value: string, what = '--url'): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.host === '') {
    throw new UsageError(`${what} ${JSON.stringify(value.slice(0, 200))}: expected an http:// or https:// URL (for example http://127.0.0.1:8080)`);
  }
  if (u.username !== '' || u.password !== '') throw new UsageError(`${what}: a URL with a user name or password is refused (they would be sent in clear)`);
  const s = u.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

function checkScheme(url: string | URL): URL {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new UsageError(`${JSON.stringify(String(url).slice(0, 200))}: expected an http:// or https:// URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${u.protocol} URLs are not fetched: expected http:// or https://`);
  return u;
}

function why(e: unknown): string {
  const cause = (e as Error).cause as Error | undefined;
  return cause?.message ?? (e as Error).message ?? String(e);
}

/** Reads `res`'s body up to `max` bytes; past it the request is aborted and a NetworkError thrown. */
async function readCapped(res: Response, url: string, max: number, abort: AbortController): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    abort.abort();
    throw new NetworkError(`${url}: the answer is ${declared} bytes, more than the ${max} allowed: refused`);
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        abort.abort();
        throw new NetworkError(`${url}: the answer is larger than the ${max} bytes allowed: refused`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new NetworkError(`${url}: the answer was cut off: ${why(e)}`);
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export async function request(url: string | URL, opts: RequestOptions = {}): Promise<{ status: number; body: Uint8Array; contentType: string }> {
  const u = checkScheme(url);
  const shown = u.toString();
  const abort = new AbortController();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timer = setTimeout(() => abort.abort(new Error(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(u, {
        method: opts.method ?? 'GET',
        ...(opts.headers ? { headers: opts.headers } : {}),
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        signal: abort.signal,
      });
    } catch (e) {
      throw new NetworkError(`cannot reach ${shown}: ${abort.signal.aborted ? why({ cause: abort.signal.reason }) : why(e)}`);
    }
    const body = await readCapped(res, shown, opts.maxBytes ?? MAX_BODY, abort);
    return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
  } finally {
    clearTimeout(timer);
  }
}

/** The text without control characters (a terminal would act on them), each replaced by `?`. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** GET/POST expecting 2xx JSON; a 4xx/5xx becomes an HttpStatusError with the API's code. */
export async function requestJson<T>(url: string | URL, opts: RequestOptions = {}): Promise<{ status: number; json: T }> {
  const r = await request(url, opts);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(r.body));
  } catch {
    throw new NetworkError(`${String(url)}: answered ${r.status} with a body that is not JSON`);
  }
  if (r.status >= 400) {
    const e = (typeof json === 'object' && json !== null ? json : {}) as { code?: unknown; message?: unknown };
    // The server's words go to a terminal: no control characters (escape sequences), and not without end.
    const code = typeof e.code === 'string' ? printable(e.code.slice(0, 64)) : 'HTTP_ERROR';
    const message = typeof e.message === 'string' ? printable(e.message.slice(0, 500)) : '';
    throw new HttpStatusError(r.status, code, `${String(url)}: ${r.status} ${code}: ${message}`);
  }
  return { status: r.status, json: json as T };
}

export async function getText(url: string | URL, opts: RequestOptions = {}): Promise<string> {
  const r = await request(url, opts);
  if (r.status !== 200) throw new HttpStatusError(r.status, 'HTTP_ERROR', `${String(url)}: answered ${r.status}`);
  return new TextDecoder().decode(r.body);
}

/** A small HTTP client for the command line: timeouts, size caps, and errors that say what failed. */
import { EXIT_INTERNAL } from './exit-codes.js';

export class NetworkError extends Error {
  readonly exitCode = EXIT_INTERNAL;
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

const MAX_BODY = 64 * 1024 * 1024;

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
}

export async function request(url: string | URL, opts: RequestOptions = {}): Promise<{ status: number; body: Uint8Array; contentType: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (e) {
    const cause = (e as Error).cause as Error | undefined;
    throw new NetworkError(`cannot reach ${String(url)}: ${cause?.message ?? (e as Error).message}`);
  }
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_BODY) throw new NetworkError(`${String(url)}: response larger than ${MAX_BODY} bytes`);
  return { status: res.status, body: buf, contentType: res.headers.get('content-type') ?? '' };
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
    const e = json as { code?: string; message?: string };
    throw new HttpStatusError(r.status, e.code ?? 'HTTP_ERROR', `${String(url)}: ${r.status} ${e.code ?? ''}: ${e.message ?? ''}`);
  }
  return { status: r.status, json: json as T };
}

export async function getText(url: string | URL): Promise<string> {
  const r = await request(url);
  if (r.status !== 200) throw new HttpStatusError(r.status, 'HTTP_ERROR', `${String(url)}: answered ${r.status}`);
  return new TextDecoder().decode(r.body);
}

/**
 * The public HTTP API of this origin, with the signed-in user's key — nothing else: every call here is a
 * `curl -H "Authorization: Bearer $KEY" $URL/v1/…` (README.md lists them). The key lives in sessionStorage
 * only (gone when the tab closes; never localStorage, never a cookie), and leaves the page only in the
 * Authorization header of requests to this origin.
 */

const KEY_ITEM = 'cunzheng.console.apiKey';

/** An answer of the API that is not a success: its stable code and message (`{statusCode, code, message}`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function savedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT';
  json?: unknown;
  accept?: string;
  /** The key to use instead of the saved one (signing in). */
  key?: string;
}

/** Calls `path` (absolute on this origin: "/v1/…"); a non-2xx answer is thrown as an ApiError. */
export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  if (!path.startsWith('/v1/')) throw new Error(`not an API path: ${path}`);
  const key = opts.key ?? savedKey() ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: opts.accept ?? 'application/json' };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.json === undefined ? 'GET' : 'POST'),
      headers,
      ...(opts.json === undefined ? {} : { body: JSON.stringify(opts.json) }),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(0, 'CONSOLE_UNREACHABLE', `the service did not answer: ${(e as Error).message}`);
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not the API's error shape: the status stands for the code
  }
  throw new ApiError(res.status, code, message);
}

export async function callJson<T>(path: string, opts: CallOptions = {}): Promise<T> {
  return (await (await call(path, opts)).json()) as T;
}

export interface Me {
  id: string;
  tenant: string;
  role: 'officer' | 'depositor' | 'viewer';
  ref?: string;
  created: string;
}

/**
 * Requests no well-behaved client sends, written byte for byte on a socket: paths with a literal `..`
 * (clients resolve those before sending), broken HTTP framing, oversized headers, bad percent-encoding
 * and overlong parameters. Every one gets a 4xx in the API's error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type AddressInfo } from 'node:net';
import { USCC_A, createTenant, digestOf, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
let port: number;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, 'Socket Co.', USCC_A);
  const items = Array.from({ length: 300 }, (_, i) => ({ sha256: digestOf(`socket ${i}`) }));
  expect((await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { items } })).statusCode).toBe(201);
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  port = (s.app.server.address() as AddressInfo).port;
});
afterAll(async () => s?.close());

/** Writes `raw` on a fresh connection and returns everything the server sent until it closed or 2 s passed. */
function exchange(raw: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (m === null) return reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(m[1]), headers: head ?? '', body: rest.join('\r\n\r\n') });
    };
    const timer = setTimeout(finish, 2000);
    sock.on('data', (c) => {
      chunks.push(c);
      // One response is enough: stop once its Content-Length worth of body has arrived.
      const text = Buffer.concat(chunks).toString('latin1');
      const cl = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
      const end = text.indexOf('\r\n\r\n');
      if (cl !== null && end >= 0 && Buffer.concat(chunks).length >= end + 4 + Number(cl[1])) finish();
    });
    sock.on('end', finish);
    sock.on('error', () => finish());
    sock.write(raw);
  });
}

function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;
}

function expectCoded(r: { status: number; body: string }, status: number, code?: string): void {
  expect(r.status, r.body).toBe(status);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  expect(body).toEqual({ statusCode: status, code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/), message: expect.any(String) });
  if (code !== undefined) expect(body.code).toBe(code);
}

describe('when a request line carries what clients never send', () => {
  it('serves the canonical tile path (the control)', async () => {
    const r = await exchange(get('/tile/0/000'));
    expect(r.status).toBe(200);
    expect(r.headers).toMatch(/cache-control: public, max-age=31536000, immutable/i);
  });

  it('rejects tile paths with a literal `..` with 400 BAD_TILE_PATH', async () => {
    for (const path of ['/tile/../tile/0/000', '/tile/0/../0/000', '/tile/0/000/..', '/tile/./0/000']) {
      expectCoded(await exchange(get(path)), 400, 'BAD_TILE_PATH');
    }
  });

  it('answers 400 BAD_URL for a broken percent-encoding in a path parameter', async () => {
    expectCoded(await exchange(get('/v1/checkpoints/%zz')), 400, 'BAD_URL');
    expectCoded(await exchange(get('/v1/deposits/%E0%A4%A', `Authorization: Bearer ${a.apiKey}\r\n`)), 400);
  });

  it('answers 414 URL_TOO_LONG for an overlong path parameter', async () => {
    expectCoded(await exchange(get(`/v1/deposits/${'a'.repeat(300)}`, `Authorization: Bearer ${a.apiKey}\r\n`)), 414, 'URL_TOO_LONG');
  });
});

describe('when the HTTP framing itself is broken', () => {
  it('answers 400 BAD_HTTP_REQUEST in the API\'s error shape', async () => {
    for (const raw of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `POST /v1/deposits HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`, 'GET /\u0000 HTTP/1.1\r\n\r\n', `POST /v1/deposits HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`]) {
      expectCoded(await exchange(raw), 400, 'BAD_HTTP_REQUEST');
    }
  });

  it('answers 431 HEADERS_TOO_LARGE for headers beyond the limit', async () => {
    expectCoded(await exchange(get('/healthz', `X-Padding: ${'x'.repeat(40_000)}\r\n`)), 431, 'HEADERS_TOO_LARGE');
  });

  it('is still healthy afterwards', async () => {
    const r = await exchange(get('/healthz'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok', treeSize: 300 });
  });
});

describe('when the service closes with a request in flight', () => {
  it('finishes that request, then answers the next one on the connection 503 SERVICE_CLOSING with Retry-After', async () => {
    const sock = connect({ host: '127.0.0.1', port });
    let received = '';
    sock.setEncoding('latin1').on('data', (c: string) => (received += c));
    const ended = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    sock.write(`POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.apiKey}\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nhello`);
    await new Promise((r) => setTimeout(r, 100));
    const closed = s.app.close();
    sock.write(`world${get('/healthz').replace('Connection: close\r\n', '')}`);
    await closed;
    await ended;
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 201 /);
    const [head, body] = responses[1]!.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(body!)).toEqual({ statusCode: 503, code: 'SERVICE_CLOSING', message: expect.any(String) });
  });
});

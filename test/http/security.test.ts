/** Security headers on every answer, and CORS closed by default: browsers on other origins get nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, openTestService, type TestService } from './helpers.js';

let s: TestService;
beforeAll(async () => {
  s = await openTestService();
});
afterAll(async () => {
  await s.close();
});

describe('security headers', () => {
  it.each(['/checkpoint', '/v1/log', '/healthz', '/v1/deposits', '/nope'])('are set on %s', async (url) => {
    const r = await s.app.inject({ method: 'GET', url });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });
});

describe('CORS', () => {
  it('allows no other origin: no Access-Control-Allow-Origin on requests or preflights', async () => {
    const get = await s.app.inject({ method: 'GET', url: '/v1/log', headers: { origin: 'https://evil.example' } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await s.app.inject({
      method: 'OPTIONS', url: '/v1/deposits',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(pre.statusCode).toBe(404);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-headers']).toBeUndefined();
  });
});

describe('POST /v1/admin/anchor on a log without a TSA', () => {
  it('answers 409 ANCHOR_NO_TSA, not a 5xx', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/v1/admin/anchor', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ statusCode: 409, code: 'ANCHOR_NO_TSA' });
  });
});

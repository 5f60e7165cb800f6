/**
 * Failed authentication is limited per client IP: after the configured number of 401s within the window,
 * that address is answered 429 AUTH_RATE_LIMITED with Retry-After, on tenant and admin routes alike and
 * whatever key it presents, while other addresses are served as before; the block ends with the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../src/http/auth-limiter.js';
import { ADMIN_TOKEN, USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

const LIMIT = 5;
const WINDOW_MS = 1_500;
let s: TestService;
let a: TestTenant;
beforeAll(async () => {
  s = await openTestService({ authFailuresPerWindow: LIMIT, authFailureWindowMs: WINDOW_MS });
  a = await createTenant(s.app, 'Auth Limit Co.', USCC_A);
});
afterAll(async () => {
  await s.close();
});

const deposit = (ip: string, authorization: string, label: string) =>
  s.app.inject({ method: 'POST', url: '/v1/deposits', remoteAddress: ip, headers: { authorization }, payload: { sha256: digestOf(label) } });

describe('when one address keeps presenting wrong keys', () => {
  it(`answers 401 ${LIMIT} times, then 429 AUTH_RATE_LIMITED with Retry-After, even for a valid key`, async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < LIMIT; i++) expectErrorBody(await deposit(ip, `Bearer czk_guess${i}`, `g${i}`), 401, 'UNAUTHORIZED');
    const limited = await deposit(ip, 'Bearer czk_guess-more', 'g-more');
    const body = expectErrorBody(limited, 429, 'AUTH_RATE_LIMITED');
    expect(body.message).toMatch(/retry in \d+ s/);
    const retry = Number(limited.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expectErrorBody(await deposit(ip, a.auth.authorization, 'valid but blocked'), 429, 'AUTH_RATE_LIMITED');
    // the admin route too
    const admin = await s.app.inject({ method: 'POST', url: '/v1/admin/anchor', remoteAddress: ip, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expectErrorBody(admin, 429, 'AUTH_RATE_LIMITED');
    // another address is served
    expect((await deposit('203.0.113.8', a.auth.authorization, 'other address')).statusCode).toBe(201);
    // the block ends with the window
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    expect((await deposit(ip, a.auth.authorization, 'after the window')).statusCode).toBe(201);
  });

  it('counts failures on the admin route as well', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < LIMIT; i++) {
      const r = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', remoteAddress: ip, headers: { authorization: `Bearer wrong-admin-token-${i}` }, payload: { name: 'X', uscc: USCC_A } });
      expectErrorBody(r, 401, 'UNAUTHORIZED');
    }
    expectErrorBody(await deposit(ip, a.auth.authorization, 'admin guesser'), 429, 'AUTH_RATE_LIMITED');
  });
});

describe('the failed-authentication limiter itself', () => {
  it('remembers at most maxTracked addresses, forgetting the oldest first', () => {
    let now = 0;
    const l = new FailedAuthLimiter({ authFailuresPerWindow: 1, authFailureWindowMs: 1000 }, 3, () => now);
    for (const ip of ['a', 'b', 'c', 'd', 'e']) l.failed(ip);
    expect(l.tracked).toBe(3);
    expect(l.blockedFor('a')).toBe(0); // forgotten
    expect(l.blockedFor('e')).toBe(1);
    now = 1000;
    expect(l.blockedFor('e')).toBe(0); // its window ended
  });

  it('refuses limits that are not positive whole numbers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new FailedAuthLimiter({ authFailuresPerWindow: bad })).toThrow(/authFailuresPerWindow must be a positive whole number/);
      expect(() => new FailedAuthLimiter({ authFailureWindowMs: bad })).toThrow(/authFailureWindowMs/);
    }
  });
});

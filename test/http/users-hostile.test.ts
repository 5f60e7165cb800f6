/**
 * The users and levels routes against generated input: bodies of any shape, ids of any text, never a 5xx,
 * always the error shape, and nothing created by a refused request. Then durability: a revocation and a
 * rotation acknowledged by a real `cunzheng serve` survive a kill -9 the moment the answer arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USCC_A, createTenant, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { completeUscc } from '../../src/entry/index.js';

const RUNS = process.env.CUNZHENG_RELIABILITY === 'full' ? 1000 : 150;
let s: TestService;
let a: TestTenant;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '生成输入测试有限公司', USCC_A);
});
afterAll(async () => {
  await s?.close();
});

/** The rule, written plainly (the generated strings are printable ASCII, binary ones come through `value`). */
function naiveValidLevels(l: unknown): boolean {
  if (!Array.isArray(l) || l.length < 1 || l.length > 10 || new Set(l).size !== l.length) return false;
  return l.every((x) => typeof x === 'string' && x.length >= 1 && x.length <= 32 && x.trim() === x && !/[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/.test(x));
}

const value = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 40 }), { maxLength: 12 }));

describe('generated input', () => {
  it(`POST /v1/users: 201 only for a valid role and ref, else a 4xx; never a 5xx (${RUNS} runs)`, async () => {
    const body = fc.oneof(
      fc.record({ role: fc.oneof(fc.constantFrom('officer', 'depositor', 'viewer'), value), ref: value }, { requiredKeys: [] }),
      fc.record({ role: fc.constantFrom('viewer'), extra: value }),
      fc.anything({ maxDepth: 2 }),
    );
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const before = s.ctx.users.list(a.id).length;
      const payload = JSON.stringify(b) ?? '';
      const res = await s.app.inject({ method: 'POST', url: '/v1/users', headers: { ...a.auth, 'content-type': 'application/json' }, payload });
      expect(res.statusCode, `${payload} → ${res.body}`).toBeLessThan(500);
      if (res.statusCode === 201) {
        expect(s.ctx.users.list(a.id)).toHaveLength(before + 1);
        expect(['officer', 'depositor', 'viewer']).toContain((res.json() as { role: string }).role);
      } else {
        expectErrorBody(res);
        expect(s.ctx.users.list(a.id)).toHaveLength(before);
      }
    }), { numRuns: RUNS });
  });

  it(`revoke and rotate with generated ids: 404 USER_NOT_FOUND (or a 4xx for the URL), never a 5xx (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 100 }), fc.constantFrom('revoke', 'rotate'), async (id, what) => {
      const res = await s.app.inject({ method: 'POST', url: `/v1/users/${encodeURIComponent(id)}/${what}`, headers: a.auth });
      expect(res.statusCode, `${id} → ${res.body}`).toBeLessThan(500);
      expectErrorBody(res);
    }), { numRuns: RUNS });
  });

  it(`PUT /v1/tenant/levels: 200 only for 1-10 unique names, else 400; never a 5xx (${RUNS} runs)`, async () => {
    const levels = fc.oneof(fc.array(fc.string({ maxLength: 40 }), { maxLength: 12 }), fc.array(fc.constantFrom('核心商密', '普通商密', ' x', ''), { maxLength: 4 }), value);
    await fc.assert(fc.asyncProperty(levels, async (l) => {
      const res = await s.app.inject({ method: 'PUT', url: '/v1/tenant/levels', headers: a.auth, payload: { levels: l } });
      expect(res.statusCode, `${JSON.stringify(l)} → ${res.body}`).toBeLessThan(500);
      expect(res.statusCode, `${JSON.stringify(l)} → ${res.body}`).toBe(naiveValidLevels(l) ? 200 : 400);
      if (res.statusCode === 200) expect((res.json() as { levels: unknown }).levels).toEqual(l);
      else expectErrorBody(res, 400, 'TENANT_BAD_LEVELS');
    }), { numRuns: RUNS });
  });
});

describe('durability', () => {
  it('a revocation and a rotation, once answered, survive kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-users-kill-'));
    const admin = 'users-kill-admin-token-0123456789abcdef';
    const server = new ServerProcess(join(dir, 'data'), await freePort(), admin);
    try {
      await server.start();
      const call = async (method: string, path: string, key: string, body?: unknown) => {
        const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: r.status, body: (await r.json()) as Record<string, string> };
      };
      const t = await call('POST', '/v1/admin/tenants', admin, { name: '断电测试有限公司', uscc: completeUscc('91430100MA4L16JJ') });
      const officer = t.body.apiKey!;
      const dep = await call('POST', '/v1/users', officer, { role: 'depositor' });
      const view = await call('POST', '/v1/users', officer, { role: 'viewer' });
      expect((await call('POST', `/v1/users/${view.body.id!}/revoke`, officer)).status).toBe(200);
      const rot = await call('POST', `/v1/users/${dep.body.id!}/rotate`, officer);
      expect(rot.status).toBe(200);
      await server.kill('SIGKILL');
      await server.start();
      const me = async (key: string) => (await call('GET', '/v1/users/me', key)).status;
      expect([await me(view.body.apiKey!), await me(dep.body.apiKey!), await me(rot.body.apiKey!), await me(officer)]).toEqual([401, 401, 200, 200]);
    } finally {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * The users, levels and admin tenant routes, through a real listening server (fetch over keep-alive
 * connections): keys shown once, revoked and rotated keys refused on the very next request, the last officer
 * kept, another tenant's users not found, the admin's list, revocation and rotation, duplicate USCCs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, USCC_A, USCC_B, createTenant, digestOf, openTestService, type TestService, type TestTenant } from './helpers.js';
import { foundingOfficerId } from '../../src/service/users.js';
import { completeUscc } from '../../src/entry/index.js';

let s: TestService;
let base: string;
let a: TestTenant;
let b: TestTenant;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, auth: { authorization: string }, payload?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const bearer = (k: unknown) => ({ authorization: `Bearer ${k as string}` });

function expectCode(r: Answer, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.code, JSON.stringify(r.body)).toBe(code);
}

beforeAll(async () => {
  s = await openTestService();
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = s.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  a = await createTenant(s.app, '甲方用户测试有限公司', USCC_A);
  b = await createTenant(s.app, '乙方用户测试有限公司', USCC_B);
});

afterAll(async () => {
  await s?.close();
});

describe('users of a tenant', () => {
  it('the tenant key is its founding officer; an officer adds users whose keys are shown once', async () => {
    const me = await call('GET', '/v1/users/me', a.auth);
    expect(me).toEqual({ status: 200, body: { id: foundingOfficerId(a.id), tenant: a.id, role: 'officer', created: expect.any(String) } });
    const made = await call('POST', '/v1/users', a.auth, { role: 'depositor', ref: 'E1001' });
    expect(made.status).toBe(201);
    expect(Object.keys(made.body).sort()).toEqual(['apiKey', 'created', 'id', 'ref', 'role', 'tenant']);
    expect(made.body.apiKey).toMatch(/^czk_[A-Za-z0-9_-]{43}$/);
    expect((await call('GET', '/v1/users/me', bearer(made.body.apiKey))).body).toMatchObject({ id: made.body.id, role: 'depositor', ref: 'E1001' });
    const list = await call('GET', '/v1/users', a.auth);
    expect(list.status).toBe(200);
    const users = list.body.users as Record<string, unknown>[];
    expect(users.map((u) => u.id)).toContain(made.body.id);
    expect(JSON.stringify(list.body)).not.toMatch(/apiKey|keyHash|czk_/);
  });

  it('refuses bad roles and refs with their codes, unknown fields with BAD_REQUEST, and writes no user', async () => {
    const before = s.ctx.users.list(a.id).length;
    for (const [payload, code] of [
      [{ role: 'admin' }, 'USER_BAD_ROLE'],
      [{}, 'USER_BAD_ROLE'],
      [{ role: 7 }, 'USER_BAD_ROLE'],
      [{ role: 'viewer', ref: '110101199003077777' }, 'USER_BAD_REF'],
      [{ role: 'viewer', ref: '13812345678' }, 'USER_BAD_REF'],
      [{ role: 'viewer', ref: '张三' }, 'USER_BAD_REF'],
      [{ role: 'viewer', name: 'Zhang San' }, 'BAD_REQUEST'],
    ] as const) {
      expectCode(await call('POST', '/v1/users', a.auth, payload), 400, code);
    }
    expect(s.ctx.users.list(a.id)).toHaveLength(before);
  });

  it('a revoked key is refused on the very next request, over the same connection', async () => {
    const u = await call('POST', '/v1/users', a.auth, { role: 'depositor' });
    const key = bearer(u.body.apiKey);
    expect((await call('POST', '/v1/deposits', key, { sha256: digestOf('before revoke') })).status).toBe(201);
    const r = await call('POST', `/v1/users/${u.body.id as string}/revoke`, a.auth);
    expect(r.status).toBe(200);
    expect(r.body.revoked).toEqual(expect.any(String));
    expectCode(await call('POST', '/v1/deposits', key, { sha256: digestOf('after revoke') }), 401, 'UNAUTHORIZED');
    expectCode(await call('POST', `/v1/users/${u.body.id as string}/rotate`, a.auth), 409, 'USER_REVOKED');
    expect((await call('POST', `/v1/users/${u.body.id as string}/revoke`, a.auth)).status).toBe(200); // idempotent
  });

  it('a rotated key is refused at once, the new one works', async () => {
    const u = await call('POST', '/v1/users', a.auth, { role: 'viewer' });
    const r = await call('POST', `/v1/users/${u.body.id as string}/rotate`, a.auth);
    expect(r).toEqual({ status: 200, body: { id: u.body.id, apiKey: expect.stringMatching(/^czk_/) } });
    expectCode(await call('GET', '/v1/users/me', bearer(u.body.apiKey)), 401, 'UNAUTHORIZED');
    expect((await call('GET', '/v1/users/me', bearer(r.body.apiKey))).body.id).toBe(u.body.id);
  });

  it('the last active officer is kept; another tenant\'s users and malformed ids are not found', async () => {
    const others = (s.ctx.users.list(a.id)).filter((u) => u.role === 'officer' && u.revoked === undefined && u.id !== foundingOfficerId(a.id));
    expect(others).toEqual([]);
    expectCode(await call('POST', `/v1/users/${foundingOfficerId(a.id)}/revoke`, a.auth), 409, 'USER_LAST_OFFICER');
    for (const id of [foundingOfficerId(a.id), 'u_0000000000000000', 'nobody', '..%2F..']) {
      expectCode(await call('POST', `/v1/users/${id}/revoke`, b.auth), 404, 'USER_NOT_FOUND');
      expectCode(await call('POST', `/v1/users/${id}/rotate`, b.auth), 404, 'USER_NOT_FOUND');
    }
    expect((await call('GET', '/v1/users/me', a.auth)).status).toBe(200);
  });

  it('the tenant\'s level names: the defaults, the officer\'s own, refused ones', async () => {
    expect((await call('GET', '/v1/tenant/levels', b.auth)).body).toEqual({ levels: ['核心商密', '重要商密', '普通商密'] });
    expect((await call('PUT', '/v1/tenant/levels', b.auth, { levels: ['绝密', '机密', '秘密', '内部'] })).body).toEqual({ levels: ['绝密', '机密', '秘密', '内部'] });
    expect((await call('GET', '/v1/tenant/levels', b.auth)).body).toEqual({ levels: ['绝密', '机密', '秘密', '内部'] });
    expect(s.ctx.tenants.levels(a.id)).toEqual(['核心商密', '重要商密', '普通商密']);
    for (const levels of [[], ['a', 'a'], [' a'], ['x'.repeat(33)], Array.from({ length: 11 }, (_, i) => `L${i}`), 'a', [3]]) {
      expectCode(await call('PUT', '/v1/tenant/levels', b.auth, { levels }), 400, 'TENANT_BAD_LEVELS');
    }
    expectCode(await call('PUT', '/v1/tenant/levels', b.auth, {}), 400, 'TENANT_BAD_LEVELS');
  });
});

describe('the admin\'s tenants', () => {
  it('lists every tenant with its active users; refuses a registered USCC unless told', async () => {
    const list = await call('GET', '/v1/admin/tenants', admin);
    const rows = list.body.tenants as Record<string, unknown>[];
    expect(rows.map((t) => t.id)).toEqual([a.id, b.id]);
    expect(rows[1]).toEqual({ id: b.id, name: b.name, uscc: USCC_B, created: expect.any(String), revoked: null, users: 1 });
    expect(rows[0]!.users).toBe(s.ctx.users.activeCount(a.id));
    expectCode(await call('POST', '/v1/admin/tenants', admin, { name: '甲方分公司', uscc: USCC_A }), 409, 'TENANT_USCC_TAKEN');
    expect((await call('POST', '/v1/admin/tenants', admin, { name: '甲方分公司', uscc: USCC_A, allowDuplicateUscc: true })).status).toBe(201);
    expectCode(await call('POST', '/v1/admin/tenants', admin, { name: '甲方分公司', uscc: USCC_A, allowDuplicateUscc: 'yes' }), 400, 'BAD_REQUEST');
  });

  it('revokes a tenant: each of its keys answers 403 TENANT_REVOKED; rotation gives the founding officer a new key and the tenant back', async () => {
    const t = await createTenant(s.app, '丙方撤销测试有限公司', completeUscc('91430100MA4L16KK'));
    const viewer = await call('POST', '/v1/users', t.auth, { role: 'viewer' });
    const r = await call('POST', `/v1/admin/tenants/${t.id}/revoke`, admin);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: t.id, revoked: expect.any(String) });
    for (const k of [t.auth, bearer(viewer.body.apiKey)]) expectCode(await call('GET', '/v1/users/me', k), 403, 'TENANT_REVOKED');
    expect((await call('GET', '/v1/users/me', a.auth)).status).toBe(200);
    const again = await call('POST', `/v1/admin/tenants/${t.id}/revoke`, admin);
    expect(again.body.revoked).toBe(r.body.revoked); // the first revocation's time stays
    const rot = await call('POST', `/v1/admin/tenants/${t.id}/rotate`, admin);
    expect(rot).toEqual({ status: 200, body: { id: foundingOfficerId(t.id), apiKey: expect.stringMatching(/^czk_/) } });
    expectCode(await call('GET', '/v1/users/me', t.auth), 401, 'UNAUTHORIZED');
    expect((await call('GET', '/v1/users/me', bearer(rot.body.apiKey))).body.id).toBe(foundingOfficerId(t.id));
    expect((await call('GET', '/v1/users/me', bearer(viewer.body.apiKey))).status).toBe(200);
    for (const id of ['tn_000000000000000000000000', 'nope']) {
      expectCode(await call('POST', `/v1/admin/tenants/${id}/revoke`, admin), 404, 'TENANT_NOT_FOUND');
      expectCode(await call('POST', `/v1/admin/tenants/${id}/rotate`, admin), 404, 'TENANT_NOT_FOUND');
    }
    expectCode(await call('GET', '/v1/admin/tenants', t.auth), 401, 'UNAUTHORIZED');
  });
});

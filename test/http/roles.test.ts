/**
 * The role matrix of design §4, route by route: one tenant with a user of each role, every tenant route
 * asked by each, the status each must get. Every answer that differs is an unexpected access (or an
 * unexpected refusal) and is listed; the list must be empty. A new tenant route adds its row to MATRIX.
 *
 * "own only": a depositor sees the deposits it made (the entry's operator) and 404 for the others'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { ADMIN_TOKEN, USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';
import { ROUTE_ROLES, installRoleCheck } from '../../src/http/roles.js';
import { installErrorHandler } from '../../src/http/errors.js';
import type { Role } from '../../src/service/users.js';

type Keys = Record<Role, { authorization: string }>;
interface Fixture {
  /** A deposit of the officer's and one of the depositor's (ids and digests). */
  officerDeposit: { id: string; sha256: string };
  depositorDeposit: { id: string; sha256: string };
  tenant: TestTenant;
  fresh(label: string): string;
  /** A new viewer of the tenant, as a target for revoke and rotate. */
  target(): Promise<string>;
}
interface Request {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}
interface Row {
  route: string;
  request: (f: Fixture, role: Role) => Request | Promise<Request>;
  /** The status each role must get (403: ROLE_FORBIDDEN). */
  expect: Record<Role, number>;
}

const all = (status: number): Record<Role, number> => ({ officer: status, depositor: status, viewer: status });
const only = (status: number, ...roles: Role[]): Record<Role, number> => ({
  officer: roles.includes('officer') ? status : 403,
  depositor: roles.includes('depositor') ? status : 403,
  viewer: roles.includes('viewer') ? status : 403,
});

/** design §4's matrix. Rows of routes added later go here (one per route and case). */
const MATRIX: Row[] = [
  { route: 'POST /v1/deposits', request: (f, r) => ({ method: 'POST', url: '/v1/deposits', payload: { sha256: f.fresh(`deposit ${r}`) } }), expect: only(201, 'officer', 'depositor') },
  {
    route: 'POST /v1/documents',
    request: (f, r) => ({ method: 'POST', url: '/v1/documents', payload: Buffer.from(f.fresh(`upload ${r}`)), headers: { 'content-type': 'application/octet-stream' } }),
    expect: only(201, 'officer', 'depositor'),
  },
  { route: 'GET /v1/deposits/:id', request: (f) => ({ method: 'GET', url: `/v1/deposits/${f.officerDeposit.id}` }), expect: { officer: 200, depositor: 404, viewer: 200 } },
  { route: 'GET /v1/deposits/:id', request: (f) => ({ method: 'GET', url: `/v1/deposits/${f.depositorDeposit.id}` }), expect: all(200) },
  { route: 'GET /v1/deposits', request: (f) => ({ method: 'GET', url: `/v1/deposits?sha256=${f.officerDeposit.sha256}` }), expect: { officer: 200, depositor: 404, viewer: 200 } },
  { route: 'GET /v1/deposits', request: (f) => ({ method: 'GET', url: `/v1/deposits?sha256=${f.depositorDeposit.sha256}` }), expect: all(200) },
  { route: 'GET /v1/deposits', request: () => ({ method: 'GET', url: '/v1/deposits?limit=5' }), expect: all(200) },
  { route: 'GET /v1/deposits/:id/history', request: (f) => ({ method: 'GET', url: `/v1/deposits/${f.officerDeposit.id}/history` }), expect: { officer: 200, depositor: 404, viewer: 200 } },
  { route: 'GET /v1/deposits/:id/history', request: (f) => ({ method: 'GET', url: `/v1/deposits/${f.depositorDeposit.id}/history` }), expect: all(200) },
  {
    route: 'POST /v1/deposits/:id/events',
    request: (f) => ({ method: 'POST', url: `/v1/deposits/${f.depositorDeposit.id}/events`, payload: { kind: 'conceal', measures: ['marking'] } }),
    expect: only(201, 'officer'),
  },
  { route: 'POST /v1/evidence', request: (f) => ({ method: 'POST', url: '/v1/evidence', payload: { ids: [f.officerDeposit.id] } }), expect: { officer: 200, depositor: 404, viewer: 403 } },
  { route: 'POST /v1/evidence', request: (f) => ({ method: 'POST', url: '/v1/evidence', payload: { ids: [f.depositorDeposit.id] } }), expect: only(200, 'officer', 'depositor') },
  { route: 'GET /v1/inventory', request: () => ({ method: 'GET', url: '/v1/inventory' }), expect: only(200, 'officer', 'viewer') },
  { route: 'POST /v1/users', request: () => ({ method: 'POST', url: '/v1/users', payload: { role: 'viewer' } }), expect: only(201, 'officer') },
  { route: 'GET /v1/users', request: () => ({ method: 'GET', url: '/v1/users' }), expect: only(200, 'officer') },
  { route: 'GET /v1/users/me', request: () => ({ method: 'GET', url: '/v1/users/me' }), expect: all(200) },
  { route: 'POST /v1/users/:id/revoke', request: async (f) => ({ method: 'POST', url: `/v1/users/${await f.target()}/revoke` }), expect: only(200, 'officer') },
  { route: 'POST /v1/users/:id/rotate', request: async (f) => ({ method: 'POST', url: `/v1/users/${await f.target()}/rotate` }), expect: only(200, 'officer') },
  { route: 'GET /v1/tenant/levels', request: () => ({ method: 'GET', url: '/v1/tenant/levels' }), expect: all(200) },
  { route: 'PUT /v1/tenant/levels', request: () => ({ method: 'PUT', url: '/v1/tenant/levels', payload: { levels: ['核心商密', '普通商密'] } }), expect: only(200, 'officer') },
];

let s: TestService;
let keys: Keys;
let fixture: Fixture;

async function post(url: string, auth: { authorization: string }, payload: unknown): Promise<Record<string, unknown>> {
  const res = await s.app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  s = await openTestService();
  const tenant = await createTenant(s.app, '角色测试有限公司', USCC_A);
  const dep = await post('/v1/users', tenant.auth, { role: 'depositor', ref: 'E1001' });
  const view = await post('/v1/users', tenant.auth, { role: 'viewer' });
  keys = { officer: tenant.auth, depositor: { authorization: `Bearer ${dep.apiKey}` }, viewer: { authorization: `Bearer ${view.apiKey}` } };
  const o = digestOf('roles officer');
  const d = digestOf('roles depositor');
  const od = await post('/v1/deposits', keys.officer, { sha256: o });
  const dd = await post('/v1/deposits', keys.depositor, { sha256: d });
  let n = 0;
  fixture = {
    tenant,
    officerDeposit: { id: od.id as string, sha256: o },
    depositorDeposit: { id: dd.id as string, sha256: d },
    fresh: (label) => digestOf(`${label} ${n++}`),
    target: async () => (await post('/v1/users', keys.officer, { role: 'viewer' })).id as string,
  };
});

afterAll(async () => {
  await s?.close();
});

describe('the role matrix', () => {
  it('every role on every tenant route gets exactly the answer of the matrix: 0 unexpected accesses', async () => {
    const unexpected: string[] = [];
    let asked = 0;
    for (const row of MATRIX) {
      for (const role of ['officer', 'depositor', 'viewer'] as const) {
        const r = await row.request(fixture, role);
        const res = await s.app.inject({ method: r.method, url: r.url, headers: { ...keys[role], ...r.headers }, ...(r.payload === undefined ? {} : { payload: r.payload as object }) });
        asked++;
        const want = row.expect[role];
        if (res.statusCode !== want) unexpected.push(`${role} ${r.method} ${r.url}: ${res.statusCode} (want ${want}) ${res.body.slice(0, 160)}`);
        else if (want === 403) expectErrorBody(res, 403, 'ROLE_FORBIDDEN');
      }
    }
    expect(unexpected).toEqual([]);
    expect(asked).toBe(MATRIX.length * 3);
  });

  it('covers every route of ROUTE_ROLES, and every row names a registered route', () => {
    const routes = new Set(MATRIX.map((r) => r.route));
    for (const r of Object.keys(ROUTE_ROLES)) expect(routes, r).toContain(r);
    for (const r of routes) {
      const [method, url] = r.split(' ') as ['GET' | 'POST' | 'PUT', string];
      expect(s.app.hasRoute({ method, url }), r).toBe(true);
    }
  });

  it('a forbidden request writes nothing: no leaf, no user', async () => {
    const size = s.ctx.ledger.treeSize;
    const users = s.ctx.users.list(fixture.tenant.id).length;
    expectErrorBody(await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: keys.viewer, payload: { sha256: digestOf('viewer tries') } }), 403, 'ROLE_FORBIDDEN');
    expectErrorBody(await s.app.inject({ method: 'POST', url: '/v1/users', headers: keys.depositor, payload: { role: 'officer' } }), 403, 'ROLE_FORBIDDEN');
    expect(s.ctx.ledger.treeSize).toBe(size);
    expect(s.ctx.users.list(fixture.tenant.id)).toHaveLength(users);
  });

  it('the admin token is no tenant key, and a tenant key no admin token', async () => {
    expectErrorBody(await s.app.inject({ method: 'GET', url: '/v1/users/me', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 401, 'UNAUTHORIZED');
    for (const role of ['officer', 'depositor', 'viewer'] as const) {
      expectErrorBody(await s.app.inject({ method: 'GET', url: '/v1/admin/tenants', headers: keys[role] }), 401, 'UNAUTHORIZED');
    }
  });
});

describe('installRoleCheck on a bare app', () => {
  it('refuses other roles than a route\'s row with ROLE_FORBIDDEN and leaves routes without a row open', async () => {
    const app = Fastify();
    app.decorateRequest('user', undefined);
    installErrorHandler(app);
    await app.register(async (scope) => {
      scope.addHook('onRequest', (req, _r, done) => {
        const role = req.headers['x-role'] as Role | undefined;
        req.user = role === undefined ? undefined : { id: 'u_0000000000000000', tenant: 'tn_000000000000000000000000', role, created: '2026-01-01T00:00:00.000Z' };
        done();
      });
      installRoleCheck(scope);
      scope.get('/open', async () => 'ok');
      scope.get('/v1/inventory', async () => 'ok'); // officer, viewer
      scope.post('/v1/deposits', async () => 'ok'); // officer, depositor
    });
    const status = async (url: string, role?: Role) => (await app.inject({ url, headers: role === undefined ? {} : { 'x-role': role } })).statusCode;
    expect([await status('/open', 'viewer'), await status('/open', 'officer')]).toEqual([200, 200]);
    expect([await status('/v1/inventory', 'viewer'), await status('/v1/inventory', 'officer'), await status('/v1/inventory', 'depositor'), await status('/v1/inventory')]).toEqual([200, 200, 403, 403]);
    const post = async (role?: Role) => (await app.inject({ method: 'POST', url: '/v1/deposits', headers: role === undefined ? {} : { 'x-role': role } })).statusCode;
    expect([await post('officer'), await post('depositor'), await post('viewer'), await post()]).toEqual([200, 200, 403, 403]);
    await app.close();
  });
});

/**
 * Roles on tenant routes: the matrix is one table, ROUTE_ROLES, by method and URL (like the status table: one
 * owner, and a test holds it to the routes and to the role matrix). A route it does not name is open to every
 * role. installRoleCheck (on the tenant scope, right after authentication) copies each route's row into its
 * `config.roles` as the route is registered, and answers a user whose role is not allowed 403 ROLE_FORBIDDEN
 * before admission, rate limiting, the body's parsing or the handler: a forbidden request costs nothing beyond
 * authentication. What a role may *see* ("own only" for a depositor) is the route's business: it answers 404
 * for the rest.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CunzhengError } from '../errors.js';
import type { Role } from '../service/users.js';

function forbidden(role: string | undefined, allowed: readonly Role[]): CunzhengError {
  return new CunzhengError('ROLE_FORBIDDEN', `this route is for ${allowed.join(' or ')}; your key is a ${role ?? 'unknown'}'s`, {
    details: { role: role ?? null, allowed: [...allowed] },
  });
}

/** The matrix's write and management routes: who may use them. Every other tenant route is open to every role. */
export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = Object.freeze({
  'POST /v1/deposits': ['officer', 'depositor'],
  'POST /v1/documents': ['officer', 'depositor'],
  'POST /v1/deposits/:id/events': ['officer'],
  'POST /v1/evidence': ['officer', 'depositor'],
  'GET /v1/inventory': ['officer', 'viewer'],
  'POST /v1/users': ['officer'],
  'GET /v1/users': ['officer'],
  'POST /v1/users/:id/revoke': ['officer'],
  'POST /v1/users/:id/rotate': ['officer'],
  'PUT /v1/tenant/levels': ['officer'],
});

/** True when the request's user may use a route allowed to `allowed` (undefined: every role). */
export function roleAllows(request: FastifyRequest, allowed: readonly Role[] | undefined): boolean {
  if (allowed === undefined) return true;
  const role = request.user?.role;
  return role !== undefined && allowed.includes(role);
}

/**
 * Installs, on a tenant scope, the check of each route's roles: call it before the routes are registered
 * (its onRoute hook sets `config.roles` from ROUTE_ROLES) and after the authentication hook.
 */
export function installRoleCheck(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      const roles = ROUTE_ROLES[`${m} ${route.url}`];
      if (roles !== undefined) route.config = { ...route.config, roles };
    }
  });
  scope.addHook('onRequest', (request, _reply, done) => {
    const allowed = request.routeOptions.config.roles;
    if (roleAllows(request, allowed)) done();
    else done(forbidden(request.user?.role, allowed!));
  });
}

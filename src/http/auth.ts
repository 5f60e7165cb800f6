/** Bearer authentication for tenant and admin routes. Keys never reach a log line or an error message. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CunzhengError } from '../errors.js';
import type { ServiceContext } from './context.js';

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h.length > 512) return undefined;
  const m = /^Bearer ([\x21-\x7e]+)$/.exec(h);
  return m?.[1];
}

export function tenantAuth(ctx: ServiceContext) {
  // A callback hook (no promise per request): this runs on every deposit.
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    const key = bearer(request);
    const tenant = key === undefined ? undefined : ctx.tenants.authenticate(key);
    if (tenant === undefined) return done(new CunzhengError('UNAUTHORIZED', 'a valid tenant API key is required (Authorization: Bearer <key>)'));
    request.tenant = tenant;
    done();
  };
}

export function adminAuth(ctx: ServiceContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearer(request);
    if (token === undefined || !ctx.adminToken.check(token)) {
      throw new CunzhengError('UNAUTHORIZED', 'the admin token is required (Authorization: Bearer <token>)');
    }
  };
}

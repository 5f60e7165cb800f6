/**
 * Bearer authentication for tenant and admin routes. Keys never reach a log line or an error message.
 * Failed attempts are counted per client IP (auth-limiter.ts): beyond the limit, 429 AUTH_RATE_LIMITED.
 * A tenant key is a user's key (service/users.ts): tenantAuth sets request.tenant and request.user; a
 * revoked or rotated key answers 401, a key of a revoked tenant 403 TENANT_REVOKED.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CunzhengError } from '../errors.js';
import type { ServiceContext } from './context.js';
import type { FailedAuthLimiter } from './auth-limiter.js';

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h.length > 512) return undefined;
  const m = /^Bearer ([\x21-\x7e]+)$/.exec(h);
  return m?.[1];
}

function refusal(limiter: FailedAuthLimiter, request: FastifyRequest): CunzhengError | undefined {
  const wait = limiter.blockedFor(request.ip);
  if (wait === 0) return undefined;
  return new CunzhengError('AUTH_RATE_LIMITED', `too many failed authentications from your address; retry in ${wait} s with a valid key`, {
    details: { retryAfterSeconds: wait },
  });
}

export function tenantAuth(ctx: ServiceContext, limiter: FailedAuthLimiter) {
  // A callback hook (no promise per request): this runs on every deposit.
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    const refused = refusal(limiter, request);
    if (refused !== undefined) return done(refused);
    const key = bearer(request);
    let found;
    try {
      // STORE_CORRUPT (a damaged record holds the key) and TENANT_REVOKED (403) are thrown: the key is right.
      found = key === undefined ? undefined : ctx.users.authenticate(key);
    } catch (e) {
      return done(e as Error);
    }
    if (found === undefined) {
      limiter.failed(request.ip);
      return done(new CunzhengError('UNAUTHORIZED', 'a valid tenant API key is required (Authorization: Bearer <key>)'));
    }
    request.tenant = found.tenant;
    request.user = found.user;
    done();
  };
}

export function adminAuth(ctx: ServiceContext, limiter: FailedAuthLimiter) {
  return async (request: FastifyRequest): Promise<void> => {
    const refused = refusal(limiter, request);
    if (refused !== undefined) throw refused;
    const token = bearer(request);
    if (token === undefined || !ctx.adminToken.check(token)) {
      limiter.failed(request.ip);
      throw new CunzhengError('UNAUTHORIZED', 'the admin token is required (Authorization: Bearer <token>)');
    }
  };
}

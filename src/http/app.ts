/**
 * The HTTP application, built as a plugin tree that never listens (tests use `inject`; server.ts listens).
 *
 *   /checkpoint, /tile/…, /v1/log, /v1/checkpoints/…, /v1/proof/…   public
 *   /v1/deposits…, /v1/documents                                    tenant (Bearer API key, rate-limited)
 *   /v1/admin/…                                                     admin (Bearer admin token)
 *   /healthz, /metrics, /docs                                       operations
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppOptions, ServiceContext } from './context.js';
import { adminAuth, tenantAuth } from './auth.js';
import { installErrorHandler } from './errors.js';
import { ErrorBody, Receipt } from './schemas.js';
import { publicRoutes } from './routes/public.js';
import { depositRoutes } from './routes/deposits.js';
import { documentRoutes } from './routes/documents.js';
import { adminRoutes } from './routes/admin.js';
import { opsRoutes } from './routes/ops.js';

export const DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024;

/** Request log lines carry method, path and status: never the query (upload metadata) nor any header. */
export const requestSerializers = {
  req(req: { method: string; url: string; socket?: { remoteAddress?: string } }) {
    return { method: req.method, url: req.url.split('?')[0], remoteAddress: req.socket?.remoteAddress };
  },
};

export async function buildApp(ctx: ServiceContext, options: AppOptions = {}, fastifyOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    ...fastifyOptions,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  app.decorateRequest('tenant', undefined);
  installErrorHandler(app);
  app.addSchema(ErrorBody);
  app.addSchema(Receipt);

  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-origin' } });
  if (options.docs !== false) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'cunzheng 存证 API',
          version: '1',
          description: 'Deposit document fingerprints in an append-only, signed Merkle ledger; receive receipts verifiable offline.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  }

  await app.register(async (pub) => publicRoutes(pub, ctx));
  await app.register(async (ops) => opsRoutes(ops, ctx));
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminAuth(ctx));
    await adminRoutes(admin, ctx);
  });
  await app.register(async (tenant) => {
    tenant.addHook('onRequest', tenantAuth(ctx));
    await tenant.register(rateLimit, {
      hook: 'preHandler',
      max: options.rateLimitPerMinute ?? 1_000_000,
      timeWindow: 60_000,
      keyGenerator: (req) => req.tenant?.id ?? req.ip,
    });
    await depositRoutes(tenant, ctx);
    await tenant.register(async (docs) => documentRoutes(docs, ctx, options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD));
  });
  return app;
}

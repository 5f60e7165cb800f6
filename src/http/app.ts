/**
 * The HTTP application, built as a plugin tree that never listens (tests use `inject`; server.ts listens).
 *
 *   /checkpoint, /tile/…, /v1/log, /v1/checkpoints/…, /v1/proof/…   public (…/evidence-record: routes/evidence-record.ts)
 *   /v1/deposits…, /v1/documents, /v1/evidence, /v1/users…, …       tenant (a user's Bearer API key, roles.ts, rate-limited)
 *   /v1/admin/…                                                     admin (Bearer admin token)
 *   /healthz, /metrics, /docs                                       operations
 *   /app                                                            the tenant console page (public HTML; app-page.ts)
 *   /verify, /verify/download                                       the receipt verifier page (public HTML; verify-page.ts)
 *
 * On tenant and admin routes the hooks run: authentication (failures limited per IP, auth-limiter.ts),
 * then admission (work in flight in bytes, admission-hooks.ts), then the route's own. README.md lists the
 * routes, the limits and every error code.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppOptions, ServiceContext } from './context.js';
import { adminAuth, tenantAuth } from './auth.js';
import { installErrorHandler } from './errors.js';
import { httpAnswer } from './status-table.js';
import { CunzhengError } from '../errors.js';
import { ErrorBody, Receipt } from './schemas.js';
import { publicRoutes } from './routes/public.js';
import { evidenceRecordRoutes, evidenceRenewalRoutes } from './routes/evidence-record.js';
import { depositRoutes } from './routes/deposits.js';
import { inventoryRoutes } from './routes/inventory.js';
import { evidenceRoutes } from './routes/evidence.js';
import { DOCUMENT_REQUEST_BODY, documentRoutes } from './routes/documents.js';
import { adminRoutes } from './routes/admin.js';
import { userRoutes } from './routes/users.js';
import { installRoleCheck } from './roles.js';
import { opsRoutes } from './routes/ops.js';
import { appPageRoutes } from './routes/app-page.js';
import { verifyPageRoutes } from './routes/verify-page.js';
import { REQUEST_AJV_OPTIONS } from './deposit-body.js';
import { Admission } from './admission.js';
import { installAdmission } from './admission-hooks.js';
import { FailedAuthLimiter } from './auth-limiter.js';

export const DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024;

/** Request log lines carry method, path and status: never the query (upload metadata) nor any header. */
export const requestSerializers = {
  req(req: { method: string; url: string; socket?: { remoteAddress?: string } }) {
    return { method: req.method, url: req.url.split('?')[0], remoteAddress: req.socket?.remoteAddress };
  },
};

/** Errors fastify raises before routing (a malformed percent-encoding, an overlong parameter), in this API's shape. */
function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const answer = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? httpAnswer('URL_TOO_LONG', 'a path parameter is too long') : httpAnswer('BAD_URL', 'malformed URL');
  void reply.status(answer.statusCode).type('application/json; charset=utf-8').send(answer);
}

/** Requests node's HTTP parser rejects (bad framing, oversized headers) never reach fastify: answered here. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const answer =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? httpAnswer('REQUEST_TIMEOUT', 'request timeout')
    : err.code === 'HPE_HEADER_OVERFLOW' ? httpAnswer('HEADERS_TOO_LARGE', 'request headers too large')
    : httpAnswer('BAD_HTTP_REQUEST', 'malformed HTTP request');
  const { statusCode } = answer;
  const body = JSON.stringify(answer);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

export async function buildApp(ctx: ServiceContext, options: AppOptions = {}, fastifyOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const admission = new Admission(options);
  const authLimiter = new FailedAuthLimiter(options);
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkError,
    return503OnClosing: false,
    clientErrorHandler: clientError,
    ...fastifyOptions,
    // allowMatchingProperties: the metadata schema types its known keys (properties) and bounds every key
    // (patternProperties), as the entry does.
    // (deposit-body.ts compiles POST /v1/deposits' schema with the same options, on either thread.)
    ajv: { customOptions: REQUEST_AJV_OPTIONS },
  });
  app.decorateRequest('tenant', undefined);
  app.decorateRequest('user', undefined);
  // server.ts caps connections (maxConnections); node closes those beyond the cap and says so.
  let dropped = 0;
  app.server.on('drop', () => {
    dropped++;
  });
  installErrorHandler(app);
  // While closing, requests still arriving on open connections get a 503 in this API's error shape
  // (fastify's own would carry neither a code nor Retry-After); fastify adds Connection: close.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback hooks, not async ones: on the hot path a promise per hook per request is measurable.
  app.addHook('onRequest', (_req, _reply, done) => {
    if (closing) done(new CunzhengError('SERVICE_CLOSING', 'the service is shutting down; retry shortly', { details: { retryAfterSeconds: 5 } }));
    else done();
  });
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
      // The upload's body is a stream the route reads itself (no body schema to validate): documented here.
      transform: ({ schema, url }) => ({
        schema: url === '/v1/documents' && schema !== undefined ? { ...schema, body: DOCUMENT_REQUEST_BODY } : schema,
        url,
      }),
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  }

  await app.register(async (pub) => publicRoutes(pub, ctx));
  await app.register(async (pub) => evidenceRecordRoutes(pub, ctx));
  await app.register(async (page) => appPageRoutes(page));
  await app.register(async (page) => verifyPageRoutes(page, ctx));
  await app.register(async (ops) => opsRoutes(ops, ctx, { admission, authLimiter, droppedConnections: () => dropped }));
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminAuth(ctx, authLimiter));
    installAdmission(admin, admission);
    await adminRoutes(admin, ctx);
    await evidenceRenewalRoutes(admin, ctx);
  });
  await app.register(async (tenant) => {
    tenant.addHook('onRequest', tenantAuth(ctx, authLimiter));
    installRoleCheck(tenant); // design §4's role matrix (roles.ts), before admission and every route
    installAdmission(tenant, admission);
    await tenant.register(rateLimit, {
      hook: 'preHandler',
      max: options.rateLimitPerMinute ?? 1_000_000,
      timeWindow: 60_000,
      keyGenerator: (req) => req.tenant?.id ?? req.ip,
    });
    await depositRoutes(tenant, ctx);
    await inventoryRoutes(tenant, ctx);
    await evidenceRoutes(tenant, ctx, options);
    await userRoutes(tenant, ctx);
    await tenant.register(async (docs) => documentRoutes(docs, ctx, options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD));
  });
  return app;
}

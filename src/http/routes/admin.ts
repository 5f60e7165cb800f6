import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../context.js';
import { AnchorReply, ErrorBody, TenantBody, TenantReply, explainTenantBody } from '../schemas.js';

export async function adminRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // Typed requests from the route schemas (req.body is Static<typeof TenantBody>).
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/v1/admin/tenants', {
    config: { explainInvalid: explainTenantBody },
    schema: {
      tags: ['admin'],
      summary: 'Register an enterprise as a tenant; its API key is shown once',
      security: [{ bearer: [] }],
      body: TenantBody,
      response: { 201: TenantReply, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 503: ErrorBody },
    },
  }, async (req, reply) => {
    const { tenant, apiKey } = await ctx.tenants.create(req.body);
    void reply.status(201);
    return { id: tenant.id, name: tenant.name, uscc: tenant.uscc, apiKey };
  });

  app.post('/v1/admin/anchor', {
    schema: {
      tags: ['admin'],
      summary: 'Timestamp the newest checkpoint at the configured TSAs now',
      description: '200 when at least one TSA issued a verified token (the others\' failures are in `tsa`); 502 ANCHOR_FAILED, each TSA\'s failure in the message, when none did; 409 ANCHOR_NO_TSA without a TSA.',
      security: [{ bearer: [] }],
      response: { 200: AnchorReply, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody, 502: ErrorBody, 503: ErrorBody },
    },
  }, async () => {
    const a = await ctx.anchorer.anchorNow();
    return {
      treeSize: a?.treeSize ?? null,
      anchors: a?.anchors ?? [],
      tsa: ctx.anchorer.tsas.map((t) => ({ url: t.url, failures: t.failures, lastError: t.lastError ?? null })),
    };
  });
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../context.js';
import { AnchorReply, ErrorBody } from '../schemas.js';
import { AdminTenant, AdminTenantsReply, KeyReply, TenantCreateBody, TenantCreatedReply, TenantParams, explainTenantCreateBody } from '../schemas-users.js';
import type { TenantListing } from '../../service/tenants.js';

export async function adminRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // Typed requests from the route schemas (req.body is Static<typeof TenantBody>).
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody };
  const listing = (t: TenantListing) => ({
    id: t.id, name: t.name, uscc: t.uscc, created: t.created, revoked: t.revoked ?? null, users: ctx.users.activeCount(t.id), ...(t.problem === undefined ? {} : { problem: t.problem }),
  });

  app.post('/v1/admin/tenants', {
    config: { explainInvalid: explainTenantCreateBody },
    schema: {
      tags: ['admin'],
      summary: 'Register an enterprise as a tenant; its founding officer\'s API key (user foundingOfficerId(id)) is shown once',
      description: 'A USCC already registered is refused (409 TENANT_USCC_TAKEN) unless "allowDuplicateUscc": true.',
      security: [{ bearer: [] }],
      body: TenantCreateBody,
      response: { 201: TenantCreatedReply, ...errors },
    },
  }, async (req, reply) => {
    const { tenant, apiKey } = await ctx.tenants.create(req.body);
    void reply.status(201);
    return { id: tenant.id, name: tenant.name, uscc: tenant.uscc, apiKey };
  });

  app.get('/v1/admin/tenants', {
    schema: { tags: ['admin'], summary: 'Every tenant, oldest first, with its revocation and its number of active users', security: [{ bearer: [] }], response: { 200: AdminTenantsReply, ...errors } },
  }, async () => ({ tenants: ctx.tenants.list().map(listing) }));

  app.post('/v1/admin/tenants/:id/revoke', {
    schema: {
      tags: ['admin'], summary: 'Revoke a tenant: every key of its users answers 403 TENANT_REVOKED (its deposits stay verifiable)',
      security: [{ bearer: [] }], params: TenantParams, response: { 200: AdminTenant, ...errors },
    },
  }, async (req) => listing(await ctx.tenants.revoke(req.params.id)));

  app.post('/v1/admin/tenants/:id/rotate', {
    schema: {
      tags: ['admin'], summary: 'A new key for the tenant\'s founding officer, shown once, reactivating it (and the tenant); the old key stops authenticating',
      security: [{ bearer: [] }], params: TenantParams, response: { 200: KeyReply, ...errors },
    },
  }, async (req) => {
    const { officer, apiKey } = await ctx.tenants.rotate(req.params.id);
    return { id: officer, apiKey };
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

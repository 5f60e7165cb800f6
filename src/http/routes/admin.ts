import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { ErrorBody, TenantBody, TenantReply } from '../schemas.js';

export async function adminRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.post('/v1/admin/tenants', {
    schema: {
      tags: ['admin'],
      summary: 'Register an enterprise as a tenant; its API key is shown once',
      security: [{ bearer: [] }],
      body: TenantBody,
      response: { 201: TenantReply, 400: ErrorBody, 401: ErrorBody },
    },
  }, async (req, reply) => {
    const { tenant, apiKey } = await ctx.tenants.create(req.body as { name: string; uscc: string });
    void reply.status(201);
    return { id: tenant.id, name: tenant.name, uscc: tenant.uscc, apiKey };
  });
}

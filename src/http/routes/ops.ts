import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ServiceContext } from '../context.js';
import { renderMetrics } from '../../service/metrics.js';

export async function opsRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/healthz', {
    schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok'), treeSize: Type.Integer() }) } },
  }, async () => ({ status: 'ok' as const, treeSize: ctx.ledger.treeSize }));

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus text format' } }, async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(ctx.ledger, ctx.deposits, ctx.tenants, ctx.anchorer);
  });
}

import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ServiceContext } from '../context.js';
import { renderMetrics, type HttpFigures } from '../../service/metrics.js';
import type { Admission } from '../admission.js';
import type { FailedAuthLimiter } from '../auth-limiter.js';

export interface HttpState {
  admission: Admission;
  authLimiter: FailedAuthLimiter;
  /** Connections the node server closed at once because its connection cap was reached. */
  droppedConnections: () => number;
}

export async function opsRoutes(app: FastifyInstance, ctx: ServiceContext, http?: HttpState): Promise<void> {
  app.get('/healthz', {
    schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok'), treeSize: Type.Integer() }) } },
  }, async () => ({ status: 'ok' as const, treeSize: ctx.ledger.treeSize }));

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus text format' } }, async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    const figures: HttpFigures | undefined = http === undefined ? undefined : {
      ...http.admission.stats,
      authRefused: http.authLimiter.refused,
      droppedConnections: http.droppedConnections(),
    };
    return renderMetrics(ctx.ledger, ctx.deposits, ctx.tenants, ctx.anchorer, figures);
  });
}

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

const FENCE_MESSAGES: Record<string, string> = {
  LEDGER_FENCED: 'a write failed; deposits are refused until the store has been reopened and proven (retrying)',
  '*': 'deposits are refused until an operator has looked at the store (see the server log)',
};

export async function opsRoutes(app: FastifyInstance, ctx: ServiceContext, http?: HttpState): Promise<void> {
  // 'degraded' while the ledger refuses appends (a failed write it is recovering from, or a fault an
  // operator must look at) or tenant records failed their check: reads are still served, so this stays 200
  // — a restart would not help and a supervisor should not loop on it.
  const Fence = Type.Object({ code: Type.String(), message: Type.String(), since: Type.String() });
  app.get('/healthz', {
    schema: {
      tags: ['operations'],
      response: {
        200: Type.Object({
          status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
          treeSize: Type.Integer(),
          writes: Type.Optional(Fence),
          damagedTenants: Type.Optional(Type.Integer()),
        }),
      },
    },
  }, async () => {
    const fence = ctx.ledger.fence;
    const damaged = ctx.tenants.corrupt.length;
    return {
      status: fence === undefined && damaged === 0 ? 'ok' as const : 'degraded' as const,
      treeSize: ctx.ledger.treeSize,
      // The code and a fixed sentence: the cause (paths, errno) goes to the server log, not to the public.
      ...(fence === undefined ? {} : { writes: { code: fence.code, message: FENCE_MESSAGES[fence.code] ?? FENCE_MESSAGES['*']!, since: new Date(fence.since).toISOString() } }),
      ...(damaged === 0 ? {} : { damagedTenants: damaged }),
    };
  });

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus text format' } }, async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    const figures: HttpFigures | undefined = http === undefined ? undefined : {
      ...http.admission.stats,
      authRefused: http.authLimiter.refused,
      droppedConnections: http.droppedConnections(),
    };
    return renderMetrics(ctx.ledger, ctx.deposits, ctx.tenants, ctx.anchorer, figures, ctx.pool, ctx.witnesser);
  });
}

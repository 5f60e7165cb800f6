/**
 * GET /v1/inventory — the tenant's 商业秘密清单, for the secrecy officer and viewers (403 ROLE_FORBIDDEN for
 * a depositor). JSON pages by default: `{rows, examined, next}`; a page examines at most 5,000 documents, so
 * it can come back short (even empty) with a `next` cursor — follow `next` until it is null. With
 * `Accept: text/csv` the CSV (UTF-8 with BOM, CRLF), every page walked here, up to 50,000 rows or 200,000
 * documents examined per answer; beyond, the answer carries `Cunzheng-Next: <cursor>` for the rest (the next
 * part has its own BOM and header line). `?lang=en` for English headers and words (default Chinese).
 * The query is parsed by the service's parser (its codes: INVENTORY_BAD_FILTER, INVENTORY_BAD_CURSOR).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../context.js';
import { ErrorBody } from '../schemas.js';
import { InventoryPageSchema, InventoryQuerySchema } from '../schemas-inventory.js';
import { parseInventoryQuery } from '../../service/inventory-query.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody };

/** True when the client asks for CSV: text/csv named in Accept with a quality above 0 (and JSON not preferred). */
export function wantsCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  if (typeof accept !== 'string' || accept.length > 1024) return false;
  let csv = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    if (type === 'application/json') json = Math.max(json, q);
  }
  return csv > 0 && csv >= json;
}

export async function inventoryRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/v1/inventory', {
    // The query is the service's to parse (its codes); the schema documents it.
    validatorCompiler: () => () => true,
    schema: {
      tags: ['tenant'],
      summary: 'The 商业秘密清单: one row per document, filtered and paged (Accept: text/csv for the CSV)',
      description: 'Filters: level, status (unclassified|classified|expired|declassified|destroyed), label, since/until (the last event, RFC 3339; until exclusive). ' +
        'A page examines at most 5,000 documents and may come back short with a next cursor: follow next until it is null. ' +
        'Accept: text/csv → the CSV of every page (UTF-8 with BOM), up to 50,000 rows or 200,000 documents examined; beyond, Cunzheng-Next carries the cursor of the rest. lang=en: English headers.',
      security: [{ bearer: [] }],
      querystring: InventoryQuerySchema,
      response: { 200: InventoryPageSchema, ...errors },
    },
  }, async (req, reply) => {
    const tenant = req.tenant!;
    const query = parseInventoryQuery(tenant.id, req.query as Record<string, unknown>);
    void reply.header('cache-control', 'no-store').header('vary', 'Accept');
    if (!wantsCsv(req)) return ctx.inventory.page(tenant.id, query);
    const csv = await ctx.inventory.csv(tenant.id, query);
    void reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="inventory.csv"')
      .header('cunzheng-rows', String(csv.rows))
      .header('cunzheng-examined', String(csv.examined));
    if (csv.next !== null) void reply.header('cunzheng-next', csv.next);
    // Sent as bytes: the JSON serializer of the route's schema is not for this answer.
    return (reply as FastifyReply).send(Buffer.from(csv.text, 'utf8'));
  });
}

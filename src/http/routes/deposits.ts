/**
 * Tenant routes: deposits of digests (the default: a secret never leaves the enterprise), uploads hashed
 * on the fly, and lookups of the tenant's own deposits. Another tenant's deposit id answers 404, exactly
 * as an unknown one does; so does, for a depositor, a deposit whose operator is another user (design §4).
 * The lifecycle routes (events, history) are in records.ts, registered here.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { CunzhengError } from '../../errors.js';
import { normaliseQueryAndParams } from '../hex-fields.js';
import { prepareDeposits } from '../deposit-prepare.js';
import { chargeItems } from '../admission-hooks.js';
import { BatchReply, DepositBody, DepositId, ErrorBody } from '../schemas.js';
import { ListingQuery, ListingReply } from '../schemas-records.js';
import { listingQuery, recordRoutes, recordServices } from './records.js';
import { certificateRoutes } from './certificate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody };

export async function depositRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // Typed requests from the route schemas: body, params and query as their schemas say.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // In a scope of its own: the body is kept as bytes and parsed by deposit-body.ts — on the worker pool when
  // large (deposit-prepare.ts) — with the schema below; the schema still documents the body.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/v1/deposits', {
      bodyLimit: 32 * 1024 * 1024,
      // The reply is bytes our own code wrote (receipt/): nothing for a serializer to do.
      serializerCompiler: () => (data) => JSON.stringify(data),
      // The body is checked by parseDepositBody (the same schema, the same Ajv options), on whichever thread.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['tenant'],
        summary: 'Deposit a digest ({sha256, sm3?, size?, meta?, prev?}) or a batch ({items: […]}, ≤ 10,000)',
        description: '201 with the receipt once the entry is durable; 200 with the original receipt when the digest was deposited before.',
        security: [{ bearer: [] }],
        body: DepositBody,
        response: { 200: Type.Union([Type.Ref('Receipt'), BatchReply]), 201: Type.Union([Type.Ref('Receipt'), BatchReply]), ...errors },
      },
    }, async (req, reply) => {
      const tenant = req.tenant!;
      // Every entry names the requesting user (a library's request without one: the founding officer).
      const prepared = await prepareDeposits(ctx.pool, req.body, tenant, ctx.deposits.operatorFor(tenant, req.user?.id));
      if (prepared.batch) chargeItems(req, prepared.items.length); // before anything is written
      // Answered as bytes, written by the worker pool for new deposits: as a string, the ~2 KB per receipt
      // would be built, then scanned for Content-Length and encoded again when written.
      const r = await ctx.deposits.depositPrepared(tenant, prepared);
      return reply.status(r.created ? 201 : 200).type('application/json; charset=utf-8').send(Buffer.from(r.json.buffer, r.json.byteOffset, r.json.byteLength));
    });
  });

  app.get('/v1/deposits/:id', {
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'One of your deposits: its receipt refreshed to the newest checkpoint',
      security: [{ bearer: [] }],
      params: Type.Object({ id: DepositId }),
      response: { 200: Type.Ref('Receipt'), ...errors },
    },
  }, async (req) => {
    const r = await ctx.deposits.get(req.tenant!, req.params.id, req.user);
    if (r === undefined) throw notFound('deposit');
    return r;
  });

  app.get('/v1/deposits', {
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'Find your deposit of a SHA-256 digest (?sha256=: its receipt), or list your deposits newest first (?since=&until=&cursor=&limit=)',
      security: [{ bearer: [] }],
      querystring: ListingQuery,
      response: { 200: Type.Union([Type.Ref('Receipt'), ListingReply]), ...errors },
    },
  }, async (req) => {
    const q = req.query;
    if (q.sha256 !== undefined) {
      if (q.since !== undefined || q.until !== undefined || q.cursor !== undefined || q.limit !== undefined) {
        throw new CunzhengError('LISTING_BAD_QUERY', 'sha256 finds one deposit: it takes no since, until, cursor or limit');
      }
      const r = await ctx.deposits.findBySha256(req.tenant!, q.sha256, req.user);
      if (r === undefined) throw notFound('deposit');
      return r;
    }
    return recordServices(ctx).history.listing(req.tenant!, req.user, listingQuery(q));
  });

  await recordRoutes(app, ctx);
  await certificateRoutes(app, ctx);
}


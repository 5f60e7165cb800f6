/**
 * Tenant routes: deposits of digests (the default: a secret never leaves the enterprise), uploads hashed
 * on the fly, and lookups of the tenant's own deposits. Another tenant's deposit id answers 404, exactly
 * as an unknown one does.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { normaliseDepositBody, normaliseQueryAndParams } from '../hex-fields.js';
import { BatchReply, DepositBody, DepositId, ErrorBody, Hex64, type DepositItemT } from '../schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody };

export async function depositRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.post('/v1/deposits', {
    bodyLimit: 32 * 1024 * 1024,
    // The reply is a receipt or a list of them, built by our own code: JSON.stringify writes it directly.
    // The schema's union would make the compiled serializer validate every receipt to pick a branch (a
    // measured 10% of a batch's CPU). The schemas still document the replies.
    serializerCompiler: () => (data) => JSON.stringify(data),
    // Uppercase hex (Windows tools print it) is lowercased before the schema sees it.
    preValidation: normaliseDepositBody,
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
    const body = req.body as DepositItemT | { items: DepositItemT[] };
    // Answered as bytes, written by the worker pool for new deposits (service/workers): as a string, the
    // ~2 KB per receipt would be built, then scanned for Content-Length and encoded again when written.
    const r = 'items' in body ? await ctx.deposits.depositBatchReply(tenant, body.items) : await ctx.deposits.depositReply(tenant, body, 'client');
    return reply.status(r.created ? 201 : 200).type('application/json; charset=utf-8').send(Buffer.from(r.json.buffer, r.json.byteOffset, r.json.byteLength));
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
    const r = await ctx.deposits.get(req.tenant!, (req.params as { id: string }).id);
    if (r === undefined) throw notFound('deposit');
    return r;
  });

  app.get('/v1/deposits', {
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'Find your deposit of a SHA-256 digest',
      security: [{ bearer: [] }],
      querystring: Type.Object({ sha256: Hex64 }, { additionalProperties: false }),
      response: { 200: Type.Ref('Receipt'), ...errors },
    },
  }, async (req) => {
    const r = await ctx.deposits.findBySha256(req.tenant!, (req.query as { sha256: string }).sha256);
    if (r === undefined) throw notFound('deposit');
    return r;
  });
}


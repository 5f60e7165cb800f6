/**
 * GET /v1/checkpoints/<size>/evidence-record: the RFC 4998 EvidenceRecord (DER) of an anchored checkpoint,
 * built from the RFC 3161 token the log stored for it and that token's renewals; its data object is the checkpoint
 * body (src/ers/README.md). Public, like the checkpoint itself: a record holds only the checkpoint's timestamps.
 * POST /v1/admin/checkpoints/<size>/renew (admin): one RFC 4998 timestamp renewal of an anchor (service/renewals.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CunzhengError } from '../../errors.js';
import { anchorEvidenceRecord, renewAnchor } from '../../service/renewals.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { DecimalString, ErrorBody, toSafeInt } from '../schemas.js';

export const EVIDENCE_RECORD_TYPE = 'application/octet-stream';

export async function evidenceRecordRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { ledger } = ctx;

  app.get('/v1/checkpoints/:size/evidence-record', {
    schema: {
      tags: ['public'],
      summary: 'The RFC 4998 evidence record (DER) of an anchored checkpoint; its data object is the checkpoint body (origin, size, root lines)',
      params: Type.Object({ size: DecimalString }),
      querystring: Type.Object({ anchor: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]?)$', description: 'which of the checkpoint\'s anchors (one per TSA, 0-based; default 0)' })) }, { additionalProperties: false }),
      // Bytes: fastify sends a Buffer as it is (no serializer runs); the schema documents it in /docs.
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 400: ErrorBody, 404: ErrorBody },
    },
  }, async (req, reply) => {
    const size = toSafeInt(req.params.size);
    if (size > ledger.treeSize) throw new CunzhengError('LEDGER_SIZE_BEYOND_TREE', `size ${size} is beyond the tree size ${ledger.treeSize}`);
    const signed = await ledger.checkpointAt(size);
    if (signed === undefined) throw notFound(`checkpoint of size ${size}`);
    const which = Number(req.query.anchor ?? '0');
    const record = await anchorEvidenceRecord(ledger, ctx.anchorer, size, which, signed);
    void reply
      .type(EVIDENCE_RECORD_TYPE)
      .header('Content-Disposition', `attachment; filename="checkpoint-${size}${which === 0 ? '' : `-${which}`}.ers"`)
      .header('Cache-Control', 'public, max-age=60');
    return Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  });
}

const RenewReply = Type.Object({
  treeSize: Type.Integer(),
  anchor: Type.Integer(),
  renewals: Type.Array(Type.Object({ tsa: Type.String(), token: Type.String(), genTime: Type.String() })),
});

export async function evidenceRenewalRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { ledger } = ctx;
  app.post('/v1/admin/checkpoints/:size/renew', {
    schema: {
      tags: ['admin'],
      summary: 'Renew an anchor of a checkpoint (RFC 4998 timestamp renewal): a new token over its last timestamp, stored durably, served in the evidence record',
      description: '200 with every renewal of that anchor; 404 ERS_NO_ANCHOR without it; 502 ANCHOR_FAILED when no TSA issued a verified token; 409 ANCHOR_NO_TSA without a TSA.',
      security: [{ bearer: [] }],
      params: Type.Object({ size: DecimalString }),
      querystring: Type.Object({ anchor: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]?)$' })) }, { additionalProperties: false }),
      response: { 200: RenewReply, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody },
    },
  }, async (req) => {
    const size = toSafeInt(req.params.size);
    if (size > ledger.treeSize) throw new CunzhengError('LEDGER_SIZE_BEYOND_TREE', `size ${size} is beyond the tree size ${ledger.treeSize}`);
    const signed = await ledger.checkpointAt(size);
    if (signed === undefined) throw notFound(`checkpoint of size ${size}`);
    const anchor = Number(req.query.anchor ?? '0');
    return { treeSize: size, anchor, renewals: await renewAnchor(ledger, ctx.anchorer, size, anchor, signed) };
  });
}

/**
 * GET /v1/checkpoints/<size>/evidence-record: the RFC 4998 EvidenceRecord (DER) of an anchored checkpoint,
 * built from the RFC 3161 token the log stored for it; its data object is the checkpoint body (src/ers/README.md).
 * Public, like the checkpoint itself: a record holds only the checkpoint's timestamp token.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fromBase64 } from '../../crypto/index.js';
import { CunzhengError } from '../../errors.js';
import { checkpointEvidenceRecord } from '../../ers/index.js';
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
    const anchors = await ctx.anchorer.anchorsAt(size);
    const which = Number(req.query.anchor ?? '0');
    const anchor = anchors[which];
    if (anchor === undefined) {
      throw new CunzhengError('ERS_NO_ANCHOR', anchors.length === 0
        ? `the checkpoint of size ${size} has no RFC 3161 anchor (GET /v1/log: anchoredTreeSize)`
        : `the checkpoint of size ${size} has ${anchors.length} anchor(s); anchor=${which} is not one of them`, { details: { anchors: anchors.length } });
    }
    const record = checkpointEvidenceRecord(signed, [fromBase64(anchor.token, undefined, 'anchor token')]);
    void reply
      .type(EVIDENCE_RECORD_TYPE)
      .header('Content-Disposition', `attachment; filename="checkpoint-${size}${which === 0 ? '' : `-${which}`}.ers"`)
      .header('Cache-Control', 'public, max-age=60');
    return Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  });
}

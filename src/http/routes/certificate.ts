/**
 * GET /v1/deposits/:id/certificate?lang=zh|en — the deposit's certificate (存证证书, src/certificate/), made
 * from the same receipt GET /v1/deposits/:id answers (refreshed to the newest checkpoint, with its anchors):
 * application/pdf, deterministic for that receipt. Authenticated like that route, with the same 404 for
 * another tenant's deposit (or, for a depositor, another user's) as for an unknown id.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { makeCertificate } from '../../certificate/index.js';
import { receiptReplyJson } from '../../receipt/index.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { normaliseQueryAndParams } from '../hex-fields.js';
import { DepositId, ErrorBody } from '../schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody };

export async function certificateRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/v1/deposits/:id/certificate', {
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'The deposit certificate (存证证书): PDF/A-3 with the receipt and its tlog-proof attached (application/pdf)',
      security: [{ bearer: [] }],
      params: Type.Object({ id: DepositId }),
      querystring: Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])) }),
      response: errors,
    },
  }, async (req, reply) => {
    const r = await ctx.deposits.get(req.tenant!, req.params.id, req.user);
    if (r === undefined) throw notFound('deposit');
    const made = await makeCertificate(receiptReplyJson(r), { lang: req.query.lang ?? 'zh' });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${made.id}.certificate.pdf"`)
      .send(made.pdf as never); // bytes: fastify sends a Buffer as it is, no serializer
  });
}

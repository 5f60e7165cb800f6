/**
 * POST /v1/documents: the document itself as the raw body, streamed through SHA-256 and SM3 and counted;
 * never written anywhere and never held whole in memory. Metadata comes in the query string. The entry
 * says `hashedBy: "server"`, so a court can tell who computed the digest.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Type } from 'typebox';
import { CunzhengError } from '../../errors.js';
import { createSha256, createSm3, toHex } from '../../crypto/index.js';
import type { ServiceContext } from '../context.js';
import { DocumentQuery, ErrorBody, type DocumentQueryT } from '../schemas.js';

export async function documentRoutes(app: FastifyInstance, ctx: ServiceContext, maxUploadBytes: number): Promise<void> {
  // Any content type: the body is passed on as the raw stream, unread.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post('/v1/documents', {
    schema: {
      tags: ['tenant'],
      summary: 'Upload a document to be hashed by the service (SHA-256 and SM3 on the fly; the bytes are kept nowhere)',
      security: [{ bearer: [] }],
      querystring: DocumentQuery,
      response: { 200: Type.Ref('Receipt'), 201: Type.Ref('Receipt'), 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 503: ErrorBody },
    },
  }, async (req, reply) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUploadBytes) {
      throw new CunzhengError('DOCUMENT_TOO_LARGE', `documents are limited to ${maxUploadBytes} bytes`);
    }
    const stream = (req.body ?? req.raw) as IncomingMessage;
    const sha = createSha256();
    const sm = createSm3();
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxUploadBytes) {
          stream.destroy();
          throw new CunzhengError('DOCUMENT_TOO_LARGE', `documents are limited to ${maxUploadBytes} bytes`);
        }
        sha.update(chunk);
        sm.update(chunk);
      }
    } catch (e) {
      if (e instanceof CunzhengError) throw e;
      throw new CunzhengError('DOCUMENT_ABORTED', 'the upload was interrupted', { cause: e });
    }
    const q = req.query as DocumentQueryT;
    const meta: Record<string, string | string[]> = {};
    for (const k of ['filename', 'title', 'level', 'category', 'version', 'note'] as const) if (q[k] !== undefined) meta[k] = q[k]!;
    if (q.labels !== undefined) meta.labels = q.labels.split(',').map((l) => l.trim()).filter(Boolean);
    const r = await ctx.deposits.deposit(
      req.tenant!,
      {
        sha256: toHex(sha.digest()),
        sm3: toHex(sm.digest()),
        size,
        ...(Object.keys(meta).length ? { meta } : {}),
        ...(q.prev === undefined ? {} : { prev: q.prev }),
      },
      'server',
    );
    void reply.status(r.created ? 201 : 200);
    return r.receipt;
  });
}

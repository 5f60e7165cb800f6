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

function tooLarge(maxUploadBytes: number): CunzhengError {
  return new CunzhengError('DOCUMENT_TOO_LARGE', `documents are limited to ${maxUploadBytes} bytes`);
}

/**
 * Feeds the upload to `onChunk` and resolves with its size. Beyond `limit` bytes the stream is paused, not
 * destroyed: destroying it would reset the socket before the 413 reaches the client (the reply closes
 * the connection instead). A client that goes away mid-upload ends in DOCUMENT_ABORTED.
 */
function consume(stream: IncomingMessage, limit: number, onChunk: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const finish = (err?: CunzhengError): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err === undefined) resolve(size);
      else reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        finish(tooLarge(limit));
        return;
      }
      onChunk(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (cause?: unknown): void => finish(new CunzhengError('DOCUMENT_ABORTED', 'the upload was interrupted', { cause }));
    const onClose = (): void => {
      if (!stream.readableEnded) onError();
    };
    if (stream.destroyed) return onError();
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

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
      // The body is left unread: the connection must close after the 413, or it would stay stuck on it.
      void reply.header('connection', 'close');
      throw tooLarge(maxUploadBytes);
    }
    const sha = createSha256();
    const sm = createSm3();
    let size: number;
    try {
      size = await consume((req.body ?? req.raw) as IncomingMessage, maxUploadBytes, (chunk) => {
        sha.update(chunk);
        sm.update(chunk);
      });
    } catch (e) {
      if (e instanceof CunzhengError && e.code === 'DOCUMENT_TOO_LARGE') void reply.header('connection', 'close');
      throw e;
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

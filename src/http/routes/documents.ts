/**
 * POST /v1/documents: the document itself as the raw body, streamed through SHA-256 and SM3 and counted;
 * never written anywhere and never held whole in memory. Metadata comes in the query string. The entry
 * says `hashedBy: "server"`, so a court can tell who computed the digest.
 *
 * The body must be the document's bytes as they are. Refused with 415 before a byte is read, because what
 * they carry is not the document and a receipt of it could never match the file in court:
 *   - `multipart/*`: `curl -F file=@doc.pdf` and browser forms wrap the file in an envelope (boundary lines,
 *     part headers);
 *   - `application/x-www-form-urlencoded`: what `curl -d @doc.pdf` sends (curl strips the file's newlines
 *     first), and `curl --data-binary` without a Content-Type;
 *   - `application/json`: a digest meant for POST /v1/deposits, or a document wrapped in JSON;
 *   - a Content-Encoding other than identity (the bytes would be the compressed ones).
 * No Content-Type, `application/octet-stream`, or the document's own type (`application/pdf`, `text/plain`
 * as fetch() sends a string…) are the bytes as sent, never transcoded: hashed as they are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { CunzhengError } from '../../errors.js';
import { createSha256, createSm3, toHex } from '../../crypto/index.js';
import type { ServiceContext } from '../context.js';
import { DocumentQuery, ErrorBody, explainDocumentQuery, uploadMeta } from '../schemas.js';
import { normaliseQueryAndParams } from '../hex-fields.js';

export const UPLOAD_HINT = 'send the document as the raw body: curl --data-binary @file -H "Content-Type: application/octet-stream"';

/** The document's body in the OpenAPI document (swagger-ui then offers a file picker). */
export const DOCUMENT_REQUEST_BODY = {
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary', description: 'the document, byte for byte' } } },
};

/** The media type of a Content-Type header, lowercased without parameters; '' when there is none. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/** Why a body of this Content-Type / Content-Encoding is not the document, or undefined when it is. */
export function notTheDocument(contentType: string | undefined, contentEncoding: string | undefined): string | undefined {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return `a body with Content-Encoding ${JSON.stringify(encoding.slice(0, 100))} is not the document's bytes`;
  const type = mediaType(contentType);
  if (type.startsWith('multipart/')) return 'a multipart form (curl -F, a browser form) wraps the file in an envelope';
  if (type === 'application/x-www-form-urlencoded') return 'a form body (curl -d, or --data-binary without a Content-Type) is not taken as the document';
  if (type === 'application/json') return 'a JSON body is not taken as the document (digests go to POST /v1/deposits)';
  return undefined;
}

/** Refuses bodies that are not the raw document (see the top of this file). */
function rawBodyOnly(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
  const why = notTheDocument(request.headers['content-type'], request.headers['content-encoding']);
  if (why === undefined) return done();
  // The body is left unread: the connection closes after the answer.
  void reply.header('connection', 'close');
  done(new CunzhengError('UNSUPPORTED_MEDIA_TYPE', `${why}; ${UPLOAD_HINT}`));
}

function tooLarge(maxUploadBytes: number): CunzhengError {
  return new CunzhengError('DOCUMENT_TOO_LARGE', `documents are limited to ${maxUploadBytes} bytes`);
}

/**
 * Feeds the upload to `onChunk` and resolves with its size. Beyond `limit` bytes the stream is paused, not
 * destroyed: destroying it would reset the socket before the 413 reaches the client (the reply closes
 * the connection instead). A client that goes away mid-upload ends in DOCUMENT_ABORTED.
 */
function consume(stream: Readable, limit: number, onChunk: (chunk: Buffer) => void): Promise<number> {
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

export async function documentRoutes(instance: FastifyInstance, ctx: ServiceContext, maxUploadBytes: number): Promise<void> {
  // Typed requests from the route schemas (req.query is Static<typeof DocumentQuery>).
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // The body is passed on as the raw stream, unread (rawBodyOnly has refused other types by then).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post('/v1/documents', {
    config: { streamedBody: true, explainInvalid: explainDocumentQuery },
    onRequest: rawBodyOnly,
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'Upload a document to be hashed by the service (SHA-256 and SM3 on the fly; the bytes are kept nowhere)',
      security: [{ bearer: [] }],
      description: `The document as the raw body, hashed byte for byte: application/octet-stream (or none, or the document's own type). Multipart forms, url-encoded forms, JSON and compressed bodies are 415. Metadata in the query. ${UPLOAD_HINT}.`,
      querystring: DocumentQuery,
      response: { 200: Type.Ref('Receipt'), 201: Type.Ref('Receipt'), 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
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
      size = await consume(req.body instanceof Readable ? req.body : req.raw, maxUploadBytes, (chunk) => {
        sha.update(chunk);
        sm.update(chunk);
      });
    } catch (e) {
      if (e instanceof CunzhengError && e.code === 'DOCUMENT_TOO_LARGE') void reply.header('connection', 'close');
      throw e;
    }
    const q = req.query;
    const meta = uploadMeta(q);
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
      req.user?.id,
    );
    void reply.status(r.created ? 201 : 200);
    return r.receipt;
  });
}

/**
 * The one error handler: every failure leaves as `{statusCode, code, message}`. Client mistakes are 4xx
 * with a stable code; backpressure is 503 with Retry-After; anything unexpected is a 500 whose details
 * stay in the log.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CunzhengError } from '../errors.js';

const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  LEDGER_BUSY: 503,
  LEDGER_WRITE_FAILED: 503,
  LEDGER_CLOSED: 503,
  SERVICE_CLOSING: 503,
  LEDGER_SIZE_BEYOND_TREE: 400,
  DEPOSIT_PREV_NOT_FOUND: 404,
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_ABORTED: 400,
  ANCHOR_NO_TSA: 409,
};

function statusOf(code: string): number {
  const known = STATUS_BY_CODE[code];
  if (known !== undefined) return known;
  if (/^(ENTRY|USCC|DEPOSIT|TENANT|BAD|LEDGER_BAD|INDEX|CONSISTENCY)_/.test(code)) return 400;
  return 500;
}

/** Fastify's own errors, translated to this API's codes. */
function fromFastify(e: FastifyError): { status: number; code: string; message: string } | undefined {
  if (e.validation) return { status: 400, code: 'BAD_REQUEST', message: e.message };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'BODY_TOO_LARGE', message: 'request body too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'MALFORMED_JSON', message: 'empty JSON body' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_REQUEST', message: 'invalid Content-Length' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'MALFORMED_JSON', message: 'malformed JSON body' };
  }
  if (e.name === 'SyntaxError' || (e as { statusCode?: number }).statusCode === 400) {
    return { status: 400, code: 'MALFORMED_JSON', message: 'malformed JSON body' };
  }
  const sc = e.statusCode;
  if (sc === 429) return { status: 429, code: 'RATE_LIMITED', message: e.message };
  if (sc !== undefined && sc >= 400 && sc < 500) return { status: sc, code: 'BAD_REQUEST', message: e.message };
  return undefined;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | CunzhengError, request, reply) => {
    let status: number;
    let code: string;
    let message: string;
    if (err instanceof CunzhengError) {
      status = statusOf(err.code);
      code = err.code;
      message = err.message;
      const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (status === 503) void reply.header('Retry-After', String(retry ?? 1));
    } else {
      const f = fromFastify(err);
      status = f?.status ?? 500;
      code = f?.code ?? 'INTERNAL';
      message = f?.message ?? 'internal error';
    }
    if (status === 503) {
      // Backpressure, a failing disk or shutdown: expected conditions, one line each without a stack.
      request.log.warn({ code, reason: message }, 'request refused: service unavailable');
    } else if (status >= 500) {
      request.log.error({ err, code }, 'request failed');
      message = 'internal error';
    }
    void reply.status(status).type('application/json; charset=utf-8').send({ statusCode: status, code, message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` });
  });
}

export function notFound(what: string): CunzhengError {
  return new CunzhengError('NOT_FOUND', `${what} not found`);
}

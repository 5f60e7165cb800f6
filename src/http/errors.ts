/**
 * The one error handler: every failure leaves as `{statusCode, code, message}`. Client mistakes are 4xx
 * with a stable code; backpressure is 503 (429 for too many failed authentications) with Retry-After; a
 * failed upstream TSA is 502 with each TSA's failure in the message; anything unexpected is a 500 whose
 * details stay in the log (its code stays in the body: STORE_CORRUPT tells an operator what to run).
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { CunzhengError } from '../errors.js';
import type { ExplainInvalid } from './schemas.js';
import { httpAnswer, statusOfListedCode } from './status-table.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A schema refusal of a field whose rule is the entry's: the entry's error instead of BAD_REQUEST (schemas.ts). */
    explainInvalid?: ExplainInvalid;
  }
}

/** The entry's error for what the route's schema refused, when the route says how to find it. */
function explained(e: FastifyError, request: FastifyRequest): CunzhengError | undefined {
  const explain = request.routeOptions.config.explainInvalid;
  if (explain === undefined || e.validation === undefined) return undefined;
  return explain(request, { context: e.validationContext, errors: e.validation });
}

/** Seconds a client is told to wait when the error does not say. */
const DEFAULT_RETRY_AFTER: Record<string, number> = { LEDGER_FENCED: 5, STORE_FENCED: 5, STORE_FULL: 30, LEDGER_BEHIND_SIGNED_CHECKPOINT: 30 };

/**
 * 503s about the disk: their own messages carry the storage error's text (file paths, errno), which goes
 * to the log; the client is told what happened and what to do.
 */
const PUBLIC_MESSAGE: Record<string, string> = {
  LEDGER_WRITE_FAILED: 'the ledger could not write to disk, so this was not acknowledged; retry after the delay given (a repeated deposit finds the original if it did land)',
  LEDGER_FENCED: 'the ledger takes no writes since a disk write failed, until it has reopened its store; retry after the delay given',
  STORE_FENCED: 'the ledger takes no writes since a disk write failed, until it has reopened its store; retry after the delay given',
  STORE_FULL: 'the ledger is waiting for free disk space before it takes writes again; retry later',
  LEDGER_BEHIND_SIGNED_CHECKPOINT: 'the ledger holds fewer entries than a checkpoint it signed and takes no writes until an operator has restored it; retry later',
};

/** 5xx whose message is meant for the caller (the rest answer "internal error"). */
const SHOWN_5XX = new Set(['ANCHOR_FAILED']);

/** The HTTP status of a CunzhengError code: status-table.ts, nothing else. A code missing there is a 500 (and logged). */
export function statusOfCode(code: string): number {
  return statusOfListedCode(code) ?? 500;
}

/** Fastify's own errors, translated to this API's codes. */
function fromFastify(e: FastifyError): { statusCode: number; code: string; message: string } | undefined {
  if (e.validation) return httpAnswer('BAD_REQUEST', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpAnswer('BODY_TOO_LARGE', 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpAnswer('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return httpAnswer('MALFORMED_JSON', 'empty JSON body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpAnswer('BAD_REQUEST', 'invalid Content-Length');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return httpAnswer('MALFORMED_JSON', 'malformed JSON body');
  }
  if (e.name === 'SyntaxError' || (e as { statusCode?: number }).statusCode === 400) {
    return httpAnswer('MALFORMED_JSON', 'malformed JSON body');
  }
  const sc = e.statusCode;
  if (sc === 429) return httpAnswer('RATE_LIMITED', e.message);
  if (sc !== undefined && sc >= 400 && sc < 500) return { ...httpAnswer('BAD_REQUEST', e.message), statusCode: sc };
  return undefined;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | CunzhengError, request, reply) => {
    let status: number;
    let code: string;
    let message: string;
    const precise = err instanceof CunzhengError ? err : explained(err, request);
    if (precise !== undefined) {
      const listed = statusOfListedCode(precise.code);
      if (listed === undefined) request.log.error({ code: precise.code }, 'error code missing from the status table (src/http/status-table.ts)');
      status = listed ?? 500;
      code = precise.code;
      message = precise.message;
      const retry = (precise.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (status === 503 || status === 429) void reply.header('Retry-After', String(retry ?? DEFAULT_RETRY_AFTER[code] ?? 1));
    } else {
      const f = fromFastify(err) ?? httpAnswer('INTERNAL', 'internal error');
      status = f.statusCode;
      code = f.code;
      message = f.message;
    }
    if (status === 503 || SHOWN_5XX.has(code)) {
      // Backpressure, a failing disk, shutdown, a TSA down: expected conditions, one line each without a stack.
      request.log.warn({ code, reason: message }, 'request refused: service unavailable');
      message = PUBLIC_MESSAGE[code] ?? message;
    } else if (status >= 500) {
      request.log.error({ err, code }, 'request failed');
      message = 'internal error';
    }
    void reply.status(status).type('application/json; charset=utf-8').send({ statusCode: status, code, message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(httpAnswer('NOT_FOUND', `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`));
  });
}

export function notFound(what: string): CunzhengError {
  return new CunzhengError('NOT_FOUND', `${what} not found`);
}

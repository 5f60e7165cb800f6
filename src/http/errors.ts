/**
 * The one error handler: every failure leaves as `{statusCode, code, message}`. Client mistakes are 4xx
 * with a stable code; backpressure is 503 (429 for too many failed authentications) with Retry-After; a
 * failed upstream TSA is 502 with each TSA's failure in the message; anything unexpected is a 500 whose
 * details stay in the log (its code stays in the body: STORE_CORRUPT tells an operator what to run).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CunzhengError } from '../errors.js';

/** Every code this API answers with on purpose, and its status. The README of src/http lists them. */
const STATUS_BY_CODE: Record<string, number> = {
  // client mistakes
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DEPOSIT_PREV_NOT_FOUND: 404,
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_ABORTED: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTH_RATE_LIMITED: 429,
  LEDGER_SIZE_BEYOND_TREE: 400,
  // merkle codes a request's numbers can raise (an index or size the tree cannot have)
  INDEX_OUT_OF_RANGE: 400,
  NODE_NOT_IN_TREE: 400,
  TREE_TOO_LARGE: 400,
  CHECKPOINT_SIZE_TOO_LARGE: 400,
  ANCHOR_NO_TSA: 409,
  // backpressure and a ledger that cannot take writes now
  LEDGER_BUSY: 503,
  LEDGER_WRITE_FAILED: 503,
  LEDGER_CLOSED: 503,
  LEDGER_FENCED: 503,
  LEDGER_BEHIND_SIGNED_CHECKPOINT: 503,
  STORE_FENCED: 503,
  STORE_FULL: 503,
  SERVICE_CLOSING: 503,
  SERVICE_BUSY: 503,
  TENANT_BUSY: 503,
  // upstream
  ANCHOR_FAILED: 502,
  // the service's own state
  STORE_CORRUPT: 500,
  LEDGER_CORRUPT: 500,
  LEDGER_INTERNAL: 500,
};

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

/** Families of codes raised only by validating what a request carries. */
const CLIENT_FAMILY = /^(ENTRY|USCC|DEPOSIT|TENANT|BAD|LEDGER_BAD|INDEX|CONSISTENCY)_/;
/** Codes naming the service's own broken state, whatever their family. */
const SERVER_STATE = /^STORE_|_(CORRUPT|INTERNAL|INCONSISTENT)$/;

/** The HTTP status of a CunzhengError code. */
export function statusOfCode(code: string): number {
  const known = STATUS_BY_CODE[code];
  if (known !== undefined) return known;
  if (SERVER_STATE.test(code)) return 500;
  if (CLIENT_FAMILY.test(code)) return 400;
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
      status = statusOfCode(err.code);
      code = err.code;
      message = err.message;
      const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (status === 503 || status === 429) void reply.header('Retry-After', String(retry ?? DEFAULT_RETRY_AFTER[code] ?? 1));
    } else {
      const f = fromFastify(err);
      status = f?.status ?? 500;
      code = f?.code ?? 'INTERNAL';
      message = f?.message ?? 'internal error';
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
    void reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` });
  });
}

export function notFound(what: string): CunzhengError {
  return new CunzhengError('NOT_FOUND', `${what} not found`);
}

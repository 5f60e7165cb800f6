/**
 * The hooks that charge each authenticated request to the admission control (admission.ts). Installed in
 * a scope after its authentication hook: unauthenticated requests are answered 401 and never charged.
 *
 *   onRequest   REQUEST_COST + Content-Length up to the route's body limit (STREAM_COST on a route whose
 *               body is streamed)
 *   preParsing  a chunked body is charged chunk by chunk as it arrives
 *   preHandler  a parsed batch: items × ITEM_COST (chargeItems: a route that parses its own body calls it)
 *   onSend      the handler answered; with the response's 'close', the charge is released
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ITEM_COST, REQUEST_COST, STREAM_COST, type Admission, type Ticket } from './admission.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream and never holds it: charged STREAM_COST, not its length. */
    streamedBody?: boolean;
  }
}

interface Charged {
  ticket: Ticket;
  handled(): void;
}

const charges = new WeakMap<FastifyRequest, Charged>();

/** The declared body length, or undefined when none (or a malformed one, which fastify refuses). */
function declaredLength(request: FastifyRequest): number | undefined {
  const h = request.headers['content-length'];
  if (h === undefined) return undefined;
  const n = Number(h);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function hasBody(request: FastifyRequest): boolean {
  return request.headers['transfer-encoding'] !== undefined || (declaredLength(request) ?? 0) > 0;
}

/** Counts a chunked body into the ticket as it streams; beyond a limit the stream fails with the refusal. */
class CountingStream extends Transform {
  receivedEncodedLength = 0;

  constructor(private readonly ticket: Ticket) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.ticket.add(chunk.length);
    } catch (refused) {
      callback(refused as Error);
      return;
    }
    this.receivedEncodedLength += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Charges a parsed batch, items × ITEM_COST, to the request's ticket: the preHandler does it for a body
 * fastify parsed; a route that parses its own body (POST /v1/deposits) calls it once it knows the count.
 * Throws the refusal (SERVICE_BUSY / TENANT_BUSY) beyond the share.
 */
export function chargeItems(request: FastifyRequest, items: number): void {
  charges.get(request)?.ticket.add(items * ITEM_COST);
}

export function installAdmission(scope: FastifyInstance, admission: Admission): void {
  scope.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const ticket = admission.open(request.tenant?.id);
    const gate = ticket.releaseWhen();
    charges.set(request, { ticket, handled: gate.handled });
    reply.raw.once('close', gate.closed);
    const streamed = request.routeOptions.config.streamedBody === true;
    try {
      // A declared length beyond the route's body limit is answered 413 without reading: charged up to the limit.
      ticket.add(REQUEST_COST + (streamed ? STREAM_COST : Math.min(declaredLength(request) ?? 0, request.routeOptions.bodyLimit)));
    } catch (refused) {
      // The body is left unread: the connection closes after the answer rather than read it.
      if (hasBody(request)) void reply.header('connection', 'close');
      done(refused as Error);
      return;
    }
    done();
  });

  scope.addHook('preParsing', (request: FastifyRequest, _reply: FastifyReply, payload, done) => {
    const charged = charges.get(request);
    if (charged === undefined || request.routeOptions.config.streamedBody === true || declaredLength(request) !== undefined) {
      done(null, payload);
      return;
    }
    const counting = new CountingStream(charged.ticket);
    payload.on('error', (e) => counting.destroy(e));
    done(null, payload.pipe(counting));
  });

  scope.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const items = (request.body as { items?: unknown } | null | undefined)?.items;
    if (Array.isArray(items)) {
      try {
        chargeItems(request, items.length);
      } catch (refused) {
        done(refused as Error);
        return;
      }
    }
    done();
  });

  scope.addHook('onSend', (request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
    charges.get(request)?.handled();
    done(null, payload);
  });
}

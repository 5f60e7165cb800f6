/**
 * The lifecycle routes of a tenant's documents:
 *
 *   POST /v1/deposits/:id/events   officer only: record a lifecycle event of the deposit :id (201 + receipt once durable)
 *   GET  /v1/deposits/:id/history  every version and event of its document, in ledger order, with receipts and state
 *
 * and the query of the newest-first listing (GET /v1/deposits, routes/deposits.ts). The event's fields are
 * checked by the entry's own checkEvent (service/events.ts): its codes are the answer. Hex in the body
 * (record.sha256/sm3, a departure audit's ids) may be uppercase, as everywhere: it is lowercased first.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CunzhengError } from '../../errors.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { lowerHex, normaliseQueryAndParams } from '../hex-fields.js';
import { ErrorBody } from '../schemas.js';
import { EventBody, HistoryQuery, HistoryReply, IdParams, parseQueryTime, type ListingQueryT } from '../schemas-records.js';
import { Events, splitEventBody } from '../../service/events.js';
import type { ExplainInvalid } from '../schemas.js';
import { History, type ListingQuery } from '../../service/history.js';
import type { Deposits } from '../../service/deposits.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody, 503: ErrorBody };

const services = new WeakMap<Deposits, { events: Events; history: History }>();

/** The events and history services of a context (one pair per Deposits: they share its document locks). */
export function recordServices(ctx: ServiceContext): { events: Events; history: History } {
  let s = services.get(ctx.deposits);
  if (s === undefined) {
    s = { events: new Events(ctx.deposits, (tenantId) => ctx.tenants.levels(tenantId)), history: new History(ctx.deposits) };
    services.set(ctx.deposits, s);
  }
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lowercases the hex an event body may carry (only well-formed hex: anything else is left to checkEvent). */
export function lowercaseEventHex(body: unknown): void {
  if (!isObject(body)) return;
  const record = body.record;
  if (isObject(record)) {
    for (const f of ['sha256', 'sm3']) {
      const v = record[f];
      if (typeof v === 'string') record[f] = lowerHex(v, 64) ?? v;
    }
  }
  for (const f of ['returned', 'destroyed']) {
    const ids = body[f];
    if (Array.isArray(ids)) for (let i = 0; i < ids.length && i < 1001; i++) if (typeof ids[i] === 'string') ids[i] = lowerHex(ids[i] as string, 32) ?? ids[i];
  }
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseQueryTime(value);
  if (ms === undefined) throw new CunzhengError('LISTING_BAD_QUERY', `${field} must be an RFC 3339 time (2026-01-31T16:00:00Z) or a date (YYYY-MM-DD, Beijing)`, { details: { field } });
  return ms;
}

/** The listing query as the service takes it (LISTING_BAD_QUERY for a time that is not one, or since after until). */
export function listingQuery(q: ListingQueryT): ListingQuery {
  const since = time(q.since, 'since');
  const until = time(q.until, 'until');
  if (since !== undefined && until !== undefined && since > until) throw new CunzhengError('LISTING_BAD_QUERY', 'since is after until', { details: { field: 'since' } });
  return {
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(q.cursor === undefined ? {} : { before: Number(q.cursor) }),
    ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
  };
}

/** A body the schema refused for its shape or kind is answered as the events service refuses it (EVENT_BAD_KIND). */
export const explainEventBody: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'body' || !errors.some((e) => (e.instancePath ?? '') === '' || e.instancePath === '/kind')) return undefined;
  try {
    splitEventBody(request.body);
  } catch (e) {
    if (e instanceof CunzhengError) return e;
    throw e;
  }
  return undefined;
};

export async function recordRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { events, history } = recordServices(ctx);

  app.post('/v1/deposits/:id/events', {
    config: { explainInvalid: explainEventBody },
    preValidation: (req, reply, done) => {
      try {
        lowercaseEventHex(req.body);
      } catch (e) {
        done(e as Error);
        return;
      }
      normaliseQueryAndParams(req, reply, done);
    },
    schema: {
      tags: ['tenant'],
      summary: 'Record a lifecycle event (定密、隐密、解密、销毁, access, departure audit) of one of your deposits (officers)',
      description: '201 with the receipt of the event\'s entry once durable. The entry copies the deposit\'s digest, so its receipt verifies against the original file. A rule of the document\'s life broken: 409 LIFECYCLE_*, nothing written.',
      security: [{ bearer: [] }],
      params: IdParams,
      body: EventBody,
      response: { 201: Type.Ref('Receipt'), ...errors },
    },
  }, async (req, reply) => {
    const r = await events.record(req.tenant!, req.user?.id, req.params.id, req.body);
    if (r === undefined) throw notFound('deposit');
    return reply.status(201).send(r.receipt);
  });

  app.get('/v1/deposits/:id/history', {
    preValidation: normaliseQueryAndParams,
    schema: {
      tags: ['tenant'],
      summary: 'The life of the document a deposit belongs to: every version and event in ledger order, each with its receipt, and its state',
      security: [{ bearer: [] }],
      params: IdParams,
      querystring: HistoryQuery,
      response: { 200: HistoryReply, ...errors },
    },
  }, async (req) => {
    const q = req.query;
    const page = await history.history(req.tenant!, req.params.id, req.user, q.cursor === undefined ? undefined : Number(q.cursor), q.limit === undefined ? undefined : Number(q.limit));
    if (page === undefined) throw notFound('deposit');
    return page;
  });
}

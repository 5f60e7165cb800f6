/**
 * The body of POST /v1/deposits, parsed and checked by one function on either thread. The route keeps the
 * raw bytes; a large body goes to the worker pool (workers/prepare-job.ts), a small one is parsed here on
 * the main thread — by the same steps, so that a body gets the same answer whichever thread reads it, and
 * the same answer fastify itself gives for every other route:
 *   1. UTF-8, then JSON parsed as fastify parses it (secure-json-parse: `__proto__` and `constructor.prototype`
 *      keys are refused): an empty or malformed body is MALFORMED_JSON;
 *   2. hex fields lowercased (hex-fields.ts): a field that is not hex is BAD_HEX_FIELD;
 *   3. the request schema (schemas.ts `DepositBody`), compiled by Ajv with the application's options
 *      (app.ts): a refusal is answered as the error handler answers fastify's (explainDepositBody: the
 *      entry's own error for a refused meta; else BAD_REQUEST with fastify's message,
 *      `body/items/0/sha256 must match …`).
 */
import AjvModule from 'ajv';
import sjson from 'secure-json-parse';
import { CunzhengError } from '../errors.js';
import { lowercaseDepositHex } from './hex-fields.js';
import { DepositBody, explainDepositBody } from './schemas.js';
import type { FastifyRequest } from 'fastify';
import { schemaRegExp } from './schema-regexp.js';
import type { DepositInput } from '../service/deposit-entries.js';

/** Ajv's options for request schemas: fastify's defaults, then the application's (app.ts passes the same object). */
export const REQUEST_AJV_OPTIONS = {
  coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, allowMatchingProperties: true, addUsedSchema: false,
  code: { regExp: schemaRegExp },
} as const;

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let compiled: Validate | undefined;

function validator(): Validate {
  // ajv is CommonJS: its class is the module's `default` (as @fastify/ajv-compiler takes it).
  compiled ??= new AjvModule.default(REQUEST_AJV_OPTIONS).compile(DepositBody) as Validate;
  return compiled;
}

/** A deposit body: one item, or a batch of them (1 to 10,000, checked by the schema). */
export type DepositBodyValue = { batch: false; items: [DepositInput] } | { batch: true; items: DepositInput[] };

const utf8 = new TextDecoder();

/** `raw`: JSON bytes; anything else is a value another content-type parser made of the body (checked as it is). */
export function parseDepositBody(raw: Uint8Array | unknown): DepositBodyValue {
  let body: unknown = raw;
  if (raw instanceof Uint8Array) {
    if (raw.length === 0) throw new CunzhengError('MALFORMED_JSON', 'empty JSON body');
    try {
      body = sjson.parse(utf8.decode(raw), undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      throw new CunzhengError('MALFORMED_JSON', 'malformed JSON body');
    }
  }
  lowercaseDepositHex(body);
  const validate = validator();
  if (!validate(body)) {
    const errors = validate.errors ?? [];
    const explained = explainDepositBody({ body } as FastifyRequest, { context: 'body', errors });
    if (explained !== undefined) throw explained;
    // fastify's default schemaErrorFormatter, for dataVar "body".
    throw new CunzhengError('BAD_REQUEST', errors.map((e) => `body${e.instancePath} ${e.message ?? ''}`).join(', '));
  }
  const b = body as DepositInput | { items: DepositInput[] };
  return 'items' in b ? { batch: true, items: b.items } : { batch: false, items: [b] };
}

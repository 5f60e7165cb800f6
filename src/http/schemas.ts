/**
 * JSON Schemas (TypeBox) for every route's input and output. The schema is the validation: unknown fields
 * are rejected (additionalProperties: false, and Ajv never strips them), types are never coerced, and
 * query numbers are decimal strings checked by pattern, then converted with a safe-integer check.
 *
 * What the entry holds (digests, metadata, the depositor's name and USCC) is described with the entry's
 * own patterns and limits (src/entry/rules.ts, meta.ts, uscc.ts), so the OpenAPI document states the rule
 * the entry enforces. When the schema refuses such a field, the answer is the entry's own error (its code
 * and message, see explainInvalid below), exactly as if the entry had been the first to look.
 */
import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TOptional } from 'typebox';
import {
  DIGEST_HEX_LENGTH, DIGEST_HEX_RULE, META_KEY_RULE, META_MAX_ARRAY, META_MAX_BYTES, META_MAX_KEYS, META_MAX_STRING,
  META_STRING_KEYS, SUBJECT_NAME_MAX, SUBJECT_NAME_RULE, TEXT_RULE, USCC_LENGTH, USCC_PATTERN, normalizeMeta, validateUscc,
} from '../entry/index.js';
import { CunzhengError } from '../errors.js';
import { checkTenantName } from '../service/tenants.js';

// Requests may spell hex in either case: hex-fields.ts lowercases it before these patterns are checked.
export const Hex64 = Type.String({ pattern: DIGEST_HEX_RULE.pattern, description: `${DIGEST_HEX_LENGTH} hex characters (uppercase is accepted and stored lowercase)` });
export const DepositId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'deposit id: 32 hex characters (uppercase is accepted)' });
export const Base64Hash = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });
export const DecimalString = Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$', description: 'a decimal integer below 2^53' });

export const ErrorBody = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), message: Type.String() },
  { $id: 'Error', description: 'Every error: a stable code and a human message.' },
);

const TEXT_DESCRIPTION = 'no control characters, lone surrogates, U+2028/U+2029 or bidi embedding/override/isolate controls';

/** Text as the entry takes it: at most `max` UTF-16 code units, none of the forbidden characters. */
function text(max: number, description = `at most ${max} UTF-16 code units; ${TEXT_DESCRIPTION}`) {
  return Type.String({ maxLength: max, pattern: TEXT_RULE.pattern, description });
}

const MetaString = text(META_MAX_STRING);
const MetaStrings = Type.Array(MetaString, { maxItems: META_MAX_ARRAY });
const MetaValue = Type.Union([MetaString, Type.Number(), Type.Boolean(), MetaStrings]);
const knownStrings = Object.fromEntries(META_STRING_KEYS.map((k) => [k, Type.Optional(MetaString)])) as {
  [K in (typeof META_STRING_KEYS)[number]]: TOptional<typeof MetaString>;
};

/** The entry's meta (src/entry/meta.ts): its known keys with their types, any other key within the same bounds. */
export const Meta = Type.Object(
  { ...knownStrings, labels: Type.Optional(MetaStrings), version: Type.Optional(Type.Union([MetaString, Type.Number()])) },
  {
    patternProperties: { [META_KEY_RULE.pattern]: MetaValue },
    additionalProperties: false,
    maxProperties: META_MAX_KEYS,
    // OpenAPI 3.0 cannot state a key pattern (patternProperties is written as additionalProperties): the description does.
    description: `metadata: ${META_STRING_KEYS.join(', ')} (strings), labels (strings), version (string or number), or other keys ` +
      `matching ${META_KEY_RULE.pattern} ` +
      `(a string, up to ${META_MAX_ARRAY} strings, a finite number other than -0, or a boolean); at most ${META_MAX_BYTES} bytes as JSON`,
  },
);

export const DepositItem = Type.Object(
  {
    sha256: Hex64,
    sm3: Type.Optional(Hex64),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    meta: Type.Optional(Meta),
    prev: Type.Optional(DepositId),
  },
  { additionalProperties: false },
);
export type DepositItemT = Static<typeof DepositItem>;

export const DepositBody = Type.Union([
  DepositItem,
  Type.Object({ items: Type.Array(DepositItem, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
]);

// The receipt's schema, and the batch reply's, live beside the receipt (src/receipt/schema.ts).
import { AnchorSchema as Anchor, BatchReplySchema as BatchReply, ReceiptSchema as Receipt } from '../receipt/schema.js';
export { Anchor, BatchReply, Receipt };

export const ProofReply = Type.Object({ proof: Type.Array(Base64Hash) });

export const TenantBody = Type.Object(
  {
    name: Type.String({
      minLength: 1, maxLength: SUBJECT_NAME_MAX, pattern: SUBJECT_NAME_RULE.pattern,
      description: `the registered name: 1-${SUBJECT_NAME_MAX} UTF-16 code units, no white space at either end; ${TEXT_DESCRIPTION}`,
    }),
    uscc: Type.String({
      minLength: USCC_LENGTH, maxLength: USCC_LENGTH, pattern: USCC_PATTERN,
      description: 'unified social credit code (GB 32100-2015), with its GB 11714 (17th) and GB 32100 (18th) check characters',
    }),
  },
  { additionalProperties: false },
);
export const TenantReply = Type.Object({
  id: Type.String(),
  name: Type.String(),
  uscc: Type.String(),
  apiKey: Type.String({ description: 'shown once; stored only as its SHA-256' }),
});

export const LogReply = Type.Object({
  origin: Type.String(),
  key: Type.String({ description: 'the C2SP verifier key of the log' }),
  treeSize: Type.Integer(),
  checkpoint: Type.String(),
  tsa: Type.Array(Type.String(), { description: 'the RFC 3161 TSAs checkpoints are anchored at' }),
  anchoredTreeSize: Type.Union([Type.Integer(), Type.Null()], { description: 'the newest checkpoint with a verified timestamp token' }),
  witnesses: Type.Array(Type.Object({
    name: Type.String({ description: "the witness's name in the policy" }),
    key: Type.String({ description: 'its cosignature/v1 verifier key (type 0x04)' }),
    url: Type.Union([Type.String(), Type.Null()], { description: 'its submission prefix; null: listed in the policy, not asked' }),
    size: Type.Union([Type.Integer(), Type.Null()], { description: 'the tree size it was last known to be at (null: not known since start)' }),
    lastCosignedAt: Type.Union([Type.String(), Type.Null()], { description: 'when it last cosigned (ISO 8601), null: not since start' }),
    failures: Type.Integer({ description: 'failures in a row' }),
    lastError: Type.Union([Type.String(), Type.Null()], { description: 'the code of its last failure (WITNESS_*), null after a success' }),
  }), { description: 'the witnesses of the policy, with what the log knows of each' }),
  policy: Type.Union([Type.String(), Type.Null()], { description: 'the C2SP tlog-policy the log asks witnesses by (null: no witnesses)' }),
  cosignedTreeSize: Type.Union([Type.Integer(), Type.Null()], { description: 'the newest checkpoint a witness cosigned' }),
  quorumMet: Type.Union([Type.Boolean(), Type.Null()], { description: "whether that checkpoint meets the policy's quorum (null: no policy)" }),
  sm2Key: Type.Union([Type.String(), Type.Null()], { description: 'the SM2 verifier key of the log, when it signs with one' }),
});

export const AnchorReply = Type.Object({
  treeSize: Type.Union([Type.Integer(), Type.Null()]),
  anchors: Type.Array(Type.Object({ tsa: Type.String(), genTime: Type.String(), token: Type.String() })),
  tsa: Type.Array(Type.Object({ url: Type.String(), failures: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]) })),
});

export const CheckpointReply = Type.Object({
  treeSize: Type.Integer(),
  checkpoint: Type.String(),
  anchors: Type.Array(Anchor),
});

/** The labels of an upload, comma-separated in one query value. */
export const LABELS_QUERY_MAX = 4096;

/** The metadata an upload takes in its query (the known string keys but `path`, which an upload has none of). */
const UPLOAD_STRING_KEYS = ['filename', 'title', 'level', 'category', 'note'] as const satisfies readonly (typeof META_STRING_KEYS)[number][];

export const DocumentQuery = Type.Object(
  {
    ...Object.fromEntries(UPLOAD_STRING_KEYS.map((k) => [k, knownStrings[k]])) as Pick<typeof knownStrings, (typeof UPLOAD_STRING_KEYS)[number]>,
    labels: Type.Optional(text(LABELS_QUERY_MAX, `comma-separated, at most ${META_MAX_ARRAY} labels; ${TEXT_DESCRIPTION}`)),
    version: Type.Optional(MetaString),
    prev: Type.Optional(DepositId),
  },
  { additionalProperties: false },
);
export type DocumentQueryT = Static<typeof DocumentQuery>;

/** An upload's metadata, from its query: the known string keys, and labels split at commas. */
export function uploadMeta(q: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const meta: Record<string, string | string[]> = {};
  for (const k of [...UPLOAD_STRING_KEYS, 'version'] as const) {
    const v = q[k];
    if (typeof v === 'string') meta[k] = v;
  }
  if (typeof q.labels === 'string') meta.labels = q.labels.split(',').map((l) => l.trim()).filter(Boolean);
  return meta;
}

/** What the schema refused, as fastify reports it (Ajv's errors). */
export interface SchemaFailure {
  readonly context: string | undefined;
  readonly errors: readonly { readonly instancePath?: string }[];
}

/**
 * Answers a schema refusal with the error the entry's rules give for the refused field, or undefined to
 * answer BAD_REQUEST. Named in a route's config (`explainInvalid`), called by the error handler.
 */
export type ExplainInvalid = (request: FastifyRequest, failure: SchemaFailure) => CunzhengError | undefined;

function entryError(check: () => unknown): CunzhengError | undefined {
  try {
    check();
  } catch (e) {
    if (e instanceof CunzhengError) return e;
    throw e;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const META_PATH = /^(?:\/items\/([0-9]{1,5}))?\/meta(?:\/|$)/;

/** POST /v1/deposits: a refused meta is answered as the entry refuses it (ENTRY_BAD_FIELD, `items[i]: ` in a batch). */
export const explainDepositBody: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'body' || !isObject(request.body)) return undefined;
  for (const e of errors) {
    const m = META_PATH.exec(e.instancePath ?? '');
    if (m === null) continue;
    const items = request.body.items;
    const i = m[1] === undefined ? undefined : Number(m[1]);
    const item = i === undefined ? request.body : Array.isArray(items) ? items[i] : undefined;
    if (!isObject(item)) continue;
    const err = entryError(() => normalizeMeta(item.meta));
    if (err === undefined) continue;
    return i === undefined ? err : new CunzhengError(err.code, `items[${i}]: ${err.message}`, { cause: err, details: { ...err.details, item: i } });
  }
  return undefined;
};

/** POST /v1/admin/tenants: a refused name is TENANT_BAD_NAME, a refused USCC its USCC_* code. */
export const explainTenantBody: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'body' || !isObject(request.body)) return undefined;
  const body = request.body;
  for (const e of errors) {
    if (e.instancePath === '/name') return entryError(() => checkTenantName(body.name));
    if (e.instancePath === '/uscc') return entryError(() => validateUscc(body.uscc));
  }
  return undefined;
};

/** POST /v1/documents: refused metadata in the query is answered as the entry refuses it (ENTRY_BAD_FIELD). */
export const explainDocumentQuery: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'querystring' || !isObject(request.query)) return undefined;
  const query = request.query;
  const owned = new Set<string>([...UPLOAD_STRING_KEYS, 'version', 'labels']);
  if (!errors.some((e) => owned.has((e.instancePath ?? '').slice(1)))) return undefined;
  return entryError(() => normalizeMeta(uploadMeta(query)));
};

/** A decimal query value → a safe integer (the pattern already excludes signs, fractions and huge numbers). */
export function toSafeInt(s: string): number {
  return Number(s);
}

/**
 * JSON Schemas (TypeBox) for every route's input and output. The schema is the validation: unknown fields
 * are rejected (additionalProperties: false, and Ajv never strips them), types are never coerced, and
 * query numbers are decimal strings checked by pattern, then converted with a safe-integer check.
 */
import { Type, type Static } from 'typebox';
import { META_KEY_PATTERN } from './schema-regexp.js';

// Requests may spell hex in either case: hex-fields.ts lowercases it before these patterns are checked.
export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$', description: '64 hex characters (uppercase is accepted and stored lowercase)' });
export const DepositId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'deposit id: 32 hex characters (uppercase is accepted)' });
export const Base64Hash = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });
export const DecimalString = Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$', description: 'a decimal integer below 2^53' });

export const ErrorBody = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), message: Type.String() },
  { $id: 'Error', description: 'Every error: a stable code and a human message.' },
);

const MetaValue = Type.Union([
  Type.String({ maxLength: 1024 }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 32 }),
]);

export const Meta = Type.Record(Type.String({ pattern: META_KEY_PATTERN }), MetaValue, {
  maxProperties: 32,
  description: 'metadata: title, level (密级), category, labels, filename, path, version, note, …',
});

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

export const Anchor = Type.Object({
  type: Type.Literal('rfc3161'),
  checkpoint: Type.String(),
  token: Type.String(),
  consistency: Type.Array(Base64Hash),
});

export const Receipt = Type.Object(
  {
    format: Type.Literal('cunzheng/receipt/v1'),
    id: DepositId,
    entry: Type.String({ description: 'base64 of the exact entry bytes' }),
    index: Type.Integer({ minimum: 0 }),
    proof: Type.Array(Base64Hash),
    checkpoint: Type.String({ description: 'the signed checkpoint note' }),
    anchors: Type.Array(Anchor),
    log: Type.Object({ origin: Type.String(), key: Type.String() }),
  },
  { $id: 'Receipt' },
);

export const BatchReply = Type.Object({
  receipts: Type.Array(Type.Ref('Receipt')),
  created: Type.Array(Type.Boolean(), { description: 'per item: false when the digest had been deposited before' }),
});

export const ProofReply = Type.Object({ proof: Type.Array(Base64Hash) });

export const TenantBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 256 }), uscc: Type.String({ minLength: 1, maxLength: 64 }) },
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
  witnesses: Type.Array(Type.String()),
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

export const DocumentQuery = Type.Object(
  {
    filename: Type.Optional(Type.String({ maxLength: 1024 })),
    title: Type.Optional(Type.String({ maxLength: 1024 })),
    level: Type.Optional(Type.String({ maxLength: 1024 })),
    category: Type.Optional(Type.String({ maxLength: 1024 })),
    labels: Type.Optional(Type.String({ maxLength: 4096, description: 'comma-separated' })),
    version: Type.Optional(Type.String({ maxLength: 1024 })),
    note: Type.Optional(Type.String({ maxLength: 1024 })),
    prev: Type.Optional(DepositId),
  },
  { additionalProperties: false },
);
export type DocumentQueryT = Static<typeof DocumentQuery>;

/** A decimal query value → a safe integer (the pattern already excludes signs, fractions and huge numbers). */
export function toSafeInt(s: string): number {
  return Number(s);
}

/**
 * The JSON Schema of a receipt (the OpenAPI `Receipt`, `$id: 'Receipt'`) and of the deposit replies, next
 * to the receipt they describe: the HTTP API documents its replies with these, and test/receipt/schema.test.ts
 * holds them to what buildReceipt, withAnchors and the reply writer produce. A structural description:
 * canonical base64, the id's derivation and every signature are parseReceipt's and verifyReceipt's checks.
 * TypeBox values are plain JSON Schema objects: `JSON.stringify(ReceiptSchema)` is the schema as served.
 */
import { Type } from 'typebox';
import { MAX_ANCHORS, MAX_CRL_BASE64_CHARS, MAX_OCSP_BASE64_CHARS, MAX_PROOF_HASHES, MAX_REVOCATION_ITEMS, RECEIPT_FORMAT, RECEIPT_FORMAT_V2 } from './receipt.js';

/** Standard base64 of a 32-byte hash. */
export const Base64HashSchema = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });

/** Revocation evidence for one certificate of the TSA chain (receipt v2). */
export const AnchorRevocationSchema = Type.Object(
  {
    cert: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the DER certificate, lowercase hex' }),
    ocsp: Type.Optional(Type.String({ maxLength: MAX_OCSP_BASE64_CHARS, description: 'base64 DER OCSPResponse (RFC 6960)' })),
    crl: Type.Optional(Type.String({ maxLength: MAX_CRL_BASE64_CHARS, description: 'base64 DER CRL (RFC 5280)' })),
  },
  { additionalProperties: false },
);

export const AnchorSchema = Type.Object(
  {
    type: Type.Literal('rfc3161'),
    checkpoint: Type.String({ description: 'the signed checkpoint note the token stamps' }),
    token: Type.String({ description: 'base64 DER of the RFC 3161 TimeStampToken' }),
    consistency: Type.Array(Base64HashSchema, { maxItems: MAX_PROOF_HASHES, description: "from the receipt's checkpoint to the anchor's; empty when they are the same" }),
    revocation: Type.Optional(
      Type.Array(AnchorRevocationSchema, {
        minItems: 1,
        maxItems: MAX_REVOCATION_ITEMS,
        description: 'receipt v2 only: the TSA chain\'s revocation evidence, fetched with the token, checked as of its genTime',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReceiptSchema = Type.Object(
  {
    format: Type.Union([Type.Literal(RECEIPT_FORMAT), Type.Literal(RECEIPT_FORMAT_V2)], {
      description: 'v2 exactly when an anchor carries `revocation` (the parser refuses `revocation` in a v1 receipt)',
    }),
    id: Type.String({ pattern: '^[0-9a-f]{32}$', description: "deposit id: the first 16 bytes of the entry's leaf hash, lowercase hex" }),
    entry: Type.String({ description: 'base64 of the exact entry bytes' }),
    index: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    proof: Type.Array(Base64HashSchema, { maxItems: MAX_PROOF_HASHES }),
    checkpoint: Type.String({ description: 'the signed checkpoint note' }),
    anchors: Type.Array(AnchorSchema, { maxItems: MAX_ANCHORS }),
    log: Type.Object({ origin: Type.String(), key: Type.String({ description: "the log's C2SP verifier key" }) }, { additionalProperties: false }),
  },
  { $id: 'Receipt', additionalProperties: false },
);

/** The reply to a batch deposit (`batchReplyJson`); the receipts refer to `ReceiptSchema` by its $id. */
export const BatchReplySchema = Type.Object(
  {
    receipts: Type.Array(Type.Ref('Receipt')),
    created: Type.Array(Type.Boolean(), { description: 'per item: false when the digest had been deposited before' }),
  },
  { additionalProperties: false },
);

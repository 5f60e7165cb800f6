/**
 * POST /v1/evidence's body: the deposits whose documents the evidence package (证据包, src/evidence/) holds,
 * the matter (案由) and the certificates' language. A body the schema refuses is answered EVIDENCE_BAD_BODY
 * with the field (routes/evidence.ts explains Ajv's failure), never the generic BAD_REQUEST.
 */
import { Type, type Static } from 'typebox';
import { TEXT_RULE } from '../entry/index.js';
import { DepositId } from './schemas.js';

/** Deposit ids in one request, at most. */
export const MAX_EVIDENCE_IDS = 1000;
/** The matter's length, at most (the package's deposit is titled `证据包 <title>`, within the entry's 200). */
export const MAX_EVIDENCE_TITLE = 190;

export const EvidenceBody = Type.Object({
  ids: Type.Array(DepositId, {
    minItems: 1, maxItems: MAX_EVIDENCE_IDS,
    description: `1 to ${MAX_EVIDENCE_IDS} deposit ids: each names its document, whose every version and event is packaged (repeats and ids of one document count once)`,
  }),
  title: Type.Optional(Type.String({ maxLength: MAX_EVIDENCE_TITLE, pattern: TEXT_RULE.pattern, description: `案由, the matter: printed in the README and the manifest, and the package deposit's title (at most ${MAX_EVIDENCE_TITLE} characters, no control characters)` })),
  lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: "the certificates' language (default zh)" })),
}, { additionalProperties: false });

export type EvidenceBodyT = Static<typeof EvidenceBody>;

/** The 200 answer, for the OpenAPI document: a zip, streamed (chunked, the package id in a trailer). */
export const EvidenceZip = {
  description: 'the evidence package (application/zip), streamed; its deposit id in the trailer Cunzheng-Package-Id',
  content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
};

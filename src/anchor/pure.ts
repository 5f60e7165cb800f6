/**
 * The offline half of the anchor: building requests and verifying tokens, with no I/O and no clock. This is what
 * receipt verification (the CLI's `verify`, a browser) imports; it never loads the HTTP client.
 */
export type { TsaError, TsaErrorCode } from './errors.js';
export { buildTimestampRequest, type TimestampRequest, type TimestampRequestOptions } from './timestamp-request.js';
export { MAX_RESPONSE_BYTES, parseTimeStampResponse } from './timestamp-response.js';
export {
  checkTimestampToken,
  type CheckTimestampOptions,
  type TimestampAccuracy,
  type TimestampVerification,
  verifyTimestampToken,
  type VerifyTimestampOptions,
} from './verify-token.js';
export { MAX_TOKEN_BYTES } from './token.js';
export { MAX_PEM_CHARS, parsePemCertificates } from './pem.js';
export {
  certificateHash,
  type CertificateRevocation,
  MAX_EVIDENCE_ITEMS,
  type RevocationEvidence,
  type RevocationOptions,
  type RevocationReport,
  type RevocationSource,
  verifyRevocation,
} from './revocation.js';
export { type RevocationInvalidCase } from './revocation-common.js';
export { MAX_OCSP_BYTES } from './revocation-ocsp.js';
export { MAX_CRL_BYTES, MAX_CRL_ENTRIES } from './revocation-crl.js';
export { buildOcspRequest, revocationUrls, type RevocationUrls } from './revocation-request.js';

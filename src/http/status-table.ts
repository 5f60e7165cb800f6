/**
 * Every error code the code base can produce, and the HTTP status it is answered with: this table and
 * nothing else (no rule by prefix). test/http/status-table.test.ts reads every src/**\/*.ts for the codes
 * given to `new CunzhengError(…)`, to the helpers that take a code (tsaError, merkleError, …) and to
 * httpAnswer, and holds the table equal to them: a code thrown and missing here, or listed and thrown
 * nowhere, fails it. src/http/README.md lists the same codes (checked by the same test).
 *
 * Codes that can never reach an HTTP client (raised while the service starts, by fsck, or by the library's
 * offline verification) are listed in NOT_OVER_HTTP with where they belong; if one ever did reach the error
 * handler it would be a 500.
 */

/** Codes answered over HTTP, by status. */
export const STATUS_BY_CODE = {
  // the HTTP layer's own answers (httpAnswer)
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  BAD_URL: 400,
  BAD_HTTP_REQUEST: 400,
  BODY_TOO_LARGE: 413,
  URL_TOO_LONG: 414,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  // client mistakes: what a request carries
  BAD_HEX_FIELD: 400,
  BAD_TILE_PATH: 400,
  DOCUMENT_ABORTED: 400,
  DOCUMENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  AUTH_RATE_LIMITED: 429,
  NOT_FOUND: 404,
  DEPOSIT_PREV_NOT_FOUND: 404,
  DEPOSIT_BAD_BATCH: 400,
  DEPOSIT_BAD_DIGEST: 400,
  TENANT_BAD_NAME: 400,
  ENTRY_BAD_FIELD: 400,
  ENTRY_BAD_UTF8: 400,
  ENTRY_BAD_VERSION: 400,
  ENTRY_DUPLICATE_KEY: 400,
  ENTRY_MALFORMED: 400,
  ENTRY_NOT_CANONICAL: 400,
  ENTRY_TOO_LARGE: 400,
  ENTRY_UNKNOWN_FIELD: 400,
  USCC_BAD_LENGTH: 400,
  USCC_BAD_CHARACTER: 400,
  USCC_BAD_DIVISION: 400,
  USCC_BAD_ORG_CHECK: 400,
  USCC_BAD_CHECK: 400,
  ANCHOR_NO_TSA: 409,
  // LIFECYCLE: a document's rules (src/lifecycle/rules.ts), refused before anything is written
  LIFECYCLE_ALREADY_CLASSIFIED: 409,
  LIFECYCLE_NOT_CLASSIFIED: 409,
  LIFECYCLE_DESTROYED: 409,
  LIFECYCLE_NOT_GRANTED: 409,
  LIFECYCLE_ALREADY_GRANTED: 409,
  LIFECYCLE_SCOPE_FULL: 409,
  LIFECYCLE_NOT_IN_DOCUMENT: 409,
  LIFECYCLE_NO_EVENT: 409,
  // INVENTORY: GET /v1/inventory's query (src/service/inventory-query.ts)
  INVENTORY_BAD_FILTER: 400,
  INVENTORY_BAD_CURSOR: 400,
  // sizes and indexes a request names that the tree cannot have
  LEDGER_SIZE_BEYOND_TREE: 400,
  LEDGER_BAD_INDEX: 400,
  LEDGER_BAD_SIZE: 400,
  LEDGER_BAD_ENTRY: 400,
  CHECKPOINT_SIZE_TOO_LARGE: 400,
  INDEX_OUT_OF_RANGE: 400,
  NODE_NOT_IN_TREE: 400,
  TREE_TOO_LARGE: 400,
  BAD_TREE_SIZE: 400,
  BAD_LEAF_INDEX: 400,
  BAD_NODE_ID: 400,
  BAD_NODE_COUNT: 400,
  BAD_COMPACT_RANGE: 400,
  BAD_HASH_LENGTH: 400,
  BAD_PROOF: 400,
  BAD_TILE: 400,
  BAD_TILE_DATA: 400,
  CONSISTENCY_SIZE_ORDER: 400,
  CONSISTENCY_NONEMPTY_PROOF: 400,
  // malformed bytes, keys or names (the crypto and note primitives)
  BAD_BASE64: 400,
  BAD_HEX: 400,
  BAD_LENGTH: 400,
  BAD_UTF8: 400,
  BAD_PUBLIC_KEY: 400,
  BAD_SIGNER_KEY: 400,
  BAD_VERIFIER_KEY: 400,
  BAD_KEY_NAME: 400,
  // backpressure, shutdown and a ledger that cannot take writes now (with Retry-After)
  LEDGER_BUSY: 503,
  LEDGER_CLOSED: 503,
  LEDGER_WRITE_FAILED: 503,
  LEDGER_FENCED: 503,
  LEDGER_BEHIND_SIGNED_CHECKPOINT: 503,
  STORE_FENCED: 503,
  STORE_FULL: 503,
  SERVICE_CLOSING: 503,
  SERVICE_BUSY: 503,
  TENANT_BUSY: 503,
  // upstream: no TSA issued a verified token
  ANCHOR_FAILED: 502,
  // the service's own state (the code stays in the body, the message is generic)
  STORE_CORRUPT: 500,
  STORE_WAL_CORRUPT: 500,
  LEDGER_CORRUPT: 500,
  LEDGER_INTERNAL: 500,
  LEDGER_SIGNING_REFUSED: 500,
  WORKER_BAD_POOL: 500,
  WORKER_CLOSED: 500,
  WORKER_FAILED: 500,
  WORKER_UNKNOWN_JOB: 500,
  // what the service built or stored itself failing its own checks (never the client's doing)
  CHECKPOINT_BAD_ROOT_HASH: 500,
  CHECKPOINT_BAD_SIZE: 500,
  CHECKPOINT_MALFORMED: 500,
  CHECKPOINT_ORIGIN_MISMATCH: 500,
  CHECKPOINT_UNSIGNED_BY_LOG: 500,
  COSIGNATURE_BAD_TIME: 500,
  COSIGNATURE_MALFORMED: 500,
  KEY_ID_MISMATCH: 500,
  UNSUPPORTED_KEY_TYPE: 500,
  NOTE_AMBIGUOUS_VERIFIER: 500,
  NOTE_BAD_SIGNATURE: 500,
  NOTE_BAD_SIGNATURE_LINE: 500,
  NOTE_BAD_UTF8: 500,
  NOTE_CONTROL_CHARACTER: 500,
  NOTE_MALFORMED: 500,
  NOTE_TOO_LARGE: 500,
  NOTE_TOO_MANY_SIGNATURES: 500,
  NOTE_UNVERIFIED: 500,
  ROOT_MISMATCH: 500,
  OLD_ROOT_MISMATCH: 500,
  NEW_ROOT_MISMATCH: 500,
  PROOF_TOO_SHORT: 500,
  PROOF_TOO_LONG: 500,
  TSA_TIME_BEFORE_CHECKPOINT: 500,
} as const satisfies Record<string, number>;

/** Codes that never reach an HTTP client, and where they are raised instead. */
export const NOT_OVER_HTTP = {
  ADMIN_TOKEN_BAD_CHARACTER: 'serve start',
  ADMIN_TOKEN_FILE_TOO_SHORT: 'serve start',
  ADMIN_TOKEN_TOO_SHORT: 'serve start',
  ANCHOR_NO_ROOTS: 'serve start',
  SERVICE_BAD_WORKERS: 'serve start',
  BAD_ADMISSION_LIMIT: 'serve start (buildApp options)',
  BAD_AUTH_LIMIT: 'serve start (buildApp options)',
  LOG_KEY_INVALID: 'opening the data folder',
  LOG_KEY_MISSING: 'opening the data folder',
  LOG_ORIGIN_MISMATCH: 'opening the data folder',
  LEDGER_FORKED: 'opening the data folder',
  STORE_LOCKED: 'opening the data folder',
  STORE_OPEN_FAILED: 'opening the data folder',
  SIGNED_RECORD_CORRUPT: 'opening the data folder',
  SIGNED_RECORD_MISSING: 'opening the data folder',
  SIGNED_RECORD_TOO_LARGE: 'opening the data folder',
  SIGNED_RECORD_UNREADABLE: 'opening the data folder',
  STORE_EMPTY: 'fsck',
  RECEIPT_ANCHOR_CHECKPOINT_MISMATCH: 'receipt verification (library, cunzheng verify)',
  RECEIPT_BAD_DIGEST_ARGUMENT: 'receipt verification (library, cunzheng verify)',
  RECEIPT_BAD_FIELD: 'receipt verification (library, cunzheng verify)',
  RECEIPT_BAD_FORMAT: 'receipt verification (library, cunzheng verify)',
  RECEIPT_DOCUMENT_MISMATCH: 'receipt verification (library, cunzheng verify)',
  RECEIPT_DUPLICATE_MEMBER: 'receipt verification (library, cunzheng verify)',
  RECEIPT_EVIDENCE_NOT_COMPARED: 'receipt verification (library, cunzheng verify)',
  RECEIPT_ID_MISMATCH: 'receipt verification (library, cunzheng verify)',
  RECEIPT_INDEX_BEYOND_TREE: 'receipt verification (library, cunzheng verify)',
  RECEIPT_MALFORMED: 'receipt verification (library, cunzheng verify)',
  RECEIPT_NO_TRUSTED_KEY: 'receipt verification (library, cunzheng verify)',
  RECEIPT_SM3_MISMATCH: 'receipt verification (library, cunzheng verify)',
  RECEIPT_TOO_LARGE: 'receipt verification (library, cunzheng verify)',
  RECEIPT_UNKNOWN_FIELD: 'receipt verification (library, cunzheng verify)',
  ANCHOR_NOT_COVERING: 'receipt verification (library, cunzheng verify)',
  ANCHOR_ORIGIN_MISMATCH: 'receipt verification (library, cunzheng verify)',
  TLOG_PROOF_MALFORMED: 'cunzheng receipt export/import',
  TLOG_PROOF_NO_ENTRY: 'cunzheng receipt export/import',
  TLOG_PROOF_TOO_LARGE: 'cunzheng receipt export/import',
  TSA_BAD_ARGUMENT: 'anchoring (answered as ANCHOR_FAILED, each TSA\'s failure in the message)',
  TSA_BAD_REPLY: 'anchoring (answered as ANCHOR_FAILED)',
  TSA_BAD_SIGNATURE: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_BAD_SIGNING_CERTIFICATE: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_BAD_URL: 'serve start (--tsa)',
  TSA_CERT_EXPIRED: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_HTTP_ERROR: 'anchoring (ANCHOR_FAILED)',
  TSA_IMPRINT_MISMATCH: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_NAME_MISMATCH: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_NONCE_MISMATCH: 'anchoring (ANCHOR_FAILED)',
  TSA_NOT_TIMESTAMPING_CERT: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_PEM_MALFORMED: 'serve start (--tsa-roots), cunzheng verify',
  TSA_REJECTED: 'anchoring (ANCHOR_FAILED)',
  TSA_ROOT_MALFORMED: 'serve start (--tsa-roots), cunzheng verify',
  TSA_SIGNER_NOT_FOUND: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_TIMEOUT: 'anchoring (ANCHOR_FAILED)',
  TSA_TIME_IN_FUTURE: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_TOKEN_MALFORMED: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_UNREACHABLE: 'anchoring (ANCHOR_FAILED)',
  TSA_UNSUPPORTED: 'anchoring (ANCHOR_FAILED) and token verification',
  TSA_UNTRUSTED_CHAIN: 'anchoring (ANCHOR_FAILED) and token verification',
} as const satisfies Record<string, string>;

export type HttpCode = keyof typeof STATUS_BY_CODE;

/** The status of a code; undefined for a code in neither table (the error handler logs it and answers 500). */
export function statusOfListedCode(code: string): number | undefined {
  if (Object.hasOwn(STATUS_BY_CODE, code)) return STATUS_BY_CODE[code as HttpCode];
  if (Object.hasOwn(NOT_OVER_HTTP, code)) return 500;
  return undefined;
}

/** An answer of the HTTP layer itself (not a thrown error), in this API's error shape. */
export function httpAnswer(code: HttpCode, message: string): { statusCode: number; code: HttpCode; message: string } {
  return { statusCode: STATUS_BY_CODE[code], code, message };
}

/**
 * RFC 3161 timestamp anchors for checkpoints (docs/FORMATS.md "Timestamp anchor").
 *
 *   pure.ts        offline: request building, response parsing, token verification, PEM roots
 *   tsa-client.ts  network: requestTimestamp() against a TSA over HTTP
 *
 * Pure code (receipt verification) imports './pure.js' so the HTTP client is never loaded; the service imports this.
 */
export * from './pure.js';
export { type FetchLike, requestTimestamp, type RequestTimestampOptions, type TimestampResult } from './tsa-client.js';
export {
  type FetchedRevocation,
  fetchRevocation,
  type FetchRevocationOptions,
  type RevocationFailure,
  type RevocationFetch,
} from './revocation-client.js';

/**
 * Timestamp renewal (RFC 4998 §5.2): before the last timestamp's TSA certificate expires, a new timestamp over
 * the hash of that last timeStamp is appended to the last chain. `renewalImprint` says what to ask a TSA to
 * stamp; `renewEvidenceRecord` appends the token it returned, after checking it stamps exactly that.
 */
import { digest, type ErsHash } from './algorithms.js';
import { ersError } from './errors.js';
import { checkCoverage, hashOfAts } from './objects.js';
import { appendToLastChain, parseEvidenceRecord } from './record.js';
import { tokenImprint } from './tstinfo.js';

export interface RenewalImprint {
  /** The hash algorithm of the last chain: the renewal's token must use it. */
  hash: ErsHash;
  /** H(timeStamp of the last ArchiveTimeStamp): the messageImprint the renewal must carry. */
  imprint: Uint8Array;
}

/** What the next timestamp renewal of `der` must stamp. */
export function renewalImprint(der: Uint8Array): RenewalImprint {
  const record = parseEvidenceRecord(der);
  const last = record.chains.at(-1)!;
  const ats = last.at(-1)!;
  const hash = hashOfAts(last[0]!, `ArchiveTimeStamp ${record.chains.length - 1}.0`);
  return { hash, imprint: digest(hash, ats.timeStamp) };
}

/**
 * `der` renewed by `token` (a token over `renewalImprint(der).imprint`), checked to cover `data` and every
 * renewal before it. The token's signature is not checked here: verify the result with the verifier's roots.
 */
export function renewEvidenceRecord(der: Uint8Array, data: Uint8Array, token: Uint8Array): Uint8Array {
  if (!(token instanceof Uint8Array)) throw ersError('ERS_BAD_ARGUMENT', 'the renewal token must be bytes');
  const record = parseEvidenceRecord(der);
  checkCoverage(record, data);
  const imprint = tokenImprint(token, 'renewal token');
  const renewed = appendToLastChain(record, token, imprint.oid, imprint.algorithm);
  checkCoverage(parseEvidenceRecord(renewed), data);
  return renewed;
}

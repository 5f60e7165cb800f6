/**
 * Timestamp renewal (RFC 4998 §5.2): before the last timestamp's TSA certificate expires, a new timestamp over
 * the hash of that last timeStamp is appended to the last chain. `renewalImprint` says what to ask a TSA to
 * stamp; `renewEvidenceRecord` appends the token it returned, after checking it stamps exactly that.
 *
 * The first renewal of a chain stamps H(previous timeStamp) itself. Later ones stamp the hash of a one-list
 * reduced hash tree holding H(timeStamp) of every earlier ATS of the chain (the previous one among them, as RFC
 * 4998 asks): BouncyCastle requires a chain's last ATS to cover every earlier one, and so both read it.
 */
import { digest, type ErsHash } from './algorithms.js';
import { ersError } from './errors.js';
import { hashList } from './hash-tree.js';
import { checkCoverage, hashOfAts } from './objects.js';
import { appendToLastChain, parseEvidenceRecord } from './record.js';
import { tokenImprint } from './tstinfo.js';

export interface RenewalImprint {
  /** The hash algorithm of the last chain: the renewal's token must use it. */
  hash: ErsHash;
  /** The messageImprint the renewal must carry: H(last timeStamp), or the hash of `reducedHashtree`'s list. */
  imprint: Uint8Array;
  /** From the second renewal on: the one list of H(timeStamp) of every ATS of the last chain. */
  reducedHashtree?: Uint8Array[][];
}

/** What the next timestamp renewal of `der` must stamp. */
export function renewalImprint(der: Uint8Array): RenewalImprint {
  const record = parseEvidenceRecord(der);
  const last = record.chains.at(-1)!;
  const hash = hashOfAts(last[0]!, `ArchiveTimeStamp ${record.chains.length - 1}.0`);
  return renewalOf(hash, last.map((a) => a.timeStamp));
}

/** What a renewal after `timeStamps` (the chain so far, exact bytes) stamps. */
export function renewalOf(hash: ErsHash, timeStamps: readonly Uint8Array[]): RenewalImprint {
  if (timeStamps.length === 1) return { hash, imprint: digest(hash, timeStamps[0]!) };
  const list = timeStamps.map((t) => digest(hash, t));
  return { hash, imprint: hashList(hash, list), reducedHashtree: [list] };
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
  const last = record.chains.at(-1)!;
  const { reducedHashtree } = renewalOf(hashOfAts(last[0]!, 'the last chain'), last.map((a) => a.timeStamp));
  const renewed = appendToLastChain(record, token, imprint.oid, imprint.algorithm, reducedHashtree?.[0]);
  checkCoverage(parseEvidenceRecord(renewed), data);
  return renewed;
}

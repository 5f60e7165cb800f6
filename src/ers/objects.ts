/**
 * The object each ArchiveTimeStamp must cover (RFC 4998 §5): the first of the first chain covers the data
 * object; each next one in a chain covers the previous one's timeStamp (timestamp renewal, §5.2); the first of
 * a later chain covers H(H(data) ‖ H(the ArchiveTimeStampSequence of the chains before it)) (hash-tree
 * renewal, §5.2, in the order BouncyCastle uses too). Shared by the builder (which checks its tokens) and the
 * verifier.
 */
import { digest, hashOfOid, type ErsHash } from './algorithms.js';
import { TAG, tlv } from './der.js';
import { ersError } from './errors.js';
import { coverage } from './hash-tree.js';
import type { ArchiveTimeStamp, EvidenceRecord } from './record.js';

/** The hash algorithm of an ATS: its digestAlgorithm, else its timestamp's. */
export function hashOfAts(ats: ArchiveTimeStamp, what: string): ErsHash {
  return hashOfOid(ats.digestAlgorithm?.oid ?? ats.imprint.oid, what);
}

/** Checks that every ATS of `record` covers its object (not the tokens' signatures); the chains' algorithms. */
export function checkCoverage(record: EvidenceRecord, data: Uint8Array): ErsHash[] {
  const hashes: ErsHash[] = [];
  record.chains.forEach((chain, c) => {
    const hash = hashOfAts(chain[0]!, `ArchiveTimeStamp ${c}.0`);
    hashes.push(hash);
    chain.forEach((ats, i) => {
      const what = `ArchiveTimeStamp ${c}.${i}`;
      if (hashOfAts(ats, what) !== hash) throw ersError('ERS_CHAIN_BROKEN', `${what}: a chain uses one hash algorithm (${hash}), this one another`, { chain: c, index: i });
      if (hashOfOid(ats.imprint.oid, `${what} timeStamp`) !== hash) {
        throw ersError('ERS_CHAIN_BROKEN', `${what}: its timestamp stamps another hash algorithm than the ArchiveTimeStamp's (${hash})`, { chain: c, index: i });
      }
      const object = i > 0 ? digest(hash, chain[i - 1]!.timeStamp) : c === 0 ? digest(hash, data) : renewedDataHash(record, c, hash, data);
      const result = coverage(ats, hash, object);
      if (result === 'covered') return;
      if (result === 'tree-mismatch') throw ersError('ERS_HASH_TREE_MISMATCH', `${what}: its reduced hash tree does not lead to the hash its timestamp stamps`, { chain: c, index: i });
      if (c === 0 && i === 0) throw ersError('ERS_DATA_MISMATCH', `the evidence record does not cover this data object (its ${hash} is not what the first ArchiveTimeStamp stamps)`);
      throw ersError('ERS_CHAIN_BROKEN', `${what}: does not cover ${i > 0 ? `the timestamp of ArchiveTimeStamp ${c}.${i - 1}` : `the data object and the chains before it`}`, { chain: c, index: i });
    });
  });
  return hashes;
}

/** H(H(d) ‖ H(ArchiveTimeStampSequence of chains 0 … c−1)), the object of chain c's first ATS. */
function renewedDataHash(record: EvidenceRecord, c: number, hash: ErsHash, data: Uint8Array): Uint8Array {
  const previous = tlv(TAG.SEQUENCE, ...record.chainBytes.slice(0, c));
  return digest(hash, digest(hash, data), digest(hash, previous));
}

/**
 * Building an evidence record from RFC 3161 tokens already obtained: each token becomes an ArchiveTimeStamp
 * with neither digestAlgorithm (the timestamp's hash algorithm is the ATS's, RFC 4998 §4.1) nor reduced hash
 * tree (a single data object: the token's messageImprint is the data object's hash itself, §4.2).
 * digestAlgorithms lists each algorithm once, as the tokens' messageImprint AlgorithmIdentifier spells it.
 */
import { encodeEvidenceRecord, parseEvidenceRecord } from './record.js';
import { ersError } from './errors.js';
import { checkCoverage } from './objects.js';
import { tokenImprint } from './tstinfo.js';
import { equalBytes, hashOfOid } from './algorithms.js';
import { renewalOf } from './renew.js';

/**
 * The DER EvidenceRecord over `data` from `chains` of tokens: the first token of the first chain stamps the
 * data object's hash; each next token of a chain stamps the hash of the token before it (timestamp renewal);
 * the first token of a later chain stamps H(H(data) ‖ H(the chains before it)) (hash-tree renewal).
 * ERS_DATA_MISMATCH / ERS_CHAIN_BROKEN when a token does not stamp what its place requires. Signatures and
 * certificates are not checked here: verifyEvidenceRecord does that, with the verifier's roots.
 */
export function buildEvidenceRecord(data: Uint8Array, chains: readonly (readonly Uint8Array[])[]): Uint8Array {
  if (!(data instanceof Uint8Array)) throw ersError('ERS_BAD_ARGUMENT', 'the data object must be bytes');
  if (!Array.isArray(chains) || chains.length === 0 || chains.some((c) => !Array.isArray(c) || c.length === 0 || c.some((t) => !(t instanceof Uint8Array)))) {
    throw ersError('ERS_NO_ANCHOR', 'no timestamp token to build an evidence record from');
  }
  const algorithms = new Map<string, Uint8Array>();
  chains.forEach((chain, c) => chain.forEach((token: Uint8Array, i: number) => {
    const imprint = tokenImprint(token, `token ${c}.${i}`);
    if (!algorithms.has(imprint.oid)) algorithms.set(imprint.oid, imprint.algorithm);
  }));
  // A renewal after the first stamps either H(previous timeStamp) (no tree) or, as renewEvidenceRecord makes
  // them, the one-list tree of every earlier timeStamp of its chain: the tree is written when the token says so.
  const lists = chains.map((chain) => chain.map((token: Uint8Array, i: number) => {
    if (i < 2) return undefined;
    const imprint = tokenImprint(token, `token ${chains.indexOf(chain)}.${i}`);
    const renewal = renewalOf(hashOfOid(imprint.oid, 'renewal token'), chain.slice(0, i));
    return renewal.reducedHashtree !== undefined && equalBytes(renewal.imprint, imprint.digest) ? renewal.reducedHashtree[0] : undefined;
  }));
  const der = encodeEvidenceRecord([...algorithms.values()], chains, lists);
  checkCoverage(parseEvidenceRecord(der), data);
  return der;
}

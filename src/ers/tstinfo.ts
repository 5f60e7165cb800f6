/**
 * The messageImprint of an RFC 3161 token (ContentInfo → SignedData → encapContentInfo → TSTInfo), read
 * without trusting it: an ArchiveTimeStamp without digestAlgorithm uses the hash algorithm of its timestamp
 * (RFC 4998 §4.1), and the builder checks the token stamps the data object. The signature, certificates and
 * everything else are checked by src/anchor's verifyTimestampToken.
 */
import * as asn1js from 'asn1js';
import { children, encodedBytes, integerOf, isContext, octetsOf, oidOf, errorText, type AsnNode } from './der.js';
import { ersError } from './errors.js';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

export interface TokenImprint {
  /** The hash algorithm's OID and its exact AlgorithmIdentifier bytes, as the token carries them. */
  oid: string;
  algorithm: Uint8Array;
  digest: Uint8Array;
}

/** The imprint of `contentInfo` (an already parsed node of a record, or the DER of a token). */
export function tokenImprint(contentInfo: AsnNode | Uint8Array, what: string): TokenImprint {
  const node = contentInfo instanceof Uint8Array ? parseNested(contentInfo, what) : contentInfo;
  const [type, explicit] = children(node, `${what}: ContentInfo`, { min: 2, max: 2 });
  if (oidOf(type, `${what}: ContentInfo contentType`) !== SIGNED_DATA || !isContext(explicit, 0)) {
    throw ersError('ERS_MALFORMED', `${what}: the timeStamp is not a SignedData ContentInfo`);
  }
  const [signedData] = children(explicit, `${what}: ContentInfo content`, { min: 1, max: 1 }, 0);
  const fields = children(signedData, `${what}: SignedData`, { min: 4, max: 6 });
  integerOf(fields[0], `${what}: SignedData version`);
  const [eType, eExplicit] = children(fields[2], `${what}: encapContentInfo`, { min: 2, max: 2 });
  if (oidOf(eType, `${what}: eContentType`) !== TST_INFO || !isContext(eExplicit, 0)) {
    throw ersError('ERS_MALFORMED', `${what}: the token's content is not a TSTInfo`);
  }
  const [octets] = children(eExplicit, `${what}: eContent`, { min: 1, max: 1 }, 0);
  const tstInfo = parseNested(octetsOf(octets, `${what}: eContent`), `${what}: TSTInfo`);
  const tst = children(tstInfo, `${what}: TSTInfo`, { min: 5, max: 10 });
  const [algorithm, hashed] = children(tst[2], `${what}: messageImprint`, { min: 2, max: 2 });
  const [oid, ...params] = children(algorithm, `${what}: messageImprint hashAlgorithm`, { min: 1, max: 2 });
  if (params.length === 1 && !(params[0] instanceof asn1js.Null)) {
    throw ersError('ERS_MALFORMED', `${what}: messageImprint hashAlgorithm parameters are neither absent nor NULL`);
  }
  return { oid: oidOf(oid, `${what}: messageImprint hashAlgorithm`), algorithm: encodedBytes(algorithm!), digest: octetsOf(hashed, `${what}: hashedMessage`) };
}

function parseNested(bytes: Uint8Array, what: string): AsnNode {
  let parsed: asn1js.FromBerResult;
  try {
    parsed = asn1js.fromBER(bytes, { maxDepth: 40, maxNodes: 20_000 });
  } catch (err) {
    throw ersError('ERS_MALFORMED', `${what}: not valid DER (${errorText(err)})`, undefined, err);
  }
  if (parsed.offset !== bytes.length || parsed.result.error !== '') throw ersError('ERS_MALFORMED', `${what}: not valid DER`);
  return parsed.result;
}

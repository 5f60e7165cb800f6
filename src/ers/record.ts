/**
 * The EvidenceRecord of RFC 4998 §3 (module ERS, IMPLICIT TAGS), read from hostile DER and written:
 *
 *   EvidenceRecord ::= SEQUENCE { version INTEGER { v1(1) }, digestAlgorithms SEQUENCE OF AlgorithmIdentifier,
 *     cryptoInfos [0] CryptoInfos OPTIONAL, encryptionInfo [1] EncryptionInfo OPTIONAL,
 *     archiveTimeStampSequence ArchiveTimeStampSequence }
 *   ArchiveTimeStampSequence ::= SEQUENCE OF ArchiveTimeStampChain
 *   ArchiveTimeStampChain ::= SEQUENCE OF ArchiveTimeStamp
 *   ArchiveTimeStamp ::= SEQUENCE { digestAlgorithm [0] AlgorithmIdentifier OPTIONAL,
 *     attributes [1] Attributes OPTIONAL, reducedHashtree [2] SEQUENCE OF PartialHashtree OPTIONAL,
 *     timeStamp ContentInfo }
 *   PartialHashtree ::= SEQUENCE OF OCTET STRING
 *
 * Parsing checks structure and bounds only; verify.ts checks what the record proves.
 */
import * as asn1js from 'asn1js';
import { children, decodeRecordDer, encodedBytes, guard, integerOf, isContext, octetsOf, oidOf, TAG, tlv, type AsnNode } from './der.js';
import { ersError } from './errors.js';
import { tokenImprint, type TokenImprint } from './tstinfo.js';

/** Bounds of a record: far above anything renewal produces in decades, far below what would hurt. */
export const ERS_LIMITS = { digestAlgorithms: 8, chains: 32, timeStampsPerChain: 64, hashTreeLists: 64, hashesPerList: 256, hashBytes: 64 } as const;

export interface AlgorithmId {
  oid: string;
  /** The AlgorithmIdentifier's exact bytes (SEQUENCE { OID, parameters }). */
  der: Uint8Array;
}

export interface ArchiveTimeStamp {
  /** [0]: the hash algorithm of this ATS; absent, it is the timestamp's (`imprint.oid`). */
  digestAlgorithm?: AlgorithmId;
  /** [1] present (its content is not interpreted). */
  hasAttributes: boolean;
  /** [2]: the reduced hash tree, lists of hash values, the data object's list first. */
  reducedHashtree?: Uint8Array[][];
  /** The timeStamp ContentInfo (an RFC 3161 TimeStampToken), exact bytes. */
  timeStamp: Uint8Array;
  /** What the token stamps, read without verifying it. */
  imprint: TokenImprint;
  /** The ArchiveTimeStamp's exact bytes. */
  der: Uint8Array;
}

export interface EvidenceRecord {
  digestAlgorithms: AlgorithmId[];
  hasCryptoInfos: boolean;
  hasEncryptionInfo: boolean;
  chains: ArchiveTimeStamp[][];
  /** The exact DER of each ArchiveTimeStampChain (hash-tree renewal hashes the chains before it, §5.2). */
  chainBytes: Uint8Array[];
  /** The exact bytes of the fields before archiveTimeStampSequence (version, digestAlgorithms, [0], [1]). */
  headBytes: Uint8Array[];
}

/** Reads an EvidenceRecord; ERS_MALFORMED for anything that is not one (or exceeds ERS_LIMITS / MAX_RECORD_BYTES). */
export function parseEvidenceRecord(der: Uint8Array): EvidenceRecord {
  const root = decodeRecordDer(der);
  return guard('evidence record', () => {
    const fields = children(root, 'EvidenceRecord', { min: 3, max: 5 });
    if (integerOf(fields[0], 'EvidenceRecord version') !== 1n) throw ersError('ERS_MALFORMED', 'EvidenceRecord version is not 1');
    const digestAlgorithms = children(fields[1], 'digestAlgorithms', { min: 1, max: ERS_LIMITS.digestAlgorithms }).map((a) => algorithmId(a, 'digestAlgorithms'));
    const optional = fields.slice(2, -1);
    const tags = optional.map((n) => (isContext(n, 0) ? 0 : isContext(n, 1) ? 1 : -1));
    if (!tags.every((t, i) => t !== -1 && (i === 0 || t > tags[i - 1]!))) {
      throw ersError('ERS_MALFORMED', 'EvidenceRecord: unexpected element before archiveTimeStampSequence');
    }
    const sequence = children(fields.at(-1), 'ArchiveTimeStampSequence', { min: 1, max: ERS_LIMITS.chains });
    const chains = sequence.map((chain, c) =>
      children(chain, `ArchiveTimeStampChain ${c}`, { min: 1, max: ERS_LIMITS.timeStampsPerChain }).map((ats, i) => archiveTimeStamp(ats, `ArchiveTimeStamp ${c}.${i}`)));
    return {
      digestAlgorithms,
      hasCryptoInfos: tags.includes(0),
      hasEncryptionInfo: tags.includes(1),
      chains,
      chainBytes: sequence.map(encodedBytes),
      headBytes: fields.slice(0, -1).map(encodedBytes),
    };
  });
}

function archiveTimeStamp(node: AsnNode, what: string): ArchiveTimeStamp {
  const fields = children(node, what, { min: 1, max: 4 });
  const timeStampNode = fields.at(-1)!;
  if (!(timeStampNode instanceof asn1js.Sequence)) throw ersError('ERS_MALFORMED', `${what}: timeStamp is not a ContentInfo`);
  const out: ArchiveTimeStamp = { hasAttributes: false, timeStamp: encodedBytes(timeStampNode), imprint: tokenImprint(timeStampNode, `${what} timeStamp`), der: encodedBytes(node) };
  let last = -1;
  for (const field of fields.slice(0, -1)) {
    const tag = [0, 1, 2].find((t) => isContext(field, t));
    if (tag === undefined || tag <= last || !field.idBlock.isConstructed) throw ersError('ERS_MALFORMED', `${what}: unexpected or misordered field`);
    last = tag;
    if (tag === 0) out.digestAlgorithm = algorithmFields(children(field, `${what} digestAlgorithm`, { min: 1, max: 2 }, 0), encodedAsSequence(field), `${what} digestAlgorithm`);
    else if (tag === 1) {
      children(field, `${what} attributes`, { min: 1, max: 64 }, 1);
      out.hasAttributes = true;
    } else {
      out.reducedHashtree = children(field, `${what} reducedHashtree`, { min: 1, max: ERS_LIMITS.hashTreeLists }, 2).map((list, l) =>
        children(list, `${what} PartialHashtree ${l}`, { min: 1, max: ERS_LIMITS.hashesPerList }).map((h) => {
          const value = octetsOf(h, `${what} PartialHashtree ${l}`);
          if (value.length === 0 || value.length > ERS_LIMITS.hashBytes) throw ersError('ERS_MALFORMED', `${what}: a hash value of ${value.length} bytes`);
          return value;
        }));
    }
  }
  return out;
}

function algorithmId(node: AsnNode, what: string): AlgorithmId {
  return algorithmFields(children(node, what, { min: 1, max: 2 }), encodedBytes(node), what);
}

function algorithmFields(fields: AsnNode[], der: Uint8Array, what: string): AlgorithmId {
  const oid = oidOf(fields[0], what);
  if (fields.length === 2 && !(fields[1] instanceof asn1js.Null)) throw ersError('ERS_MALFORMED', `${what}: parameters are neither absent nor NULL`);
  return { oid, der };
}

/** An IMPLICIT [0] AlgorithmIdentifier's bytes re-tagged as the SEQUENCE it stands for (for comparisons). */
function encodedAsSequence(node: AsnNode): Uint8Array {
  const bytes = encodedBytes(node);
  bytes[0] = TAG.SEQUENCE;
  return bytes;
}

/** One ATS as the builder writes it: `{ [2] reducedHashtree (one list)?, timeStamp }`, no digestAlgorithm. */
export function encodeAts(token: Uint8Array, list?: readonly Uint8Array[]): Uint8Array {
  if (list === undefined) return tlv(TAG.SEQUENCE, token);
  return tlv(TAG.SEQUENCE, tlv(TAG.CONTEXT_CONSTRUCTED | 2, tlv(TAG.SEQUENCE, ...list.map((h) => tlv(TAG.OCTET_STRING, h)))), token);
}

/** What the builder writes: one ATS per token (with a one-list reduced hash tree where `lists` gives one). */
export function encodeEvidenceRecord(digestAlgorithms: readonly Uint8Array[], chains: readonly (readonly Uint8Array[])[], lists?: readonly (readonly (Uint8Array[] | undefined)[])[]): Uint8Array {
  const sequence = tlv(TAG.SEQUENCE, ...chains.map((chain, c) => tlv(TAG.SEQUENCE, ...chain.map((token, i) => encodeAts(token, lists?.[c]?.[i])))));
  return tlv(TAG.SEQUENCE, tlv(TAG.INTEGER, Uint8Array.of(1)), tlv(TAG.SEQUENCE, ...digestAlgorithms), sequence);
}

/**
 * `record` with `token` appended, as a new ArchiveTimeStamp `{ timeStamp }`, to its last chain (timestamp
 * renewal); every other byte kept. `algorithm` (an AlgorithmIdentifier's DER) is added to digestAlgorithms
 * when `oid` is not listed yet.
 */
export function appendToLastChain(record: EvidenceRecord, token: Uint8Array, oid: string, algorithm: Uint8Array, list?: readonly Uint8Array[]): Uint8Array {
  const chains = record.chains;
  const last = chains.at(-1)!;
  if (last.length >= ERS_LIMITS.timeStampsPerChain) throw ersError('ERS_BAD_ARGUMENT', `the last chain already holds ${last.length} ArchiveTimeStamps`);
  const head = record.headBytes.slice();
  if (!record.digestAlgorithms.some((a) => a.oid === oid)) {
    head[1] = tlv(TAG.SEQUENCE, ...record.digestAlgorithms.map((a) => a.der), algorithm);
  }
  const lastChain = tlv(TAG.SEQUENCE, ...last.map((a) => a.der), encodeAts(token, list));
  return tlv(TAG.SEQUENCE, ...head, tlv(TAG.SEQUENCE, ...record.chainBytes.slice(0, -1), lastChain));
}

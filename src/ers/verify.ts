/**
 * Verifying an evidence record for a data object (RFC 4998 §5.3), offline, with the caller's TSA roots:
 *
 *   parse (bounded) ─► no encryptionInfo ─► every ATS's hash algorithm listed in digestAlgorithms
 *   ─► coverage: data object → first ATS, each renewal → what it renews (objects.ts, hash-tree.ts)
 *   ─► each token verified by src/anchor (signature, TSA certificate at genTime, chain to a root)
 *   ─► times: genTimes never go back; each renewed ATS was renewed while its TSA certificate was valid
 *
 * What a verified record proves: the data object existed at the first genTime, and the evidence stayed
 * intact through each renewal. `protectedUntil` is when the last TSA certificate expires: renew before it.
 */
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { verifyTimestampToken, type TimestampVerification } from '../anchor/pure.js';
import { CunzhengError } from '../errors.js';
import type { ErsHash } from './algorithms.js';
import { guard } from './der.js';
import { ersError } from './errors.js';
import { checkCoverage, hashOfAts } from './objects.js';
import { parseEvidenceRecord } from './record.js';

export interface VerifyEvidenceRecordOptions {
  /** Trusted TSA root certificates (DER). */
  roots: readonly Uint8Array[];
  /**
   * The time to verify at (the verifier's clock, or a past date): a genTime later than it is refused
   * (TSA_TIME_IN_FUTURE inside ERS_TIMESTAMP_INVALID), and the last timestamp's TSA certificate must still be
   * valid at it (ERS_EXPIRED: the evidence should have been renewed before). Without it, no such check.
   */
  at?: Date;
}

export interface ArchiveTimeStampVerification {
  genTime: Date;
  /** The TSA's subject (RFC 4514), the token's serial number (hex). */
  tsa: string;
  serialNumber: string;
  /** The end of the TSA certificate's validity. */
  signerNotAfter: Date;
}

export interface EvidenceRecordVerification {
  /** When the data object existed at the latest: the first timestamp's genTime. */
  genTime: Date;
  chains: { hash: ErsHash; timeStamps: ArchiveTimeStampVerification[] }[];
  /** The last timestamp's TSA certificate expiry: the evidence must be renewed before then. */
  protectedUntil: Date;
}

export async function verifyEvidenceRecord(der: Uint8Array, data: Uint8Array, options: VerifyEvidenceRecordOptions): Promise<EvidenceRecordVerification> {
  if (!(data instanceof Uint8Array)) throw ersError('ERS_BAD_ARGUMENT', 'the data object must be bytes');
  if (!Array.isArray(options?.roots)) throw ersError('ERS_BAD_ARGUMENT', 'roots must be an array of DER certificates');
  const record = parseEvidenceRecord(der);
  if (record.hasEncryptionInfo) throw ersError('ERS_UNSUPPORTED', 'the record is over an encrypted data object (encryptionInfo): not supported');
  const listed = new Set(record.digestAlgorithms.map((a) => a.oid));
  record.chains.forEach((chain, c) => chain.forEach((ats, i) => {
    const oid = ats.digestAlgorithm?.oid ?? ats.imprint.oid;
    hashOfAts(ats, `ArchiveTimeStamp ${c}.${i}`);
    if (!listed.has(oid)) throw ersError('ERS_ALGORITHM_NOT_LISTED', `ArchiveTimeStamp ${c}.${i}: its hash algorithm ${oid} is not in digestAlgorithms`, { chain: c, index: i, oid });
  }));
  const hashes = checkCoverage(record, data);

  const chains: EvidenceRecordVerification['chains'] = [];
  let previous: ArchiveTimeStampVerification | undefined;
  for (const [c, chain] of record.chains.entries()) {
    const timeStamps: ArchiveTimeStampVerification[] = [];
    for (const [i, ats] of chain.entries()) {
      const what = `ArchiveTimeStamp ${c}.${i}`;
      const sm3 = hashes[c] === 'SM3';
      let t: TimestampVerification;
      try {
        t = await verifyTimestampToken(ats.timeStamp, {
          imprint: sm3 ? new Uint8Array(32) : ats.imprint.digest,
          ...(sm3 ? { imprintSm3: ats.imprint.digest } : {}),
          roots: [...options.roots],
          ...(options.at === undefined ? {} : { at: options.at }),
        });
      } catch (err) {
        if (!(err instanceof CunzhengError)) throw err;
        throw ersError('ERS_TIMESTAMP_INVALID', `${what}: its timestamp does not verify: ${err.code}: ${err.message}`, { chain: c, index: i, tsaCode: err.code }, err);
      }
      const current: ArchiveTimeStampVerification = {
        genTime: t.genTime, tsa: t.tsa, serialNumber: t.serialNumber, signerNotAfter: notAfter(t.signerCertificate),
      };
      if (previous !== undefined) {
        if (current.genTime < previous.genTime) throw ersError('ERS_CHAIN_BROKEN', `${what}: its genTime is earlier than the timestamp it renews`, { chain: c, index: i });
        if (current.genTime > previous.signerNotAfter) {
          throw ersError('ERS_CHAIN_BROKEN', `${what}: renewed at ${current.genTime.toISOString()}, after the previous TSA certificate expired (${previous.signerNotAfter.toISOString()})`, { chain: c, index: i });
        }
      }
      timeStamps.push(current);
      previous = current;
    }
    chains.push({ hash: hashes[c]!, timeStamps });
  }
  const protectedUntil = previous!.signerNotAfter;
  if (options.at !== undefined && options.at > protectedUntil) {
    throw ersError('ERS_EXPIRED', `at ${options.at.toISOString()} the last timestamp's TSA certificate had expired (${protectedUntil.toISOString()}): the record was not renewed in time`, { protectedUntil: protectedUntil.toISOString() });
  }
  return { genTime: chains[0]!.timeStamps[0]!.genTime, chains, protectedUntil };
}

function notAfter(certificate: Uint8Array): Date {
  return guard('TSA certificate', () => new Certificate({ schema: asn1js.fromBER(certificate).result }).notAfter.value);
}

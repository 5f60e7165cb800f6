/**
 * Structural reading of an RFC 3161 TimeStampToken (RFC 5652 ContentInfo carrying SignedData):
 *
 *   ContentInfo { contentType id-signedData, content [0] EXPLICIT
 *     SignedData { version, digestAlgorithms SET,
 *       encapContentInfo { eContentType id-ct-TSTInfo, eContent [0] EXPLICIT OCTET STRING ── TSTInfo DER },
 *       certificates [0] IMPLICIT SET OF Certificate OPTIONAL,   ◄── the TSA's chain when certReq was TRUE
 *       crls [1] IMPLICIT OPTIONAL,
 *       signerInfos SET SIZE(1) { SignerInfo { sid, digestAlgorithm, signedAttrs [0], signatureAlgorithm,
 *                                               signature, unsignedAttrs [1] OPTIONAL } } } }
 *
 *   TSTInfo { version 1, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber,
 *             genTime GeneralizedTime, accuracy OPTIONAL, ordering DEFAULT FALSE, nonce OPTIONAL,
 *             tsa [0] GeneralName OPTIONAL, extensions [1] OPTIONAL }
 *
 * Threat model: the token is attacker-controlled (it travels inside receipts). This file only checks shape and
 * keeps the exact bytes that signatures and hashes cover (eContent, each certificate); nothing here is trusted
 * until verify-token.ts has checked the signature and the chain. Every failure is TSA_TOKEN_MALFORMED.
 */
import * as asn1js from 'asn1js';
import { Certificate, IssuerAndSerialNumber, SignerInfo, TSTInfo } from 'pkijs';
import { bytesEqual } from '../crypto/index.js';
import { OID } from './algorithms.js';
import {
  contextTagged,
  decodeOne,
  elements,
  encodedBytes,
  guard,
  integerOf,
  octetsOf,
  oidOf,
  printable,
  type AsnNode,
} from './asn1.js';
import { tsaError } from './errors.js';

const M = 'TSA_TOKEN_MALFORMED';

/** Tokens larger than this are not timestamps (real ones, chain included, are 2–10 KiB). */
export const MAX_TOKEN_BYTES = 256 * 1024;
/** More embedded certificates than this is not a TSA chain; it bounds the work of chain building. */
export const MAX_EMBEDDED_CERTIFICATES = 32;

/** A parsed certificate with the exact bytes it was read from (ESS hashes and root matching use these). */
export interface CertRef {
  cert: Certificate;
  der: Uint8Array;
}

export interface ParsedToken {
  tstInfo: TSTInfo;
  /** The exact TSTInfo bytes: what the message-digest attribute covers. */
  eContent: Uint8Array;
  /** genTime read from its GeneralizedTime text (UTC, millisecond precision; finer digits are truncated). */
  genTime: Date;
  signerInfo: SignerInfo;
  certificates: CertRef[];
}

export function parseTimestampToken(der: Uint8Array): ParsedToken {
  if (!(der instanceof Uint8Array)) throw tsaError(M, 'TimeStampToken: expected bytes');
  if (der.length > MAX_TOKEN_BYTES) throw tsaError(M, `TimeStampToken: ${der.length} bytes is larger than ${MAX_TOKEN_BYTES}`);
  const root = decodeOne(der, M, 'TimeStampToken');
  const [contentType, content] = elements(root, M, 'ContentInfo', { min: 2, max: 2 });
  const type = oidOf(contentType, M, 'ContentInfo.contentType');
  if (type !== OID.signedData) throw tsaError(M, `ContentInfo: content type ${type} is not signedData`);
  const explicit = contextTagged(content, 0);
  if (explicit?.length !== 1) throw tsaError(M, 'ContentInfo: content is not [0] EXPLICIT SignedData');
  const signedData = elements(explicit[0], M, 'SignedData', { min: 4, max: 6 });
  // RFC 5652 §5.1: an eContentType other than id-data makes the version 3 (4 and 5 mark attribute/other certificates).
  const version = integerOf(signedData[0], M, 'SignedData.version');
  if (version < 3n || version > 5n) throw tsaError(M, `SignedData: version ${version} is not 3, 4 or 5`);
  const digestAlgorithms = elements(signedData[1], M, 'SignedData.digestAlgorithms', { min: 1, max: 8 }, true).map((algorithm) => {
    const [oid, params] = elements(algorithm, M, 'DigestAlgorithmIdentifier', { min: 1, max: 2 });
    if (params !== undefined && !(params instanceof asn1js.Null)) throw tsaError(M, 'DigestAlgorithmIdentifier: parameters must be NULL or absent');
    return oidOf(oid, M, 'DigestAlgorithmIdentifier');
  });

  const [eContentType, eContentBox] = elements(signedData[2], M, 'EncapsulatedContentInfo', { min: 2, max: 2 });
  const eType = oidOf(eContentType, M, 'eContentType');
  if (eType !== OID.tstInfo) throw tsaError(M, `eContentType ${eType} is not id-ct-TSTInfo`);
  const eContentNodes = contextTagged(eContentBox, 0);
  if (eContentNodes?.length !== 1) throw tsaError(M, 'EncapsulatedContentInfo: eContent is not [0] EXPLICIT');
  const eContent = octetsOf(eContentNodes[0], M, 'eContent');

  const middle = signedData.slice(3, -1);
  const certificates = readCertificates(middle);
  const signerInfos = elements(signedData[signedData.length - 1], M, 'SignedData.signerInfos', { min: 1, max: 1 }, true);
  const signerInfo = guard(M, 'SignerInfo', () => new SignerInfo({ schema: signerInfos[0] }));
  if (signerInfo.signedAttrs === undefined || signerInfo.signedAttrs.attributes.length === 0) {
    throw tsaError(M, 'SignerInfo: signed attributes are required (RFC 3161 §2.4.2)');
  }
  // RFC 5652 §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
  const bySerial = signerInfo.sid instanceof IssuerAndSerialNumber;
  if (!bySerial && skiOf(signerInfo) === undefined) {
    throw tsaError(M, 'SignerInfo: sid is neither issuerAndSerialNumber nor subjectKeyIdentifier');
  }
  if (signerInfo.version !== (bySerial ? 1 : 3)) {
    throw tsaError(M, `SignerInfo: version ${signerInfo.version} does not match its sid form`);
  }
  // The signer's digest algorithm is announced in SignedData.digestAlgorithms (RFC 5652 §5.1).
  if (!digestAlgorithms.includes(signerInfo.digestAlgorithm.algorithmId)) {
    throw tsaError(M, 'SignedData: digestAlgorithms does not list the SignerInfo digest algorithm');
  }

  const tstRoot = decodeOne(eContent, M, 'TSTInfo');
  const fields = elements(tstRoot, M, 'TSTInfo', { min: 5, max: 10 });
  const genTime = readGeneralizedTime(fields[4]);
  const tstInfo = guard(M, 'TSTInfo', () => new TSTInfo({ schema: tstRoot }));
  if (tstInfo.version !== 1) throw tsaError(M, `TSTInfo: version ${tstInfo.version} is not 1`);
  return { tstInfo, eContent, genTime, signerInfo, certificates };
}

/** certificates [0] IMPLICIT CertificateSet OPTIONAL, crls [1] IMPLICIT OPTIONAL — in that order. */
function readCertificates(middle: AsnNode[]): CertRef[] {
  const out: CertRef[] = [];
  let expected = 0;
  for (const node of middle) {
    const certs = contextTagged(node, 0);
    if (certs !== undefined && expected === 0) {
      expected = 1;
      for (const choice of certs) {
        // CertificateChoices: only plain X.509 certificates (a SEQUENCE) matter; tagged alternatives are skipped.
        if (!(choice instanceof asn1js.Sequence)) continue;
        if (out.length >= MAX_EMBEDDED_CERTIFICATES) {
          throw tsaError(M, `SignedData: more than ${MAX_EMBEDDED_CERTIFICATES} certificates`);
        }
        const der = encodedBytes(choice);
        out.push({ cert: guard(M, 'embedded certificate', () => new Certificate({ schema: choice })), der });
      }
      continue;
    }
    if (contextTagged(node, 1) !== undefined && expected <= 1) {
      expected = 2;
      continue;
    }
    throw tsaError(M, 'SignedData: unexpected field between encapContentInfo and signerInfos');
  }
  return out;
}

/** The subjectKeyIdentifier form of a SignerInfo's sid ([0] IMPLICIT OCTET STRING), if that is its form. */
export function skiOf(signerInfo: SignerInfo): Uint8Array | undefined {
  const sid: unknown = signerInfo.sid;
  if (sid instanceof asn1js.Primitive && sid.idBlock.tagClass === 3 && sid.idBlock.tagNumber === 0) {
    return sid.valueBlock.valueHexView.slice();
  }
  return undefined;
}

/** Finds the certificate a SignerInfo names, among `pool`. */
export function findSigner(signerInfo: SignerInfo, pool: readonly CertRef[]): CertRef | undefined {
  const sid = signerInfo.sid;
  if (sid instanceof IssuerAndSerialNumber) {
    return pool.find((c) => c.cert.serialNumber.isEqual(sid.serialNumber) && c.cert.issuer.isEqual(sid.issuer));
  }
  const ski = skiOf(signerInfo);
  if (ski === undefined) return undefined;
  return pool.find((c) => {
    const ext = c.cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
    const value: unknown = ext?.parsedValue;
    return value instanceof asn1js.OctetString && bytesEqual(value.valueBlock.valueHexView, ski);
  });
}

// RFC 3161 §2.4.2: YYYYMMDDhhmmss[.s...]Z — UTC, '.' as the decimal point.
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/;

function readGeneralizedTime(node: AsnNode | undefined): Date {
  if (!(node instanceof asn1js.GeneralizedTime)) throw tsaError(M, 'TSTInfo: genTime is not a GeneralizedTime');
  const text = String.fromCharCode(...node.valueBlock.valueHexView.subarray(0, 32));
  const match = GENERALIZED_TIME.exec(text);
  if (match === null || node.valueBlock.valueHexView.length > 32) {
    throw tsaError(M, `TSTInfo: genTime "${printable(text, 32)}" is not YYYYMMDDhhmmss[.f]Z`);
  }
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0').slice(0, 3));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches impossible dates and leap seconds.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  ) {
    throw tsaError(M, `TSTInfo: genTime "${text}" is not a valid date`);
  }
  return date;
}

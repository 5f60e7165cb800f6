/**
 * OCSP responses (RFC 6960 §4.2) as revocation evidence for one certificate of a TSA chain:
 *
 *   OCSPResponse { responseStatus ENUMERATED successful(0), responseBytes [0] EXPLICIT {
 *     responseType id-pkix-ocsp-basic, response OCTET STRING ── BasicOCSPResponse {
 *       tbsResponseData { version [0] v1, responderID byName [1] Name | byKey [2] SHA-1(key), producedAt,
 *                         responses SEQUENCE OF SingleResponse { certID { hashAlgorithm, issuerNameHash,
 *                           issuerKeyHash, serialNumber }, certStatus good [0] | revoked [1] { revocationTime,
 *                           revocationReason [0] OPTIONAL } | unknown [2], thisUpdate, nextUpdate [0] OPTIONAL,
 *                           singleExtensions [1] OPTIONAL }, responseExtensions [1] OPTIONAL },
 *       signatureAlgorithm, signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL } } }
 *
 * The response is signed by the certificate's issuer itself, or by a delegated responder (RFC 6960 §4.2.2.2): a
 * certificate carried in `certs`, issued and signed by that same issuer, with extendedKeyUsage id-kp-OCSPSigning,
 * valid at producedAt. The responderID must name the signer. Every failure is TSA_REVOCATION_INVALID with a case.
 */
import * as asn1js from 'asn1js';
import { BasicOCSPResponse, Certificate, OCSPResponse, type SingleResponse } from 'pkijs';
import { bytesEqual, toHex } from '../crypto/index.js';
import { digest, hashByOid, OID } from './algorithms.js';
import { contextTagged, decodeOne, elements, encodedBytes, errorText, isOurs } from './asn1.js';
import { validAt } from './chain.js';
import { formatName } from './names.js';
import { instant, invalid, refuseCriticalExtensions, type StatusClaim, verifiedBy } from './revocation-common.js';
import { type CertRef } from './token.js';

/** An OCSP response for one certificate is 1–5 KiB; a responder's own certificate included. */
export const MAX_OCSP_BYTES = 64 * 1024;
const MAX_RESPONSES = 64;
const MAX_RESPONDER_CERTS = 8;
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
/** Extensions a response may mark critical and still be read: none is processed beyond the nonce (never critical). */
const UNDERSTOOD: ReadonlySet<string> = new Set<string>();

export interface ParsedOcsp {
  basic: BasicOCSPResponse;
  tbs: Uint8Array;
  producedAt: Date;
  responses: SingleResponse[];
  certs: CertRef[];
}

/** Reads an OCSPResponse's structure; nothing in it is trusted yet (see checkOcsp). */
export function parseOcspResponse(der: Uint8Array): ParsedOcsp {
  if (!(der instanceof Uint8Array)) throw invalid('malformed', 'OCSP response: expected bytes');
  if (der.length > MAX_OCSP_BYTES) throw invalid('malformed', `OCSP response: ${der.length} bytes is larger than ${MAX_OCSP_BYTES}`);
  try {
    return read(der);
  } catch (err) {
    if (isOurs(err)) {
      if (err.code === 'TSA_REVOCATION_INVALID') throw err;
      throw invalid('malformed', err.message);
    }
    throw invalid('malformed', `OCSP response: ${errorText(err)}`);
  }
}

function read(der: Uint8Array): ParsedOcsp {
  const C = 'TSA_TOKEN_MALFORMED'; // re-coded as TSA_REVOCATION_INVALID/malformed by parseOcspResponse
  const node = decodeOne(der, C, 'OCSPResponse');
  const top = elements(node, C, 'OCSPResponse', { min: 1, max: 2 });
  if (!(top[0] instanceof asn1js.Enumerated)) throw invalid('malformed', 'OCSPResponse: responseStatus is not an ENUMERATED');
  const response = new OCSPResponse({ schema: node });
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw invalid('not-successful', `OCSP responder answered status ${status} (not successful)`, { responseStatus: status });
  const bytes = response.responseBytes;
  if (bytes === undefined) throw invalid('malformed', 'OCSPResponse: successful without responseBytes');
  if (bytes.responseType !== ID_PKIX_OCSP_BASIC) throw invalid('unsupported', `OCSP response type ${bytes.responseType} is not id-pkix-ocsp-basic`);
  const inner = decodeOne(bytes.response.valueBlock.valueHexView, C, 'BasicOCSPResponse');
  const parts = elements(inner, C, 'BasicOCSPResponse', { min: 3, max: 4 });
  const certsBox = parts[3] === undefined ? undefined : contextTagged(parts[3], 0);
  if (parts[3] !== undefined && certsBox?.length !== 1) throw invalid('malformed', 'BasicOCSPResponse: certs is not [0] EXPLICIT');
  const certNodes = certsBox === undefined ? [] : elements(certsBox[0], C, 'BasicOCSPResponse.certs', { min: 0, max: MAX_RESPONDER_CERTS });
  // responses: the only SEQUENCE among ResponseData's fields (the others are tagged or a GeneralizedTime)
  const fields = elements(parts[0], C, 'ResponseData', { min: 3, max: 5 });
  elements(fields.find((n) => n instanceof asn1js.Sequence), C, 'ResponseData.responses', { min: 1, max: MAX_RESPONSES });
  const basic = new BasicOCSPResponse({ schema: inner });
  const data = basic.tbsResponseData;
  if ((data.version ?? 0) !== 0) throw invalid('unsupported', `ResponseData version ${data.version} is not v1`);
  refuseCriticalExtensions(data.responseExtensions, UNDERSTOOD, 'OCSP responseExtensions');
  for (const r of data.responses) refuseCriticalExtensions(r.singleExtensions, UNDERSTOOD, 'OCSP singleExtensions');
  return {
    basic,
    tbs: encodedBytes(parts[0]!),
    producedAt: instant(data.producedAt, 'OCSP producedAt'),
    responses: data.responses,
    certs: certNodes.map((n) => ({ cert: new Certificate({ schema: n }), der: encodedBytes(n) })),
  };
}

/**
 * What a parsed response says about `subject`, issued by `issuer`, once its signature and responder are proven.
 * Throws TSA_REVOCATION_INVALID for every reason the response cannot be relied on.
 */
export async function checkOcsp(parsed: ParsedOcsp, subject: CertRef, issuer: CertRef): Promise<StatusClaim> {
  const single = await findSingle(parsed, subject, issuer);
  const signer = await responder(parsed, issuer);
  if (!(await verifiedBy(parsed.tbs, parsed.basic.signatureAlgorithm, parsed.basic.signature, signer.cert))) {
    throw invalid('bad-signature', `the OCSP response's signature does not verify with the key of ${formatName(signer.cert.subject)}`, {
      responder: formatName(signer.cert.subject),
    });
  }
  const thisUpdate = instant(single.thisUpdate, 'OCSP thisUpdate');
  const nextUpdate = single.nextUpdate === undefined ? undefined : instant(single.nextUpdate, 'OCSP nextUpdate');
  if (nextUpdate !== undefined && nextUpdate < thisUpdate) throw invalid('malformed', 'OCSP nextUpdate is before thisUpdate');
  const claim = { source: 'ocsp' as const, thisUpdate, ...(nextUpdate === undefined ? {} : { nextUpdate }), producedAt: parsed.producedAt };
  const status: unknown = single.certStatus;
  if (!(status instanceof asn1js.BaseBlock) || status.idBlock.tagClass !== 3) throw invalid('malformed', 'OCSP certStatus is not a context tag');
  switch (status.idBlock.tagNumber) {
    case 0:
      return { ...claim, status: 'good' };
    case 1: {
      const fields = (status as asn1js.Constructed).valueBlock.value;
      const time = fields?.[0];
      if (!(time instanceof asn1js.GeneralizedTime)) throw invalid('malformed', 'OCSP RevokedInfo: revocationTime is not a GeneralizedTime');
      const reasonBox = fields.length > 1 ? contextTagged(fields[1], 0) : undefined;
      if (fields.length > 2 || (fields.length === 2 && reasonBox?.length !== 1)) throw invalid('malformed', 'OCSP RevokedInfo: unexpected fields');
      const reasonNode = reasonBox?.[0];
      if (reasonNode !== undefined && !(reasonNode instanceof asn1js.Enumerated)) throw invalid('malformed', 'OCSP revocationReason is not an ENUMERATED');
      return {
        ...claim,
        status: 'revoked',
        revocationTime: instant(time.toDate(), 'OCSP revocationTime'),
        ...(reasonNode === undefined ? {} : { reason: reasonNode.valueBlock.valueDec }),
      };
    }
    case 2:
      throw invalid('status-unknown', `the OCSP responder does not know the certificate ${formatName(subject.cert.subject)}`, {
        serialNumber: serialOf(subject),
      });
    default:
      throw invalid('malformed', `OCSP certStatus [${status.idBlock.tagNumber}] is not good, revoked or unknown`);
  }
}

function serialOf(ref: CertRef): string {
  return toHex(ref.cert.serialNumber.valueBlock.valueHexView);
}

/** The SingleResponse whose CertID names `subject` (RFC 6960 §4.1.1: hashes of the issuer name and key, serial). */
async function findSingle(parsed: ParsedOcsp, subject: CertRef, issuer: CertRef): Promise<SingleResponse> {
  const name = new Uint8Array(subject.cert.issuer.valueBeforeDecode);
  const key = issuer.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const serial = subject.cert.serialNumber.valueBlock.valueHexView;
  for (const single of parsed.responses) {
    const id = single.certID;
    const hash = id.hashAlgorithm.algorithmId === OID.sha1 ? 'SHA-1' : hashByOid(id.hashAlgorithm.algorithmId);
    if (hash === undefined || hash === 'SM3') continue;
    if (!bytesEqual(id.serialNumber.valueBlock.valueHexView, serial)) continue;
    if (!bytesEqual(id.issuerNameHash.valueBlock.valueHexView, await digest(hash, name))) continue;
    if (!bytesEqual(id.issuerKeyHash.valueBlock.valueHexView, await digest(hash, key))) continue;
    return single;
  }
  throw invalid('not-covered', `the OCSP response has no status for ${formatName(subject.cert.subject)} (serial ${serialOf(subject)}) issued by ${formatName(issuer.cert.subject)}`, {
    serialNumber: serialOf(subject),
    responses: parsed.responses.length,
  });
}

/** The certificate whose key must have signed: the issuer itself, or a delegated responder it issued. */
async function responder(parsed: ParsedOcsp, issuer: CertRef): Promise<CertRef> {
  const id: unknown = parsed.basic.tbsResponseData.responderID;
  const names = async (c: CertRef): Promise<boolean> => {
    if (id instanceof asn1js.OctetString) {
      const keyHash = await digest('SHA-1', c.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
      return bytesEqual(id.valueBlock.valueHexView, keyHash);
    }
    try {
      return (id as { isEqual?: (n: unknown) => boolean }).isEqual?.(c.cert.subject) === true;
    } catch {
      return false;
    }
  };
  if (await names(issuer)) return issuer;
  for (const candidate of parsed.certs) {
    if (!(await names(candidate))) continue;
    const delegated = await isDelegatedResponder(candidate, issuer, parsed.producedAt);
    if (delegated) return candidate;
  }
  throw invalid('responder-not-authorized', `the OCSP responder is neither ${formatName(issuer.cert.subject)} nor a responder it authorized (id-kp-OCSPSigning)`, {
    issuer: formatName(issuer.cert.subject),
  });
}

async function isDelegatedResponder(candidate: CertRef, issuer: CertRef, at: Date): Promise<boolean> {
  const eku: unknown = (candidate.cert.extensions ?? []).find((e) => e.extnID === OID.extKeyUsage)?.parsedValue;
  const purposes = (eku as { keyPurposes?: unknown } | undefined)?.keyPurposes;
  if (!Array.isArray(purposes) || !purposes.includes(ID_KP_OCSP_SIGNING)) return false;
  if (!validAt(candidate.cert, at)) return false;
  try {
    if (!candidate.cert.issuer.isEqual(issuer.cert.subject)) return false;
  } catch {
    return false;
  }
  return verifiedBy(new Uint8Array(candidate.cert.tbsView), candidate.cert.signatureAlgorithm, candidate.cert.signatureValue, issuer.cert).catch(() => false);
}

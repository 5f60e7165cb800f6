/**
 * CRLs (RFC 5280 §5) as revocation evidence for one certificate of a TSA chain:
 *
 *   CertificateList { tbsCertList { version v2 OPTIONAL, signature, issuer Name, thisUpdate, nextUpdate OPTIONAL,
 *                       revokedCertificates SEQUENCE OF { userCertificate serial, revocationDate,
 *                                                         crlEntryExtensions OPTIONAL } OPTIONAL,
 *                       crlExtensions [0] EXPLICIT OPTIONAL },
 *                     signatureAlgorithm, signatureValue BIT STRING }
 *
 * Accepted: a complete CRL issued and signed by the certificate's issuer (issuer name equal, keyUsage cRLSign
 * when the issuer has a keyUsage), the same algorithm inside and outside the signature, no critical extension
 * (a delta CRL, an issuing distribution point or an indirect CRL's certificateIssuer is refused rather than
 * half-understood). An entry's reasonCode is read; its invalidityDate, when earlier, is the revocation time.
 * Every failure is TSA_REVOCATION_INVALID with a case.
 */
import * as asn1js from 'asn1js';
import { CertificateRevocationList } from 'pkijs';
import { bytesEqual } from '../crypto/index.js';
import { decodeOne, elements, errorText, isOurs } from './asn1.js';
import { formatName } from './names.js';
import { instant, invalid, keyUsageAllows, refuseCriticalExtensions, type StatusClaim, verifiedBy } from './revocation-common.js';
import type { CertRef } from './token.js';

/** A TSA's CA revokes few certificates; a CRL beyond this is not evidence for one of them. */
export const MAX_CRL_BYTES = 1024 * 1024;
export const MAX_CRL_ENTRIES = 20_000;
const REASON_CODE = '2.5.29.21';
const INVALIDITY_DATE = '2.5.29.24';
const NONE: ReadonlySet<string> = new Set<string>();

/** Reads a CertificateList's structure; nothing in it is trusted yet (see checkCrl). */
export function parseCrl(der: Uint8Array): CertificateRevocationList {
  if (!(der instanceof Uint8Array)) throw invalid('malformed', 'CRL: expected bytes');
  if (der.length > MAX_CRL_BYTES) throw invalid('malformed', `CRL: ${der.length} bytes is larger than ${MAX_CRL_BYTES}`);
  try {
    const C = 'TSA_TOKEN_MALFORMED'; // re-coded below
    const node = decodeOne(der, C, 'CertificateList', { maxDepth: 20, maxNodes: 12 * MAX_CRL_ENTRIES + 200 });
    const [tbs] = elements(node, C, 'CertificateList', { min: 3, max: 3 });
    const fields = elements(tbs, C, 'TBSCertList', { min: 4, max: 7 });
    // revokedCertificates: the only SEQUENCE after issuer (fields 0..2 are version, signature, issuer)
    const list = fields.slice(3).find((n) => n instanceof asn1js.Sequence);
    if (list !== undefined) elements(list, C, 'revokedCertificates', { min: 0, max: MAX_CRL_ENTRIES });
    const crl = new CertificateRevocationList({ schema: node });
    if (crl.version !== 0 && crl.version !== 1) throw invalid('unsupported', `CRL version ${crl.version} is not v1 or v2`);
    refuseCriticalExtensions(crl.crlExtensions?.extensions, NONE, 'CRL extensions');
    for (const entry of crl.revokedCertificates ?? []) refuseCriticalExtensions(entry.crlEntryExtensions?.extensions, NONE, 'CRL entry extensions');
    return crl;
  } catch (err) {
    if (isOurs(err)) {
      if (err.code === 'TSA_REVOCATION_INVALID') throw err;
      throw invalid('malformed', err.message);
    }
    throw invalid('malformed', `CRL: ${errorText(err)}`);
  }
}

/** What a parsed CRL says about `subject`, issued by `issuer`, once its signature is proven. */
export async function checkCrl(crl: CertificateRevocationList, subject: CertRef, issuer: CertRef): Promise<StatusClaim> {
  const named = (() => {
    try {
      return crl.issuer.isEqual(subject.cert.issuer) && crl.issuer.isEqual(issuer.cert.subject);
    } catch {
      return false;
    }
  })();
  if (!named) {
    throw invalid('wrong-issuer', `the CRL is issued by ${formatName(crl.issuer)}, not by ${formatName(subject.cert.issuer)}`, {
      crlIssuer: formatName(crl.issuer),
      issuer: formatName(subject.cert.issuer),
    });
  }
  if (crl.signature.algorithmId !== crl.signatureAlgorithm.algorithmId) {
    throw invalid('malformed', 'CRL: the signature algorithm inside and outside the signed part differ');
  }
  if (!keyUsageAllows(issuer.cert, 6)) throw invalid('bad-signature', `${formatName(issuer.cert.subject)} may not sign CRLs (keyUsage without cRLSign)`);
  if (!(await verifiedBy(new Uint8Array(crl.tbsView), crl.signatureAlgorithm, crl.signatureValue, issuer.cert))) {
    throw invalid('bad-signature', `the CRL's signature does not verify with the key of ${formatName(issuer.cert.subject)}`, {
      issuer: formatName(issuer.cert.subject),
    });
  }
  const thisUpdate = instant(crl.thisUpdate.value, 'CRL thisUpdate');
  const nextUpdate = crl.nextUpdate === undefined ? undefined : instant(crl.nextUpdate.value, 'CRL nextUpdate');
  if (nextUpdate !== undefined && nextUpdate < thisUpdate) throw invalid('malformed', 'CRL nextUpdate is before thisUpdate');
  const claim = { source: 'crl' as const, thisUpdate, ...(nextUpdate === undefined ? {} : { nextUpdate }) };
  const serial = subject.cert.serialNumber.valueBlock.valueHexView;
  const entry = (crl.revokedCertificates ?? []).find((e) => bytesEqual(e.userCertificate.valueBlock.valueHexView, serial));
  if (entry === undefined) return { ...claim, status: 'good' };
  let revocationTime = instant(entry.revocationDate.value, 'CRL revocationDate');
  let reason: number | undefined;
  for (const e of entry.crlEntryExtensions?.extensions ?? []) {
    const value = entryValue(e.extnValue.valueBlock.valueHexView);
    if (e.extnID === REASON_CODE) {
      if (!(value instanceof asn1js.Enumerated)) throw invalid('malformed', 'CRL reasonCode is not an ENUMERATED');
      reason = value.valueBlock.valueDec;
    } else if (e.extnID === INVALIDITY_DATE) {
      if (!(value instanceof asn1js.GeneralizedTime)) throw invalid('malformed', 'CRL invalidityDate is not a GeneralizedTime');
      const invalidity = instant(value.toDate(), 'CRL invalidityDate');
      if (invalidity < revocationTime) revocationTime = invalidity;
    }
  }
  return { ...claim, status: 'revoked', revocationTime, ...(reason === undefined ? {} : { reason }) };
}

function entryValue(bytes: Uint8Array): asn1js.AsnType {
  try {
    return decodeOne(bytes, 'TSA_TOKEN_MALFORMED', 'CRL entry extension');
  } catch (err) {
    throw invalid('malformed', errorText(err));
  }
}

/**
 * Where to ask about a certificate's revocation, and what to send — pure, for the fetcher (revocation-client.ts):
 *
 *   authorityInfoAccess (1.3.6.1.5.5.7.1.1)  accessMethod id-ad-ocsp, accessLocation uniformResourceIdentifier
 *   cRLDistributionPoints (2.5.29.31)        distributionPoint fullName uniformResourceIdentifier
 *   OCSPRequest (RFC 6960 §4.1)              one Request, CertID with SHA-1 (what every responder answers), no nonce
 *
 * URLs are read from a certificate of a verified chain (so from a CA the caller trusts), yet only http(s) URLs of
 * bounded length are returned; ldap and file URLs are skipped.
 */
import { Certificate, CRLDistributionPoints, InfoAccess, OCSPRequest } from 'pkijs';
import { cryptoEngine } from './algorithms.js';
import { decodeOne, errorText } from './asn1.js';
import { tsaError } from './errors.js';

const AIA = '1.3.6.1.5.5.7.1.1';
const CDP = '2.5.29.31';
const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const URI = 6;
const MAX_URLS = 4;

export interface RevocationUrls {
  ocsp: string[];
  crl: string[];
}

function certificate(der: Uint8Array, what: string): Certificate {
  try {
    return new Certificate({ schema: decodeOne(der, 'TSA_BAD_ARGUMENT', what) });
  } catch (err) {
    throw tsaError('TSA_BAD_ARGUMENT', `${what}: not an X.509 certificate (${errorText(err)})`);
  }
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The OCSP responder (AIA) and CRL (CDP) URLs a certificate names; empty lists when it names none. */
export function revocationUrls(certDer: Uint8Array): RevocationUrls {
  const cert = certificate(certDer, 'certificate');
  const out: RevocationUrls = { ocsp: [], crl: [] };
  for (const e of cert.extensions ?? []) {
    const value: unknown = e.parsedValue;
    if (e.extnID === AIA && value instanceof InfoAccess) {
      for (const d of value.accessDescriptions) {
        const url = d.accessMethod === ID_AD_OCSP && d.accessLocation.type === URI ? httpUrl(d.accessLocation.value) : undefined;
        if (url !== undefined && out.ocsp.length < MAX_URLS) out.ocsp.push(url);
      }
    } else if (e.extnID === CDP && value instanceof CRLDistributionPoints) {
      for (const p of value.distributionPoints) {
        const names = Array.isArray(p.distributionPoint) ? p.distributionPoint : [];
        for (const n of names) {
          const url = n.type === URI ? httpUrl(n.value) : undefined;
          if (url !== undefined && out.crl.length < MAX_URLS) out.crl.push(url);
        }
      }
    }
  }
  return out;
}

/** A DER OCSPRequest for `certDer`, issued by `issuerDer` (CertID hashed with SHA-1, RFC 6960 §4.1.1). */
export async function buildOcspRequest(certDer: Uint8Array, issuerDer: Uint8Array): Promise<Uint8Array> {
  const cert = certificate(certDer, 'certificate');
  const issuer = certificate(issuerDer, 'issuer');
  const request = new OCSPRequest();
  try {
    await request.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer }, cryptoEngine());
  } catch (err) {
    throw tsaError('TSA_BAD_ARGUMENT', `cannot build an OCSP request: ${errorText(err)}`);
  }
  return new Uint8Array(request.toSchema(true).toBER(false));
}

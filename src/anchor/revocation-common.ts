/**
 * What the OCSP (revocation-ocsp.ts) and CRL (revocation-crl.ts) readers share: the status they report, the
 * TSA_REVOCATION_INVALID error with its named case, the signature check of a response or list by a certificate's
 * key, and the extension rule (an unknown critical extension is refused).
 *
 * Threat model: revocation evidence travels inside receipts and stored anchors, so every byte is attacker-chosen;
 * nothing read here is trusted before its signature has verified with the key of the certificate's issuer (or of a
 * responder that issuer delegated), and every failure is a CunzhengError.
 */
import * as asn1js from 'asn1js';
import type { AlgorithmIdentifier, Certificate, Extension } from 'pkijs';
import { cryptoEngine, OID, signatureAlgorithm } from './algorithms.js';
import { errorText } from './asn1.js';
import { tsaError } from './errors.js';
import { sm2KeyOf } from './sm2.js';
import { sm2Verify } from '../crypto/sm2.js';

/** Why evidence was refused: `details.case` of TSA_REVOCATION_INVALID. */
export type RevocationInvalidCase =
  | 'malformed' // not a DER OCSPResponse / CertificateList of the accepted shape, or over the bounds
  | 'not-successful' // OCSPResponse.responseStatus is not successful(0)
  | 'unsupported' // a response type, hash or signature algorithm not accepted
  | 'bad-signature' // the signature does not verify with the issuer's (or delegated responder's) key
  | 'responder-not-authorized' // the OCSP signer is neither the issuer nor a certificate it issued for OCSPSigning
  | 'wrong-issuer' // the CRL names another issuer than the certificate's
  | 'not-covered' // the evidence says nothing about this certificate (issuer/serial)
  | 'status-unknown' // the OCSP responder answered unknown
  | 'critical-extension' // an extension marked critical that this verifier does not process
  | 'stale' // the status was established before genTime and does not extend across it
  | 'too-late'; // the status was established too long after genTime, or after the certificate expired

export function invalid(which: RevocationInvalidCase, message: string, details: Record<string, unknown> = {}) {
  return tsaError('TSA_REVOCATION_INVALID', message, { case: which, ...details });
}

/** What one OCSP SingleResponse or one CRL says about one certificate. */
export interface StatusClaim {
  source: 'ocsp' | 'crl';
  status: 'good' | 'revoked';
  /** The time the status is known to be correct (OCSP thisUpdate, CRL thisUpdate). */
  thisUpdate: Date;
  nextUpdate?: Date;
  /** OCSP only: when the responder signed. */
  producedAt?: Date;
  revocationTime?: Date;
  /** CRLReason (RFC 5280 §5.3.1), when given. */
  reason?: number;
}

/** CRLReason names, for messages and reports. */
export const REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** Refuses any critical extension not in `understood` (RFC 5280 §4.2, RFC 6960 §4.4). */
export function refuseCriticalExtensions(extensions: readonly Extension[] | undefined, understood: ReadonlySet<string>, where: string): void {
  for (const e of extensions ?? []) {
    if (e.critical && !understood.has(e.extnID)) {
      throw invalid('critical-extension', `${where}: critical extension ${e.extnID} is not supported`, { extension: e.extnID });
    }
  }
}

/**
 * Does `signature` over `tbs` verify with the key of `signer`, under `algorithm`? SHA-2 with RSA (PKCS #1, PSS) or
 * ECDSA through WebCrypto; SM2-with-SM3 with the standard identifier (src/crypto). A bare key algorithm
 * (rsaEncryption, id-ecPublicKey) names no hash and is refused.
 */
export async function verifiedBy(tbs: Uint8Array, algorithm: AlgorithmIdentifier, signature: asn1js.BitString, signer: Certificate): Promise<boolean> {
  const oid = algorithm.algorithmId;
  const params: unknown = algorithm.algorithmParams;
  if (oid === OID.sm2WithSm3) {
    const key = sm2KeyOf(signer);
    if (key === undefined) return false;
    return sm2Verify(key, tbs, signature.valueBlock.valueHexView);
  }
  const known = signatureAlgorithm(oid);
  if (known === undefined || known.hashFromDigest) throw invalid('unsupported', `signature algorithm ${oid} is not supported`);
  if (oid !== '1.2.840.113549.1.1.10' && params !== undefined && !(params instanceof asn1js.Null)) {
    throw invalid('malformed', 'signature algorithm parameters must be NULL or absent');
  }
  try {
    return await cryptoEngine().verifyWithPublicKey(tbs, signature, signer.subjectPublicKeyInfo, algorithm);
  } catch (err) {
    const text = errorText(err);
    if (/unsupported|not supported|unrecognized/i.test(text)) throw invalid('unsupported', `signature cannot be verified: ${text}`);
    return false;
  }
}

/** Does the certificate's keyUsage, when present, assert the bit (0 digitalSignature … 6 cRLSign)? */
export function keyUsageAllows(cert: Certificate, bit: number): boolean {
  const ku: unknown = (cert.extensions ?? []).find((e) => e.extnID === OID.keyUsage)?.parsedValue;
  if (ku === undefined) return true;
  if (!(ku instanceof asn1js.BitString)) return false;
  return (((ku.valueBlock.valueHexView[bit >> 3] ?? 0) << (bit & 7)) & 0x80) !== 0;
}

/** A pkijs date that must be a real instant. */
export function instant(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid('malformed', `${what}: not a valid time`);
  return value;
}

/**
 * SM2 in tokens and certificates (GM/T 0010 CMS, GM/T 0033 time stamping, GB/T 32918.2 signatures), which WebCrypto
 * and pkijs do not know:
 *
 *   key        SubjectPublicKeyInfo { id-ecPublicKey, namedCurve sm2p256v1 1.2.156.10197.1.301 } (what openssl
 *              writes), read by src/crypto's sm2PublicKeyFromSpki
 *   SignerInfo digestAlgorithm SM3 1.2.156.10197.1.401, signatureAlgorithm SM2-with-SM3 1.2.156.10197.1.501 (or
 *              sm2p256v1 / id-ecPublicKey, as GM/T 0010 and some signers write it); the signature is
 *              DER SEQUENCE { r, s } over e = SM3(Z ‖ DER(signedAttrs)), Z with the default identifier
 *              1234567812345678 (GM/T 0009, GB/T 35276)
 *   certificate signatureAlgorithm SM2-with-SM3; the signature over the exact TBSCertificate bytes, same Z rule
 *
 * A signature made with an empty identifier (OpenSSL 3.0 without `distid`, Node's crypto.sign) is not a standard
 * SM2 signature: standard verifiers reject it, and so do we. When a token's signature verifies only with the empty
 * identifier, the failure says so (TSA_SM2_NONSTANDARD_ID), so that an operator learns the TSA is misconfigured
 * rather than suspecting tampering; it is never accepted.
 */
import * as asn1js from 'asn1js';
import type { Certificate } from 'pkijs';
import { sm2PublicKeyFromSpki, sm2Verify } from '../crypto/sm2.js';
import { OID } from './algorithms.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';

/** The SignerInfo signature algorithms read as SM2 (with an SM2 key and the SM3 digest). */
const SM2_SIGNATURE_OIDS: ReadonlySet<string> = new Set([OID.sm2WithSm3, OID.sm2, OID.idEcPublicKey]);

const EMPTY_ID = new Uint8Array(0);

/** Does the certificate hold an SM2 key (id-ecPublicKey on the sm2p256v1 curve, GM/T 0015)? */
export function hasSm2Key(cert: Certificate): boolean {
  try {
    const algorithm = cert.subjectPublicKeyInfo.algorithm;
    if (algorithm.algorithmId !== OID.idEcPublicKey) return false;
    const params: unknown = algorithm.algorithmParams;
    return params instanceof asn1js.ObjectIdentifier && params.valueBlock.toString() === OID.sm2;
  } catch {
    return false;
  }
}

/** The 65-byte SM2 public key of a certificate, or undefined when it has none that can be read. Total. */
export function sm2KeyOf(cert: Certificate): Uint8Array | undefined {
  if (!hasSm2Key(cert)) return undefined;
  try {
    return sm2PublicKeyFromSpki(new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false)));
  } catch {
    return undefined; // SM2_BAD_SPKI: another curve point form, a point off the curve, trailing bytes
  }
}

/** Is this SignerInfo (digest, signature algorithm) an SM2 one, or does it claim SM3, or is the key SM2? */
export function isSm2Signer(digestOid: string, signatureOid: string, signerCert: Certificate): boolean {
  return digestOid === OID.sm3 || signatureOid === OID.sm2WithSm3 || signatureOid === OID.sm2 || hasSm2Key(signerCert);
}

/**
 * Checks an SM2 SignerInfo's algorithms and its signature over `signed` (the DER of the signed attributes, SET OF
 * tag). Throws TSA_UNSUPPORTED (SM3 with another signature, SM2 with another digest), TSA_BAD_SIGNATURE, or
 * TSA_SM2_NONSTANDARD_ID (verifies only with an empty identifier).
 */
export function checkSm2Signature(
  digestOid: string,
  signatureOid: string,
  signed: Uint8Array,
  signature: Uint8Array,
  signerCert: Certificate,
): void {
  const subject = formatName(signerCert.subject);
  if (!SM2_SIGNATURE_OIDS.has(signatureOid)) {
    throw tsaError('TSA_UNSUPPORTED', `signature algorithm ${signatureOid} with ${digestOid === OID.sm3 ? 'SM3' : 'an SM2 key'}: SM3 and SM2 keys are accepted only as SM2-with-SM3`);
  }
  if (digestOid !== OID.sm3) {
    throw tsaError('TSA_UNSUPPORTED', `an SM2 signature with digest algorithm ${digestOid}: SM2 signs with SM3 only (GM/T 0010)`);
  }
  if (!hasSm2Key(signerCert)) {
    throw tsaError('TSA_BAD_SIGNATURE', `the token's signature is SM2, but the key of ${subject} is not an SM2 key`, { subject });
  }
  const key = sm2KeyOf(signerCert);
  if (key === undefined) {
    throw tsaError('TSA_BAD_SIGNATURE', `the SM2 public key of ${subject} cannot be read (not an uncompressed point on sm2p256v1)`, { subject });
  }
  if (sm2Verify(key, signed, signature)) return;
  if (sm2Verify(key, signed, signature, EMPTY_ID)) {
    throw tsaError(
      'TSA_SM2_NONSTANDARD_ID',
      `the token's SM2 signature was made with an empty distinguishing identifier instead of the standard 1234567812345678 (GM/T 0009): ` +
        `standard verifiers reject it; the TSA signs SM2 CMS the way OpenSSL 3.0 does without distid`,
      { subject, id: '' },
    );
  }
  throw tsaError('TSA_BAD_SIGNATURE', `the token's SM2 signature does not verify with the key of ${subject}`, { subject });
}

export type Sm2CertificateCheck = 'ok' | 'bad' | 'empty-id';

/** Is the certificate signed with SM2-with-SM3 (outer and TBS algorithm)? Such a certificate is verified here. */
export function isSm2SignedCertificate(cert: Certificate): boolean {
  return cert.signatureAlgorithm.algorithmId === OID.sm2WithSm3 || cert.signature.algorithmId === OID.sm2WithSm3;
}

/**
 * Verifies an SM2-with-SM3 certificate signature: both AlgorithmIdentifiers SM2-with-SM3 with NULL or absent
 * parameters, the issuer's SM2 key, the signature over the exact TBSCertificate bytes read. 'empty-id' when it
 * verifies only with an empty identifier (a non-standard signature: still not a valid one). Total.
 */
export function checkSm2CertificateSignature(child: Certificate, issuer: Certificate): Sm2CertificateCheck {
  try {
    const plain = (params: unknown): boolean => params === undefined || params instanceof asn1js.Null;
    if (child.signatureAlgorithm.algorithmId !== OID.sm2WithSm3 || child.signature.algorithmId !== OID.sm2WithSm3) return 'bad';
    if (!plain(child.signatureAlgorithm.algorithmParams) || !plain(child.signature.algorithmParams)) return 'bad';
    const key = sm2KeyOf(issuer);
    if (key === undefined) return 'bad';
    const bits = child.signatureValue;
    if (!(bits instanceof asn1js.BitString) || bits.valueBlock.unusedBits !== 0) return 'bad';
    const signature = bits.valueBlock.valueHexView;
    const tbs = child.tbsView;
    if (sm2Verify(key, tbs, signature)) return 'ok';
    return sm2Verify(key, tbs, signature, EMPTY_ID) ? 'empty-id' : 'bad';
  } catch {
    return 'bad'; // an unreadable structure from pkijs: not a signature we can accept
  }
}

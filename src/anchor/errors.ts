/**
 * The closed set of error codes of the RFC 3161 anchor. Each names one fact a caller can act on; they are part
 * of the public contract (the CLI's --json output and receipts' verification reports carry them).
 */
import { CunzhengError } from '../errors.js';

export type TsaErrorCode =
  // the token (a CMS SignedData with a TSTInfo) cannot be read
  | 'TSA_TOKEN_MALFORMED'
  // an algorithm the verifier does not accept (imprint, digest, signature, ESS hash)
  | 'TSA_UNSUPPORTED'
  // the token stamps another digest than the one expected
  | 'TSA_IMPRINT_MISMATCH'
  // the token does not echo the request's nonce
  | 'TSA_NONCE_MISMATCH'
  // no certificate in the token (or the roots) matches the SignerInfo
  | 'TSA_SIGNER_NOT_FOUND'
  // message-digest attribute or signature value does not verify
  | 'TSA_BAD_SIGNATURE'
  // an SM2 signature that verifies only with an empty distinguishing identifier, not the standard 1234567812345678
  | 'TSA_SM2_NONSTANDARD_ID'
  // the signing certificate lacks a critical extendedKeyUsage of exactly id-kp-timeStamping
  | 'TSA_NOT_TIMESTAMPING_CERT'
  // the ESS signing-certificate(-v2) attribute is absent or names another certificate
  | 'TSA_BAD_SIGNING_CERTIFICATE'
  // the TSTInfo's tsa name is not the signing certificate's subject
  | 'TSA_NAME_MISMATCH'
  // a certificate of the chain is not valid at genTime
  | 'TSA_CERT_EXPIRED'
  // no chain from the signing certificate to a trusted root
  | 'TSA_UNTRUSTED_CHAIN'
  // genTime is earlier than the checkpoint it should postdate
  | 'TSA_TIME_BEFORE_CHECKPOINT'
  // genTime is later than the verifier's clock allows
  | 'TSA_TIME_IN_FUTURE'
  // a certificate of the TSA chain was revoked at or before genTime (or after it, for a reason that voids its
  // earlier tokens: RFC 3161 §4); details.revocationTime, details.reason
  | 'TSA_CERT_REVOKED'
  // revocation evidence (OCSP response, CRL) that cannot be relied on; details.case names why
  | 'TSA_REVOCATION_INVALID'
  // revocation was required (requireRevocation) and a certificate of the chain has no evidence
  | 'TSA_REVOCATION_MISSING'
  // the TimeStampResp says the TSA refused
  | 'TSA_REJECTED'
  // the TimeStampResp (or the HTTP reply carrying it) cannot be read
  | 'TSA_BAD_REPLY'
  // a PEM bundle of roots cannot be read
  | 'TSA_PEM_MALFORMED'
  // a trusted root given by the caller is not a certificate
  | 'TSA_ROOT_MALFORMED'
  // an argument of the caller is invalid (not hostile input: a programming or configuration error)
  | 'TSA_BAD_ARGUMENT'
  // client only
  | 'TSA_BAD_URL'
  | 'TSA_UNREACHABLE'
  | 'TSA_TIMEOUT'
  | 'TSA_HTTP_ERROR';

export type TsaError = CunzhengError<TsaErrorCode>;

export function tsaError(
  code: TsaErrorCode,
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): CunzhengError<TsaErrorCode> {
  return new CunzhengError(code, message, {
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}

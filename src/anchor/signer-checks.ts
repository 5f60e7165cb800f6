/**
 * What RFC 3161 and RFC 5816 demand of the certificate that signed a token, beyond the signature itself:
 *
 * - §2.3: the certificate carries exactly one extendedKeyUsage extension, marked critical, whose only purpose is
 *   id-kp-timeStamping. (A key allowed to sign anything else could be made to sign a TSTInfo.) A keyUsage, when
 *   present, must allow digitalSignature or nonRepudiation.
 * - §2.4.1 / RFC 5816: the signed attributes carry ESS signing-certificate (SHA-1 ESSCertID) or signing-certificate-v2
 *   (ESSCertIDv2, SHA-2 or SM3), whose first entry is the hash of the very certificate used — so a certificate with the
 *   same key but other contents (validity, name, usages) cannot be substituted into the token.
 * - §2.4.2: a `tsa` name in the TSTInfo, when a directoryName, must be the certificate's subject.
 */
import * as asn1js from 'asn1js';
import { type Attribute, type Certificate, ExtKeyUsage, IssuerSerial, RelativeDistinguishedNames, type TSTInfo } from 'pkijs';
import { bytesEqual, toHex } from '../crypto/index.js';
import { digest, type HashName, hashByOid, OID } from './algorithms.js';
import { elements, guard, octetsOf, oidOf } from './asn1.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';
import type { CertRef } from './token.js';

const B = 'TSA_BAD_SIGNING_CERTIFICATE';

export function checkTimestampingUsage(cert: Certificate): void {
  const subject = formatName(cert.subject);
  const fail = (why: string): never => {
    throw tsaError('TSA_NOT_TIMESTAMPING_CERT', `signing certificate ${subject} ${why}`, { subject });
  };
  const extensions = cert.extensions ?? [];
  const eku = extensions.filter((e) => e.extnID === OID.extKeyUsage);
  if (eku.length === 0) fail('has no extendedKeyUsage (RFC 3161 §2.3 requires id-kp-timeStamping)');
  if (eku.length > 1) fail('repeats the extendedKeyUsage extension');
  const ext = eku[0]!;
  if (!ext.critical) fail('has a non-critical extendedKeyUsage (RFC 3161 §2.3: it MUST be critical)');
  const usage: unknown = guard('TSA_NOT_TIMESTAMPING_CERT', 'extendedKeyUsage', () => ext.parsedValue);
  const purposes = usage instanceof ExtKeyUsage ? usage.keyPurposes : undefined;
  if (purposes === undefined) fail('has an unreadable extendedKeyUsage');
  if (purposes!.length !== 1 || purposes![0] !== OID.timeStamping) {
    fail(`has extendedKeyUsage ${purposes!.join(', ')}; only id-kp-timeStamping is allowed`);
  }
  const keyUsage = extensions.find((e) => e.extnID === OID.keyUsage);
  if (keyUsage !== undefined) {
    const bits: unknown = guard('TSA_NOT_TIMESTAMPING_CERT', 'keyUsage', () => keyUsage.parsedValue);
    const first = bits instanceof asn1js.BitString ? (bits.valueBlock.valueHexView[0] ?? 0) : 0;
    // bit 0 digitalSignature (0x80), bit 1 nonRepudiation (0x40)
    if ((first & 0xc0) === 0) fail('has a keyUsage allowing neither digitalSignature nor nonRepudiation');
  }
}

/** Checks the ESS signing-certificate(-v2) attribute(s) against the certificate that verified the signature. */
export async function checkSigningCertificate(attributes: readonly Attribute[], signer: CertRef): Promise<void> {
  const v1 = attributes.filter((a) => a.type === OID.signingCertificate);
  const v2 = attributes.filter((a) => a.type === OID.signingCertificateV2);
  if (v1.length === 0 && v2.length === 0) {
    throw tsaError(B, 'the token has no ESS signing-certificate attribute (RFC 3161 §2.4.1, RFC 5816)');
  }
  if (v1.length > 1 || v2.length > 1) throw tsaError(B, 'the ESS signing-certificate attribute is repeated');
  for (const [attribute, version] of [...v1.map((a) => [a, 1] as const), ...v2.map((a) => [a, 2] as const)]) {
    await checkEssCertId(attribute, version, signer);
  }
}

async function checkEssCertId(attribute: Attribute, version: 1 | 2, signer: CertRef): Promise<void> {
  const what = version === 1 ? 'SigningCertificate' : 'SigningCertificateV2';
  if (attribute.values.length !== 1) throw tsaError(B, `${what}: expected exactly one attribute value`);
  const [certs] = elements(attribute.values[0], B, what, { min: 1, max: 2 });
  const ids = elements(certs, B, `${what}.certs`, { min: 1, max: 64 });
  // The first ESSCertID identifies the signing certificate; the others (its chain) are optional hints.
  const first = elements(ids[0], B, 'ESSCertID', { min: 1, max: 3 });
  let hash: HashName = version === 1 ? 'SHA-1' : 'SHA-256';
  let at = 0;
  if (version === 2 && first[0] instanceof asn1js.Sequence) {
    const [algorithm] = elements(first[0], B, 'ESSCertIDv2.hashAlgorithm', { min: 1, max: 2 });
    const oid = oidOf(algorithm, B, 'ESSCertIDv2.hashAlgorithm');
    const named = hashByOid(oid);
    if (named === undefined) throw tsaError('TSA_UNSUPPORTED', `ESSCertIDv2 hash algorithm ${oid} is not SHA-256/384/512 or SM3`);
    hash = named;
    at = 1;
  }
  const certHash = octetsOf(first[at], B, 'ESSCertID.certHash');
  const want = await digest(hash, signer.der);
  if (!bytesEqual(certHash, want)) {
    throw tsaError(B, `${what} names another certificate than the one that signed (${hash} mismatch)`, {
      got: toHex(certHash),
      want: toHex(want),
      hash,
    });
  }
  const issuerSerialNode = first[at + 1];
  if (issuerSerialNode === undefined) return;
  const issuerSerial = guard(B, 'ESSCertID.issuerSerial', () => new IssuerSerial({ schema: issuerSerialNode }));
  if (!issuerSerial.serialNumber.isEqual(signer.cert.serialNumber)) {
    throw tsaError(B, `${what}: issuerSerial names another serial number than the signing certificate's`);
  }
  for (const name of issuerSerial.issuer.names) {
    if (name.type === 4 && name.value instanceof RelativeDistinguishedNames && !name.value.isEqual(signer.cert.issuer)) {
      throw tsaError(B, `${what}: issuerSerial names another issuer than the signing certificate's`);
    }
  }
}

/** RFC 3161 §2.4.2: a directoryName in TSTInfo.tsa must match the signing certificate's subject. */
export function checkTsaName(tstInfo: TSTInfo, signer: Certificate): void {
  const name = tstInfo.tsa;
  if (name === undefined || name.type !== 4) return;
  if (!(name.value instanceof RelativeDistinguishedNames) || !name.value.isEqual(signer.subject)) {
    const got = name.value instanceof RelativeDistinguishedNames ? formatName(name.value) : '(unreadable)';
    throw tsaError('TSA_NAME_MISMATCH', `TSTInfo names the TSA ${got}, but ${formatName(signer.subject)} signed`, {
      got,
      want: formatName(signer.subject),
    });
  }
}

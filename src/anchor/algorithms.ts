/**
 * Object identifiers the anchor understands, and the WebCrypto engine it verifies with. SM3 and SM2 (GM/T 0010,
 * GM/T 0033) are not WebCrypto algorithms: SM3 comes from src/crypto, SM2 signatures are verified in sm2.ts.
 *
 * The engine is our own pkijs CryptoEngine over `globalThis.crypto` (WebCrypto: Node ≥ 20, browsers), passed
 * explicitly to every pkijs call, so another module calling pkijs's global `setEngine` cannot change what verifies.
 */
import { CryptoEngine } from 'pkijs';
import { sm3 } from '../crypto/hash.js';
import { tsaError } from './errors.js';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SM3';

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentTypeAttr: '1.2.840.113549.1.9.3',
  messageDigestAttr: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  extKeyUsage: '2.5.29.37',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  /** SM3 (GB/T 32905, GM/T 0006 OID). */
  sm3: '1.2.156.10197.1.401',
  /** SM2-with-SM3 (GM/T 0006): the signature algorithm of SM2 certificates and SignerInfos. */
  sm2WithSm3: '1.2.156.10197.1.501',
  /** sm2p256v1: the curve of an id-ecPublicKey SM2 key; GM/T 0010 also writes it as a SignerInfo signature algorithm. */
  sm2: '1.2.156.10197.1.301',
  idEcPublicKey: '1.2.840.10045.2.1',
} as const;

/** The hashes accepted in a messageImprint and as the SignerInfo digest: SHA-2 only. */
const SHA2_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

export function sha2ByOid(oid: string): HashName | undefined {
  return Object.hasOwn(SHA2_BY_OID, oid) ? SHA2_BY_OID[oid] : undefined;
}

/** SHA-2 or SM3: the hashes accepted in a messageImprint and an ESSCertIDv2 (Chinese TSAs hash with SM3). */
export function hashByOid(oid: string): HashName | undefined {
  return oid === OID.sm3 ? 'SM3' : sha2ByOid(oid);
}

/**
 * Signature algorithms accepted for the token's SignerInfo. For rsaEncryption and id-ecPublicKey (bare key
 * algorithms some signers write) the hash is the SignerInfo's digestAlgorithm.
 */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { hashFromDigest: boolean }>> = {
  '1.2.840.113549.1.1.1': { hashFromDigest: true }, // rsaEncryption
  '1.2.840.113549.1.1.10': { hashFromDigest: false }, // RSASSA-PSS (hash in its parameters)
  '1.2.840.113549.1.1.11': { hashFromDigest: false }, // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': { hashFromDigest: false }, // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': { hashFromDigest: false }, // sha512WithRSAEncryption
  '1.2.840.10045.2.1': { hashFromDigest: true }, // id-ecPublicKey
  '1.2.840.10045.4.3.2': { hashFromDigest: false }, // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': { hashFromDigest: false }, // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': { hashFromDigest: false }, // ecdsa-with-SHA512
};

export function signatureAlgorithm(oid: string): { hashFromDigest: boolean } | undefined {
  return Object.hasOwn(SIGNATURE_ALGORITHMS, oid) ? SIGNATURE_ALGORITHMS[oid] : undefined;
}

type EngineCrypto = ConstructorParameters<typeof CryptoEngine>[0]['crypto'];

let engine: CryptoEngine | undefined;

export function cryptoEngine(): CryptoEngine {
  if (engine !== undefined) return engine;
  const webcrypto = (globalThis as { crypto?: { subtle?: unknown } }).crypto;
  if (webcrypto?.subtle === undefined) {
    throw tsaError('TSA_UNSUPPORTED', 'WebCrypto (globalThis.crypto.subtle) is not available in this runtime');
  }
  engine = new CryptoEngine({ name: 'cunzheng', crypto: webcrypto as EngineCrypto });
  return engine;
}

export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  if (hash === 'SM3') return sm3(data).slice();
  return new Uint8Array(await cryptoEngine().digest({ name: hash }, data));
}

/**
 * SM2 time-stamp tokens (GM/T 0033 profile of RFC 3161, GM/T 0010 CMS), assembled byte by byte:
 *
 *   ContentInfo { signedData, [0] SignedData { 3, { sm3 }, { id-ct-TSTInfo, [0] TSTInfo }, [0] certs,
 *     { SignerInfo { 1, issuerAndSerialNumber, sm3, [0] signedAttrs, SM2-with-SM3, OCTET STRING DER(r, s) } } } }
 *   signedAttrs = SET OF (DER-sorted) { contentType id-ct-TSTInfo, signingTime, messageDigest SM3(TSTInfo),
 *                                       signingCertificateV2 { ESSCertIDv2 { sm3, SM3(cert), issuerSerial } } }
 *
 * The signature over DER(signedAttrs) comes from outside this code: `openssl pkeyutl -sign -rawin -digest sm3
 * -pkeyopt distid:1234567812345678` (standard), the same without `distid` (what OpenSSL does by default: an empty
 * identifier, not standard), or a function given by the caller (our own sm2Sign).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { Certificate, ContentInfo, SignedData } from 'pkijs';
import { sha256, sm3 } from '../../src/crypto/index.js';
import { openssl } from './pki.js';
import { SM2_DISTID } from './sm2-pki.js';

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
} as const;

/** One DER TLV (definite length). */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat(Uint8Array.of(tag, ...len), body);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const oid = (value: string) => new Uint8Array(new asn1js.ObjectIdentifier({ value }).toBER(false));
const NULL = Uint8Array.of(0x05, 0x00);
const seq = (...c: Uint8Array[]) => tlv(0x30, ...c);
/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
const setOf = (...c: Uint8Array[]) => tlv(0x31, ...[...c].sort(compareBytes));
const attribute = (type: string, value: Uint8Array) => seq(oid(type), setOf(value));

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export interface Sm2TokenOptions {
  /** SignerInfo.signatureAlgorithm (default SM2-with-SM3; GM/T 0010 also writes sm2p256v1 1.2.156.10197.1.301). */
  signatureOid?: string;
  /** SignerInfo.digestAlgorithm (default SM3) — and the hash of the message-digest attribute when SM3 or SHA-256. */
  digestOid?: string;
  /** AlgorithmIdentifier parameters: absent (default) or NULL. */
  nullParams?: boolean;
  /** The ESSCertIDv2 hash (default SM3). */
  essHash?: 'SM3' | 'SHA-256';
}

/** DER of the signed attributes (SET OF tag 0x31: what is signed) for a TSTInfo and the signer certificate. */
export function sm2SignedAttributes(tstInfo: Uint8Array, certDer: Uint8Array, options: Sm2TokenOptions = {}): Uint8Array {
  const cert = new Certificate({ schema: asn1js.fromBER(certDer).result });
  const essSm3 = (options.essHash ?? 'SM3') === 'SM3';
  const certHash = essSm3 ? sm3(certDer) : sha256(certDer);
  const issuer = new Uint8Array(cert.issuer.toSchema().toBER(false));
  const serial = new Uint8Array(cert.serialNumber.toBER(false));
  const essCertIdV2 = seq(...(essSm3 ? [seq(oid(OIDS.sm3))] : []), tlv(0x04, certHash), seq(seq(tlv(0xa4, issuer)), serial));
  const digestOid = options.digestOid ?? OIDS.sm3;
  const messageDigest = digestOid === OIDS.sha256 ? sha256(tstInfo) : sm3(tstInfo);
  const now = new Date().toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return setOf(
    attribute(OIDS.contentType, oid(OIDS.tstInfo)),
    attribute(OIDS.signingTime, tlv(0x17, new TextEncoder().encode(`${now}Z`))),
    attribute(OIDS.messageDigest, tlv(0x04, messageDigest)),
    attribute(OIDS.signingCertificateV2, seq(seq(essCertIdV2))),
  );
}


/** The ContentInfo (TimeStampToken) around a TSTInfo, signed attributes and signature. */
export function assembleSm2Token(
  tstInfo: Uint8Array,
  signedAttrs: Uint8Array,
  signature: Uint8Array,
  certs: Uint8Array[],
  options: Sm2TokenOptions = {},
): Uint8Array {
  const cert = new Certificate({ schema: asn1js.fromBER(certs[0]!).result });
  const params = options.nullParams ? [NULL] : [];
  const digestAlg = seq(oid(options.digestOid ?? OIDS.sm3), ...params);
  const signerInfo = seq(
    tlv(0x02, Uint8Array.of(1)),
    seq(new Uint8Array(cert.issuer.toSchema().toBER(false)), new Uint8Array(cert.serialNumber.toBER(false))),
    digestAlg,
    concat(Uint8Array.of(0xa0), signedAttrs.subarray(1)), // [0] IMPLICIT: the SET OF with its tag replaced
    seq(oid(options.signatureOid ?? OIDS.sm2WithSm3), ...params),
    tlv(0x04, signature),
  );
  const signedData = seq(
    tlv(0x02, Uint8Array.of(3)),
    tlv(0x31, digestAlg),
    seq(oid(OIDS.tstInfo), tlv(0xa0, tlv(0x04, tstInfo))),
    tlv(0xa0, ...certs),
    tlv(0x31, signerInfo),
  );
  return seq(oid(OIDS.signedData), tlv(0xa0, signedData));
}

/** The TSTInfo (eContent) of a token. */
export function tstInfoOf(token: Uint8Array): Uint8Array {
  const signedData = new SignedData({ schema: new ContentInfo({ schema: asn1js.fromBER(token).result }).content });
  return new Uint8Array(signedData.encapContentInfo.eContent!.getValue());
}

/** The signed attributes (DER, SET OF tag) and the signature value of a token's SignerInfo. */
export function signedPartsOf(token: Uint8Array): { signedAttrs: Uint8Array; signature: Uint8Array } {
  const signedData = new SignedData({ schema: new ContentInfo({ schema: asn1js.fromBER(token).result }).content });
  const si = signedData.signerInfos[0]!;
  return { signedAttrs: new Uint8Array(si.signedAttrs!.encodedValue), signature: si.signature.valueBlock.valueHexView.slice() };
}

/** `openssl pkeyutl -sign -rawin -digest sm3 [-pkeyopt distid:…]`: the standard signature, or the empty-id one. */
export async function opensslSm2Sign(keyFile: string, data: Uint8Array, dir: string, { standardId = true } = {}): Promise<Uint8Array> {
  const work = mkdtempSync(join(dir, 'sign-'));
  try {
    writeFileSync(join(work, 'data.der'), data);
    await openssl(
      ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', ...(standardId ? ['-pkeyopt', `distid:${SM2_DISTID}`] : []),
        '-inkey', keyFile, '-in', 'data.der', '-out', 'sig.der'],
      work,
    );
    return new Uint8Array(readFileSync(join(work, 'sig.der')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:… -pubin`: does openssl accept the signature? */
export async function opensslSm2Verify(publicKeyFile: string, data: Uint8Array, signature: Uint8Array, dir: string): Promise<{ ok: boolean; output: string }> {
  const work = mkdtempSync(join(dir, 'vfy-'));
  try {
    writeFileSync(join(work, 'data.der'), data);
    writeFileSync(join(work, 'sig.der'), signature);
    const { stdout, stderr } = await openssl(
      ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${SM2_DISTID}`, '-pubin', '-inkey', publicKeyFile,
        '-in', 'data.der', '-sigfile', 'sig.der'],
      work,
    );
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

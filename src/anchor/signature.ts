/**
 * The CMS signature of a token (RFC 5652 §5.4, §5.6): the signed attributes name the content type id-ct-TSTInfo and
 * carry the digest of the exact TSTInfo bytes; the signature over the DER of those attributes verifies with the
 * signing certificate's key. Algorithms are limited to SHA-2 digests with RSA (PKCS #1 v1.5, PSS) or ECDSA, and SM3
 * with SM2 (GM/T 0010; verified in sm2.ts with the default identifier), and every encoding detail that the signature
 * does not cover is required to be canonical, so a token has one encoding.
 */
import * as asn1js from 'asn1js';
import { bytesEqual, toHex } from '../crypto/index.js';
import { cryptoEngine, digest, type HashName, OID, sha2ByOid, signatureAlgorithm } from './algorithms.js';
import { type AsnNode, decodeOne, elements, errorText, integerOf, octetsOf, oidOf } from './asn1.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';
import { checkSm2Signature, isSm2Signer } from './sm2.js';
import type { CertRef, ParsedToken } from './token.js';

const RSASSA_PSS = '1.2.840.113549.1.1.10';

export async function checkSignature(token: ParsedToken, signer: CertRef): Promise<void> {
  const { signerInfo } = token;
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const sigOid = signerInfo.signatureAlgorithm.algorithmId;
  // SM3 digest, an SM2 signature algorithm or an SM2 key: the SM2 rules (sm2.ts) decide, nothing falls through to
  // WebCrypto (which would read an SM2 key as an unknown curve).
  const sm2 = isSm2Signer(digestOid, sigOid, signer.cert);
  const digestName: HashName | undefined = sm2 && digestOid === OID.sm3 ? 'SM3' : sha2ByOid(digestOid);
  if (digestName === undefined) throw tsaError('TSA_UNSUPPORTED', `SignerInfo digest algorithm ${digestOid} is not SHA-256/384/512 or SM3`);
  const algorithm = sm2 ? { hashFromDigest: false } : signatureAlgorithm(sigOid);
  if (algorithm === undefined) throw tsaError('TSA_UNSUPPORTED', `signature algorithm ${sigOid} is not supported`);

  // Parameters are NULL or absent for SHA-2 and for every accepted signature algorithm but RSASSA-PSS: anything
  // else is malleable padding around the signature, refused so that one signature has one encoding.
  const nullOrAbsent = (params: unknown): boolean => params === undefined || params instanceof asn1js.Null;
  if (!nullOrAbsent(signerInfo.digestAlgorithm.algorithmParams)) {
    throw tsaError('TSA_TOKEN_MALFORMED', 'SignerInfo: digest algorithm parameters must be NULL or absent');
  }
  if (sigOid !== RSASSA_PSS && !nullOrAbsent(signerInfo.signatureAlgorithm.algorithmParams)) {
    throw tsaError('TSA_TOKEN_MALFORMED', 'SignerInfo: signature algorithm parameters must be NULL or absent');
  }

  if (sigOid.startsWith('1.2.840.10045.')) {
    // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, strictly: pkijs would read past a short length.
    const value = signerInfo.signature.valueBlock.valueHexView;
    const parts = elements(decodeOne(value, 'TSA_BAD_SIGNATURE', 'ECDSA signature'), 'TSA_BAD_SIGNATURE', 'ECDSA signature', { min: 2, max: 2 });
    for (const part of parts) integerOf(part, 'TSA_BAD_SIGNATURE', 'ECDSA signature');
  }

  const attributes = signerInfo.signedAttrs!.attributes;
  const single = (type: string, what: string): unknown => {
    const found = attributes.filter((a) => a.type === type);
    if (found.length !== 1 || found[0]!.values.length !== 1) {
      throw tsaError('TSA_TOKEN_MALFORMED', `signed attributes: expected exactly one ${what} attribute`);
    }
    return found[0]!.values[0];
  };
  const contentType = single(OID.contentTypeAttr, 'content-type');
  const contentTypeOid = oidOf(contentType as AsnNode, 'TSA_TOKEN_MALFORMED', 'content-type attribute');
  if (contentTypeOid !== OID.tstInfo) throw tsaError('TSA_TOKEN_MALFORMED', `content-type attribute ${contentTypeOid} is not id-ct-TSTInfo`);
  const messageDigest = single(OID.messageDigestAttr, 'message-digest');
  const claimed = octetsOf(messageDigest as AsnNode, 'TSA_TOKEN_MALFORMED', 'message-digest attribute');
  const actual = await digest(digestName, token.eContent);
  if (!bytesEqual(claimed, actual)) {
    throw tsaError('TSA_BAD_SIGNATURE', 'the message-digest attribute does not match the TSTInfo (the TSTInfo was altered)', {
      got: toHex(claimed),
      want: toHex(actual),
    });
  }

  // The signature covers the DER of the signed attributes with the SET OF tag (RFC 5652 §5.4).
  const signed = new Uint8Array(signerInfo.signedAttrs!.encodedValue);
  if (sm2) {
    checkSm2Signature(digestOid, sigOid, signed, signerInfo.signature.valueBlock.valueHexView, signer.cert);
    return;
  }
  let ok: boolean;
  try {
    ok = await cryptoEngine().verifyWithPublicKey(
      signed,
      signerInfo.signature,
      signer.cert.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      algorithm.hashFromDigest ? digestName : undefined,
    );
  } catch (err) {
    const text = errorText(err);
    const code = /unsupported|not supported|unrecognized/i.test(text) ? 'TSA_UNSUPPORTED' : 'TSA_BAD_SIGNATURE';
    throw tsaError(code, `the token's signature cannot be verified: ${text}`, undefined, err);
  }
  if (!ok) {
    throw tsaError('TSA_BAD_SIGNATURE', `the token's signature does not verify with the key of ${formatName(signer.cert.subject)}`);
  }
}

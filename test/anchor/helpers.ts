/**
 * Shared helpers for the anchor tests: real tokens from the openssl TSA (test/tsa), checkpoint imprints, byte
 * surgery on tokens, and a coded-error assertion.
 */
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, MessageImprint, SignedData, ContentInfo, TimeStampReq } from 'pkijs';
import { expect } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { sha256, utf8 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { stampQuery, type TsaSigner } from '../tsa/test-tsa.js';

/** SHA-256 of a checkpoint body `origin\nsize\nroot\n` (docs/FORMATS.md "Timestamp anchor"). */
export function checkpointImprint(size = 42): Uint8Array {
  return sha256(utf8(`cunzheng.test/log\n${size}\nXbbSjkPlCQ8b3pYQx6uHIuCPpZHGafC3tdPWcBB0j7I=\n`));
}

export interface FreshToken {
  token: Uint8Array;
  imprint: Uint8Array;
  nonce: bigint;
}

/** A token from the real openssl TSA for a fresh request on `imprint`. */
export async function freshToken(signer: TsaSigner = 'tsa', imprint = checkpointImprint()): Promise<FreshToken> {
  const request = buildTimestampRequest(imprint);
  const token = parseTimeStampResponse(await stampQuery(request.der, signer));
  return { token, imprint, nonce: request.nonce };
}

/** A TimeStampReq without nonce and/or without certReq, as other clients send them. */
export function plainQuery(imprint: Uint8Array, { nonce, certReq }: { nonce: boolean; certReq: boolean }): Uint8Array {
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1', algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    ...(nonce ? { nonce: asn1js.Integer.fromBigInt(12345678901234567n) } : {}),
    certReq,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<CunzhengError> {
  let caught: unknown;
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a CunzhengError ${code}, got ${String(value)}`).toBeInstanceOf(CunzhengError);
  expect((caught as CunzhengError).code, (caught as Error).message).toBe(code);
  return caught as CunzhengError;
}

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A copy of `bytes` with the byte at `at` XORed with `mask`. */
export function flipped(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] ?? 0) ^ mask;
  return out;
}

function signedDataOf(token: Uint8Array): SignedData {
  return new SignedData({ schema: new ContentInfo({ schema: asn1js.fromBER(token).result }).content });
}

/** Where the SignerInfo's signature value sits in the token. */
export function signatureOffset(token: Uint8Array): { at: number; length: number } {
  const signature = signedDataOf(token).signerInfos[0]!.signature.valueBlock.valueHexView;
  const at = indexOfBytes(token, signature);
  expect(at).toBeGreaterThan(0);
  return { at, length: signature.length };
}

/** Where the TSTInfo's genTime text (YYYYMMDDhhmmss…Z) sits in the token. */
export function genTimeOffset(token: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(token);
  const at = text.search(/20\d{12}(\.\d+)?Z/);
  expect(at).toBeGreaterThan(0);
  return at;
}

/**
 * The token with one embedded certificate replaced by another (the unsigned part of SignedData), re-encoded with
 * asn1js. Re-encoding a DER token without a swap reproduces it byte for byte (asserted), so only the swap differs.
 */
export function replaceEmbeddedCertificate(token: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const reencode = (swap: boolean): Uint8Array => {
    const root = asn1js.fromBER(token).result as asn1js.Sequence;
    const explicit = root.valueBlock.value[1] as asn1js.Constructed;
    const signedData = explicit.valueBlock.value[0] as asn1js.Sequence;
    const certs = signedData.valueBlock.value[3] as asn1js.Constructed;
    expect(certs.idBlock.tagClass).toBe(3);
    if (swap) {
      const index = certs.valueBlock.value.findIndex((c) => indexOfBytes(new Uint8Array(c.toBER(false)), from) === 0);
      expect(index).toBeGreaterThanOrEqual(0);
      certs.valueBlock.value[index] = asn1js.fromBER(to).result;
    }
    return new Uint8Array(root.toBER(false));
  };
  expect(reencode(false)).toEqual(token);
  return reencode(true);
}

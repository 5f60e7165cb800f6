/**
 * RFC 3161 §2.4.1 TimeStampReq, built with pkijs/asn1js:
 *
 *   TimeStampReq ::= SEQUENCE {
 *     version        INTEGER { v1(1) },
 *     messageImprint MessageImprint,            -- SHA-256 of the checkpoint body (or SM3, on request)
 *     reqPolicy      TSAPolicyId OPTIONAL,      -- omitted: the TSA's default policy
 *     nonce          INTEGER OPTIONAL,          -- 64 random bits, echoed in the TSTInfo
 *     certReq        BOOLEAN DEFAULT FALSE,     -- TRUE: the TSA certificate travels in the token
 *     extensions     [0] IMPLICIT Extensions OPTIONAL }
 */
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, MessageImprint, TimeStampReq } from 'pkijs';
import { OID } from './algorithms.js';
import { tsaError } from './errors.js';

export interface TimestampRequest {
  /** DER of the TimeStampReq, the body of an `application/timestamp-query` POST. */
  der: Uint8Array;
  /** The nonce sent; the token must echo it. */
  nonce: bigint;
  /** The digest being stamped. */
  imprint: Uint8Array;
  /** Its algorithm. */
  hash: 'SHA-256' | 'SM3';
}

export interface TimestampRequestOptions {
  /** A positive nonce; by default 64 random bits from WebCrypto. */
  nonce?: bigint;
  /** Ask the TSA to embed its certificate (default true: offline verifiers need it). */
  certReq?: boolean;
  /** The imprint's algorithm (default SHA-256); SM3 for a TSA that stamps only SM3 digests. Both are 32 bytes. */
  hash?: 'SHA-256' | 'SM3';
}

/** Builds a TimeStampReq for a SHA-256 (or, with `hash: 'SM3'`, SM3) `imprint` (32 bytes). */
export function buildTimestampRequest(imprint: Uint8Array, options: TimestampRequestOptions = {}): TimestampRequest {
  const hash = options.hash ?? 'SHA-256';
  if (hash !== 'SHA-256' && hash !== 'SM3') throw tsaError('TSA_BAD_ARGUMENT', "hash: expected 'SHA-256' or 'SM3'");
  if (!(imprint instanceof Uint8Array) || imprint.length !== 32) {
    throw tsaError('TSA_BAD_ARGUMENT', `imprint: expected the 32-byte ${hash} digest of the checkpoint body`, {
      got: imprint instanceof Uint8Array ? imprint.length : typeof imprint,
      want: 32,
    });
  }
  const nonce = options.nonce ?? randomNonce();
  if (typeof nonce !== 'bigint' || nonce <= 0n || nonce >= 2n ** 160n) {
    throw tsaError('TSA_BAD_ARGUMENT', 'nonce: expected a positive integer below 2^160');
  }
  const request = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithmId: hash === 'SM3' ? OID.sm3 : OID.sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint.slice() }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: options.certReq ?? true,
  });
  const der = new Uint8Array(request.toSchema().toBER(false));
  return { der, nonce, imprint: imprint.slice(), hash };
}

/** 64 random bits as a positive integer (never zero). */
function randomNonce(): bigint {
  const bytes = new Uint8Array(8);
  for (;;) {
    globalThis.crypto.getRandomValues(bytes);
    let value = 0n;
    for (const b of bytes) value = value * 256n + BigInt(b);
    if (value !== 0n) return value;
  }
}

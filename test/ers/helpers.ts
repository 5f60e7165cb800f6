/**
 * Shared helpers for the evidence-record tests: real tokens from the openssl TSA (test/tsa) over a checkpoint
 * body or any bytes, and the coded-error outcome of a verification.
 */
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { sha256, sm3, utf8 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { verifyEvidenceRecord } from '../../src/ers/index.js';
import { stampQuery, type TsaSigner } from '../tsa/test-tsa.js';

/** A checkpoint body `origin\nsize\nroot\n` (docs/FORMATS.md "Timestamp anchor"). */
export function checkpointBodyBytes(size = 42): Uint8Array {
  return utf8(`cunzheng.test/log\n${size}\nXbbSjkPlCQ8b3pYQx6uHIuCPpZHGafC3tdPWcBB0j7I=\n`);
}

/** A real token from the openssl TSA over the SHA-256 (or SM3) of `bytes`. */
export async function tokenOver(bytes: Uint8Array, signer: TsaSigner = 'tsa', hash: 'SHA-256' | 'SM3' = 'SHA-256'): Promise<Uint8Array> {
  const request = buildTimestampRequest(hash === 'SM3' ? sm3(bytes) : sha256(bytes), { hash });
  return parseTimeStampResponse(await stampQuery(request.der, signer));
}

/** A token whose messageImprint is exactly `digest` (the TSA is asked for a digest, not for data). */
export async function tokenOverDigest(digest: Uint8Array, signer: TsaSigner = 'tsa'): Promise<Uint8Array> {
  return parseTimeStampResponse(await stampQuery(buildTimestampRequest(digest).der, signer));
}

/** The verification's first genTime (ms), or the error code; anything but a CunzhengError fails the test. */
export async function outcome(record: Uint8Array, data: Uint8Array, roots: Uint8Array[], at?: Date): Promise<number | string> {
  try {
    return (await verifyEvidenceRecord(record, data, { roots, ...(at === undefined ? {} : { at }) })).genTime.getTime();
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    return err.code;
  }
}

export function syncCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    return err.code;
  }
  return undefined;
}

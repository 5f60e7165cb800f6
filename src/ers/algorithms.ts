/**
 * The hash algorithms of an evidence record. A checkpoint's token stamps the SHA-256 of its body, or its SM3
 * (a TSA that stamps only SM3): those two are the ones a record here may use; anything else is ERS_UNSUPPORTED.
 */
import { sha256, sm3 } from '../crypto/index.js';
import { ersError } from './errors.js';

export type ErsHash = 'SHA-256' | 'SM3';

const BY_OID: Readonly<Record<string, ErsHash>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '1.2.156.10197.1.401': 'SM3',
};

export function hashOfOid(oid: string, what: string): ErsHash {
  const hash = BY_OID[oid];
  if (hash === undefined) throw ersError('ERS_UNSUPPORTED', `${what}: hash algorithm ${oid} is not SHA-256 or SM3`, { oid });
  return hash;
}

export function digest(hash: ErsHash, ...parts: Uint8Array[]): Uint8Array {
  return hash === 'SM3' ? sm3(...parts) : sha256(...parts);
}

/** Byte-wise comparison (binary ascending order, RFC 4998 §4.2), shorter first on a common prefix. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

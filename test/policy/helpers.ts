/** Keys and policy text for the policy tests. */
import { publicKeyFromSeed } from '../../src/crypto/index.js';
import { cosignerFromSeed, formatVerifierKey, signerFromSeed, type NoteSigner } from '../../src/note/index.js';
import { testSeed } from '../note/helpers.js';

export { codeOf, testSeed } from '../note/helpers.js';

export const ORIGIN = 'example.com/cunzheng-policy-test';

/** The log signer `n` (Ed25519, named after ORIGIN unless told). */
export function logSigner(n = 1, name = ORIGIN): NoteSigner {
  return signerFromSeed(name, testSeed(100 + n));
}
export function logVkey(n = 1, name = ORIGIN): string {
  return formatVerifierKey(name, publicKeyFromSeed(testSeed(100 + n)), 0x01);
}
/** Witness `n`'s cosigner, whose key name is `witness.example/w<n>`, cosigning at `time`. */
export function witnessSigner(n: number, time = 1_700_000_000 + n): NoteSigner {
  return cosignerFromSeed(`witness.example/w${n}`, testSeed(200 + n), () => time);
}
export function witnessVkey(n: number, name = `witness.example/w${n}`): string {
  return formatVerifierKey(name, publicKeyFromSeed(testSeed(200 + n)), 0x04);
}

/** The code and line of the POLICY_* error `fn` throws. */
export function failure(fn: () => unknown): { code: string; line: unknown } {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; details?: { line?: unknown } };
    if (typeof err.code !== 'string') throw e;
    return { code: err.code, line: err.details?.line };
  }
  throw new Error('expected a coded error, but the call succeeded');
}

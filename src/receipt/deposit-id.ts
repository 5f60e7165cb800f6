/**
 * A deposit id is the first 16 bytes of the entry's leaf hash, in lowercase hex (32 characters). It is
 * derived, not assigned: a verifier recomputes it from the entry bytes, so a receipt cannot carry an id that
 * names some other deposit. The entry's random nonce makes it unguessable from the document's digest.
 */
import { toHex } from '../crypto/index.js';

export const DEPOSIT_ID_BYTES = 16;

export function depositIdFromLeafHash(leafHash: Uint8Array): string {
  return toHex(leafHash.subarray(0, DEPOSIT_ID_BYTES));
}

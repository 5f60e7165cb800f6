/**
 * The key of an anchor's timestamp renewals (RFC 4998 §5.2, service/renewals.ts), beside the `x A` anchors of
 * record-keys.ts:
 *
 *   x V <tree size (8, big-endian)> <anchor index (1)> → the renewals of that anchor of the checkpoint of that
 *                                                        size: JSON [{tsa, token, genTime}], oldest first
 *
 * Not derived from the entries (fsck does not recompute it); written durably, never deleted, only extended.
 */
import { TAG_EXTRA, writeUint64 } from '../storage/keys.js';

export const RENEWAL_TABLE = 0x56; // 'V'

export function renewalKey(treeSize: number, anchorIndex: number): Uint8Array {
  const k = new Uint8Array(11);
  k[0] = TAG_EXTRA;
  k[1] = RENEWAL_TABLE;
  writeUint64(k, 2, treeSize);
  k[10] = anchorIndex;
  return k;
}

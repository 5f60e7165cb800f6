/**
 * What a replacement receipt would lose. `cunzheng receipt upgrade` rewrites evidence a litigator holds;
 * the new receipt may come from a hostile or plain-HTTP front, so before it replaces the old one both are
 * verified under the same trust (log keys, TSA roots) and compared here. The new one must prove at least
 * what the old one proved:
 *
 *   - the same deposit: id, entry bytes, leaf index and log origin;
 *   - every anchor the old one carries (the same token), and one checked before is checked after, with
 *     the same TSA time; one whose revocation was checked as of genTime (receipt v2) still is;
 *   - an anchor the old one did not carry is carried only if its token was checked (against TSA roots):
 *     an unchecked token is a claim nobody has verified, and a garbage one makes the receipt fail as soon
 *     as someone verifies it with roots.
 *
 * Pure: it compares two verification results, it verifies nothing itself.
 */
import type { Receipt } from './receipt.js';
import type { VerifiedReceipt } from './verify.js';

export interface CheckedReceipt {
  receipt: Receipt;
  verified: VerifiedReceipt;
}

/** Each thing `after` does not prove that `before` did, in words; empty when nothing is lost. */
export function evidenceLost(before: CheckedReceipt, after: CheckedReceipt): string[] {
  const lost: string[] = [];
  const b = before.verified;
  const a = after.verified;
  if (a.id !== b.id || after.receipt.entry !== before.receipt.entry) lost.push(`it names another deposit (${a.id}, not ${b.id})`);
  if (a.leafIndex !== b.leafIndex) lost.push(`it puts the entry at leaf ${a.leafIndex}, not ${b.leafIndex}`);
  if (a.origin !== b.origin) lost.push(`it is a receipt of the log ${JSON.stringify(a.origin)}, not ${JSON.stringify(b.origin)}`);

  const afterByToken = new Map<string, number>();
  after.receipt.anchors.forEach((x, i) => afterByToken.set(x.token, i));
  before.receipt.anchors.forEach((x, i) => {
    const j = afterByToken.get(x.token);
    if (j === undefined) {
      lost.push(`anchors[${i}] (the timestamp of the checkpoint of size ${b.anchors[i]?.treeSize}) is gone`);
      return;
    }
    const was = b.anchors[i];
    const now = a.anchors[j];
    if (was?.tokenChecked === true && (now?.tokenChecked !== true || now.genTime !== was.genTime)) {
      lost.push(`anchors[${i}] was checked (${was.genTime}) and is not, or not with the same time, in the new receipt`);
    }
    if (x.revocation !== undefined && after.receipt.anchors[j]!.revocation === undefined) {
      lost.push(`anchors[${i}] carried the revocation evidence of its TSA, and does not in the new receipt`);
    }
    if (was?.revocation?.checked === true && now?.revocation?.checked !== true) {
      lost.push(`anchors[${i}]'s revocation was checked as of genTime, and is not in the new receipt`);
    }
  });
  const beforeTokens = new Set(before.receipt.anchors.map((x) => x.token));
  after.receipt.anchors.forEach((x, j) => {
    if (!beforeTokens.has(x.token) && a.anchors[j]?.tokenChecked !== true) {
      lost.push(`anchors[${j}] is new and its token was not checked against TSA roots`);
    }
  });
  return lost;
}

/** evidenceLost: what a replacement receipt would fail to prove that the old one proved. */
import { describe, expect, it } from 'vitest';
import { evidenceLost, type CheckedReceipt } from '../../src/receipt/index.js';
import type { AnchorSummary, VerifiedReceipt } from '../../src/receipt/index.js';
import { clone, fixtureReceipt } from './helpers.js';

const base = fixtureReceipt('battery-formula-v1.txt');
const other = fixtureReceipt('battery-formula-v2.txt');
const anchor = (token: string) => ({ type: 'rfc3161' as const, checkpoint: base.checkpoint, token, consistency: [] });
const summary = (checked: boolean, genTime?: string): AnchorSummary => ({ type: 'rfc3161', treeSize: 3, tokenChecked: checked, ...(genTime ? { genTime } : {}) });

function checked(r = base, anchors: { token: string; s: AnchorSummary }[] = [], over: Partial<VerifiedReceipt> = {}): CheckedReceipt {
  const receipt = { ...clone(r), anchors: anchors.map((a) => anchor(a.token)) };
  const verified = { id: r.id, origin: r.log.origin, leafIndex: r.index, anchors: anchors.map((a) => a.s), ...over } as VerifiedReceipt;
  return { receipt, verified };
}

describe('evidenceLost', () => {
  it('is empty when the new receipt carries the same anchors, checked alike, and one more that was checked', () => {
    const before = checked(base, [{ token: 'AA==', s: summary(true, '2026-11-21T08:40:00.000Z') }]);
    const after = checked(base, [{ token: 'BB==', s: summary(true, '2026-11-22T00:00:00.000Z') }, { token: 'AA==', s: summary(true, '2026-11-21T08:40:00.000Z') }]);
    expect(evidenceLost(before, after)).toEqual([]);
  });

  it('names a dropped anchor', () => {
    expect(evidenceLost(checked(base, [{ token: 'AA==', s: summary(false) }]), checked(base))).toEqual([expect.stringMatching(/anchors\[0\].*is gone/)]);
  });

  it('names a new anchor whose token nobody checked (the garbage a front attaches)', () => {
    expect(evidenceLost(checked(base), checked(base, [{ token: 'ZZ==', s: summary(false) }]))).toEqual([expect.stringMatching(/new and its token was not checked/)]);
  });

  it('names an anchor checked before that is unchecked, or has another time, after', () => {
    const before = checked(base, [{ token: 'AA==', s: summary(true, '2026-11-21T08:40:00.000Z') }]);
    expect(evidenceLost(before, checked(base, [{ token: 'AA==', s: summary(false) }]))).toHaveLength(1);
    expect(evidenceLost(before, checked(base, [{ token: 'AA==', s: summary(true, '2027-01-01T00:00:00.000Z') }]))).toHaveLength(1);
  });

  it('names another deposit, leaf or log', () => {
    expect(evidenceLost(checked(base), checked(other)).join(' ')).toMatch(/another deposit.*leaf 2/);
    expect(evidenceLost(checked(base), checked(base, [], { origin: 'evil.example/log' })).join(' ')).toMatch(/evil\.example/);
  });
});

/** The package entry point: the pure core a third party's verifier imports. */
import { describe, expect, it } from 'vitest';
import * as cunzheng from '../src/index.js';
import { FIXTURE_VKEY, fixtureReceipt } from './receipt/helpers.js';

describe('the package entry point', () => {
  it('verifies a receipt with nothing but the pure core', async () => {
    const r = await cunzheng.verifyReceipt(fixtureReceipt('empty.bin'), [FIXTURE_VKEY]);
    expect(r.leafIndex).toBe(1);
    expect(typeof cunzheng.merkle.verifyInclusion).toBe('function');
    expect(typeof cunzheng.note.openNote).toBe('function');
  });
});

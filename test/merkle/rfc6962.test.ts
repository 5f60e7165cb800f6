import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/index.js';
import { isCunzhengError } from '../../src/errors.js';
import { EMPTY_ROOT, HASH_SIZE, emptyRoot, hashChildren, hashLeaf } from '../../src/merkle/index.js';

const nodeSha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return toHex(new Uint8Array(h.digest()));
};

describe('RFC 6962 hashing', () => {
  it('hashes the empty tree to SHA-256 of the empty string', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(emptyRoot())).toBe(toHex(EMPTY_ROOT));
    expect(emptyRoot()).not.toBe(EMPTY_ROOT);
  });

  // Known answer from the certificate-transparency test data (leaf hash of the empty entry).
  it('hashes a leaf as SHA-256(0x00 ‖ data)', () => {
    expect(toHex(hashLeaf(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const data = new TextEncoder().encode('entry-0');
    expect(toHex(hashLeaf(data))).toBe(nodeSha(new Uint8Array([0]), data));
  });

  it('hashes leaves of every size through its scratch buffer, whatever the previous leaf was', () => {
    // Long then short: bytes left in the scratch from a longer leaf must not reach a shorter one's hash.
    // 65,536 is the largest leaf the scratch holds; 65,537 takes the separate path.
    const sizes = [70_000, 0, 65_537, 1, 65_536, 31, 1_000, 32, 500, 65_535, 2];
    const results: Uint8Array[] = [];
    for (const [i, n] of sizes.entries()) {
      const data = new Uint8Array(n).map((_, k) => (k * 31 + i) & 0xff);
      const h = hashLeaf(data);
      results.push(h);
      expect(toHex(h), `leaf of ${n} bytes`).toBe(nodeSha(new Uint8Array([0]), data));
      expect(data.every((b, k) => b === ((k * 31 + i) & 0xff)), 'the data is not changed').toBe(true);
    }
    // Each result is its own: later hashes did not overwrite earlier ones.
    for (const [i, n] of sizes.entries()) {
      const data = new Uint8Array(n).map((_, k) => (k * 31 + i) & 0xff);
      expect(toHex(results[i]!)).toBe(nodeSha(new Uint8Array([0]), data));
    }
  });

  it('hashes children as SHA-256(0x01 ‖ left ‖ right), and order matters', () => {
    const l = fromHex('11'.repeat(32));
    const r = fromHex('22'.repeat(32));
    expect(toHex(hashChildren(l, r))).toBe(nodeSha(new Uint8Array([1]), l, r));
    expect(toHex(hashChildren(l, r))).not.toBe(toHex(hashChildren(r, l)));
  });

  it('returns independent results although it reuses a scratch buffer', () => {
    const a = hashChildren(new Uint8Array(32), new Uint8Array(32).fill(1));
    const before = toHex(a);
    const b = hashChildren(new Uint8Array(32).fill(2), new Uint8Array(32).fill(3));
    expect(toHex(a)).toBe(before);
    expect(toHex(b)).not.toBe(before);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(HASH_SIZE);
  });

  it('rejects children that are not 32 bytes with BAD_HASH_LENGTH', () => {
    for (const [l, r] of [
      [new Uint8Array(31), new Uint8Array(32)],
      [new Uint8Array(32), new Uint8Array(33)],
    ] as const) {
      let err: unknown;
      try {
        hashChildren(l, r);
      } catch (e) {
        err = e;
      }
      expect(isCunzhengError(err, 'BAD_HASH_LENGTH')).toBe(true);
    }
  });
});

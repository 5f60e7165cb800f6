/**
 * DigestFilter: an in-memory set of 32-bit fingerprints that answers "certainly never added" (false) or
 * "maybe" (true). It must never answer false for a key it was given (a false negative would make the
 * service append a duplicate deposit), across every doubling of its table.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { DigestFilter } from '../../src/ledger/digest-filter.js';
import { FULL_RELIABILITY } from '../support/fuzz.js';

const START_SLOTS = 1 << 16;

/** Deterministic distinct keys shaped like the service's digest keys: a prefix and a 32-byte body. */
function keyFor(seed: number, i: number): Uint8Array {
  const k = new Uint8Array(8 + 32);
  k.set([0x78, 0x44, 0x74, 0x6e, 0x5f, 0x30, 0x31, 0x00]); // "xDtn_01\0"
  const v = new DataView(k.buffer);
  // xorshift-style spread of (seed, i) over the body, i itself in the last 4 bytes (distinctness).
  let x = (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  for (let j = 0; j < 7; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v.setUint32(8 + j * 4, x >>> 0);
  }
  v.setUint32(36, i);
  return k;
}

describe('DigestFilter before it is ready', () => {
  it('answers "maybe" for anything, added or not', () => {
    const f = new DigestFilter();
    expect(f.ready).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (key) => {
        expect(f.mayContain(key)).toBe(true);
      }),
      { numRuns: 500 },
    );
    f.add(new Uint8Array([1, 2, 3]));
    expect(f.mayContain(new Uint8Array([4, 5, 6]))).toBe(true);
    expect(f.size).toBe(1);
  });

  it('answers from memory once marked ready (an empty filter knows nothing was added)', () => {
    const f = new DigestFilter();
    f.markReady();
    expect(f.ready).toBe(true);
    expect(f.mayContain(new Uint8Array(40))).toBe(false);
    expect(f.mayContain(new Uint8Array(0))).toBe(false);
  });
});

describe('DigestFilter has no false negatives', () => {
  it('for arbitrary keys added before and after markReady, across several doublings of the table', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 72 }), { minLength: 1000, maxLength: 4000 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 140_000, max: 170_000 }),
        (keys, seed, fillers) => {
          const f = new DigestFilter();
          const half = keys.length >> 1;
          // Generated keys, then most fillers, while building; the rest after markReady.
          for (let i = 0; i < half; i++) f.add(keys[i]!);
          const beforeReady = Math.floor(fillers * 0.6);
          for (let i = 0; i < beforeReady; i++) f.add(keyFor(seed, i));
          const slotsAtReady = f.bytes / 4;
          f.markReady();
          // Every key added so far is found in the grown table.
          for (let i = 0; i < half; i++) if (!f.mayContain(keys[i]!)) expect.fail(`generated key ${i} lost before growth finished`);
          for (let i = beforeReady; i < fillers; i++) {
            f.add(keyFor(seed, i));
            // Interleave the generated keys with the growth that happens after markReady.
            const j = half + (i - beforeReady);
            if (j < keys.length) f.add(keys[j]!);
          }
          for (let j = half + (fillers - beforeReady); j < keys.length; j++) f.add(keys[j]!);
          // The table grew past its start at least three times (65,536 → ≥ 524,288 slots) ...
          expect(f.bytes / 4).toBeGreaterThanOrEqual(START_SLOTS * 8);
          expect(slotsAtReady).toBeLessThan(f.bytes / 4);
          // ... stays at most half full ...
          expect(f.size * 2).toBeLessThanOrEqual(f.bytes / 4);
          // ... and still finds every key ever added.
          for (let i = 0; i < keys.length; i++) if (!f.mayContain(keys[i]!)) expect.fail(`generated key ${i} lost`);
          for (let i = 0; i < fillers; i++) if (!f.mayContain(keyFor(seed, i))) expect.fail(`filler key ${i} lost`);
          expect(f.ready).toBe(true);
        },
      ),
      // Not a hostile-input property (each run inserts ~150k keys): a few more runs in the full run, not 10,000.
      { numRuns: FULL_RELIABILITY ? 30 : 6 },
    );
  });

  it('counts distinct fingerprints: adding a key twice changes nothing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 2000, selector: (k) => Buffer.from(k).toString('hex') }), (keys) => {
        const f = new DigestFilter();
        for (const k of keys) f.add(k);
        const n = f.size;
        // Distinct 32-byte keys may share a 32-bit fingerprint, but hardly in 2000.
        expect(n).toBeLessThanOrEqual(keys.length);
        expect(n).toBeGreaterThanOrEqual(keys.length - 1);
        for (const k of keys) f.add(Uint8Array.from(k));
        expect(f.size).toBe(n);
        f.markReady();
        for (const k of keys) expect(f.mayContain(Uint8Array.from(k))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('starts large enough for the expected count and keeps it at most half full', () => {
    const f = new DigestFilter(300_000);
    expect(f.bytes / 4).toBe(1 << 20);
    const g = new DigestFilter();
    expect(g.bytes / 4).toBe(START_SLOTS);
    let i = 0;
    while (g.size < START_SLOTS / 2) g.add(keyFor(7, i++));
    // Exactly half full: not grown yet (the growth comes with the next new fingerprint).
    expect(g.size).toBe(START_SLOTS / 2);
    expect(g.bytes / 4).toBe(START_SLOTS);
    while (g.size <= START_SLOTS / 2) g.add(keyFor(7, i++));
    expect(g.bytes / 4).toBe(START_SLOTS * 2);
    g.markReady();
    for (let j = 0; j < i; j++) if (!g.mayContain(keyFor(7, j))) expect.fail(`key ${j} lost in the first doubling`);
  });
});

describe('DigestFilter false positives', () => {
  it('are rare: fewer than 100 of 100,000 keys never added, with 100,000 added', () => {
    const f = new DigestFilter();
    const added: Uint8Array[] = [];
    for (let i = 0; i < 100_000; i++) {
      const k = randomBytes(40);
      added.push(k);
      f.add(k);
    }
    f.markReady();
    for (const k of added) if (!f.mayContain(k)) expect.fail('an added key was lost');
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) {
      // 41 bytes: certainly none of the 40-byte keys added.
      if (f.mayContain(randomBytes(41))) falsePositives++;
    }
    // About 100,000 × 100,000 / 2^32 ≈ 2.3 expected.
    expect(falsePositives).toBeLessThan(100);
  });

  it('are rare for keys that differ from added ones in one bit (same prefix, same length)', () => {
    const f = new DigestFilter();
    const seed = 12345;
    for (let i = 0; i < 100_000; i++) f.add(keyFor(seed, i));
    f.markReady();
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) {
      const k = keyFor(seed, i);
      k[8 + (i % 32)]! ^= 1 << (i % 8);
      if (f.mayContain(k)) falsePositives++;
    }
    expect(falsePositives).toBeLessThan(100);
  });
});

describe('DigestFilter turned off', () => {
  it('answers "maybe" for everything and ignores adds, ready or not', () => {
    for (const readyFirst of [false, true]) {
      const f = new DigestFilter();
      for (let i = 0; i < 1000; i++) f.add(keyFor(1, i));
      if (readyFirst) f.markReady();
      f.turnOff();
      expect(f.ready).toBe(false);
      expect(f.size).toBe(0);
      expect(f.bytes).toBe(0);
      f.add(keyFor(2, 0));
      expect(f.size).toBe(0);
      expect(f.bytes).toBe(0);
      // markReady cannot bring it back.
      f.markReady();
      expect(f.ready).toBe(false);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (key) => {
          expect(f.mayContain(key)).toBe(true);
        }),
        { numRuns: 300 },
      );
      expect(f.mayContain(keyFor(1, 3))).toBe(true);
    }
  });
});

describe('DigestFilter fingerprints', () => {
  it('are never 0 and the same for equal keys within one filter', () => {
    const f = new DigestFilter();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (key) => {
        const a = f.fingerprint(key);
        expect(a).not.toBe(0);
        expect(Number.isInteger(a) && a > 0 && a <= 0xffffffff).toBe(true);
        expect(f.fingerprint(Uint8Array.from(key))).toBe(a);
        expect(f.fingerprint(key)).toBe(a);
      }),
      { numRuns: 2000 },
    );
  });

  it('map a hash of 0 to 1 (0 marks an empty slot), and such keys are still found', () => {
    const f = new DigestFilter();
    // With seed 0, the empty key hashes to 0 before and after the finalizer (which maps 0 to 0).
    (f as unknown as { seed: number }).seed = 0;
    const empty = new Uint8Array(0);
    expect(f.fingerprint(empty)).toBe(1);
    // With seed 1 ^ b, the one-byte key [b] also hashes to 0: (seed ^ length ^ b) · prime = 0.
    const g = new DigestFilter();
    (g as unknown as { seed: number }).seed = 1 ^ 0x5a;
    expect(g.fingerprint(new Uint8Array([0x5a]))).toBe(1);
    g.add(new Uint8Array([0x5a]));
    g.markReady();
    expect(g.size).toBe(1);
    expect(g.mayContain(new Uint8Array([0x5a]))).toBe(true);
    f.add(empty);
    f.markReady();
    expect(f.mayContain(empty)).toBe(true);
  });

  it('depend on every byte and on the length', () => {
    const f = new DigestFilter();
    const base = keyFor(99, 1);
    const fp = f.fingerprint(base);
    let same = 0;
    for (let i = 0; i < base.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const k = Uint8Array.from(base);
        k[i]! ^= 1 << bit;
        if (f.fingerprint(k) === fp) same++;
      }
    }
    expect(same).toBe(0);
    expect(f.fingerprint(base.subarray(0, base.length - 1))).not.toBe(fp);
    expect(f.fingerprint(new Uint8Array([...base, 0]))).not.toBe(fp);
  });

  it('are seeded per filter: two filters disagree on most keys', () => {
    const a = new DigestFilter();
    const b = new DigestFilter();
    let equal = 0;
    for (let i = 0; i < 1000; i++) if (a.fingerprint(keyFor(5, i)) === b.fingerprint(keyFor(5, i))) equal++;
    // Equal seeds (1 in 2^32) would make all 1000 equal.
    expect(equal).toBeLessThan(10);
  });
});

/**
 * The LevelDB key layout (src/storage/keys.ts): the bytes are a storage format that existing data
 * directories depend on, so they are pinned here, including keys built from the shared key buffer.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkpointKey, entryKey, extraKey, keyBytes, keyWithHex, readUint64, tileKey, writeUint64 } from '../../src/storage/keys.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('key layout', () => {
  it('writes tag ‖ big-endian numbers, byte for byte', () => {
    expect(hex(entryKey(0))).toBe('650000000000000000');
    expect(hex(entryKey(2 ** 53 - 1))).toBe('65001fffffffffffff');
    expect(hex(tileKey(2, 0x0102))).toBe('74020000000000000102');
    expect(hex(checkpointKey(1_910_000))).toBe('6300000000001d24f0');
    expect(hex(extraKey(Uint8Array.of(0x49, 0xab)))).toBe('7849ab');
  });

  it('keys from the shared buffer are zeroed, exact and independent across many buffers of them', () => {
    // 16 KiB buffers: 20,000 keys of 9-62 bytes span dozens. Each keeps its bytes while later ones are made.
    const made: [Uint8Array, string][] = [];
    fc.assert(fc.property(fc.nat({ max: 2 ** 53 - 1 }), fc.integer({ min: 1, max: 62 }), (n, len) => {
      const k = entryKey(n);
      made.push([k, `65${n.toString(16).padStart(16, '0')}`]);
      const blank = keyBytes(len);
      expect(blank.length).toBe(len);
      expect(blank.every((b) => b === 0)).toBe(true);
      blank.fill(0xff);
      expect(readUint64(k, 1)).toBe(n);
    }), { numRuns: 20_000 });
    for (const [k, want] of made) expect(hex(k)).toBe(want);
    // Larger than a slab is meant for: a separate array, still zeroed.
    const big = keyBytes(5000);
    expect(big.length).toBe(5000);
    expect(big.every((b) => b === 0)).toBe(true);
    // prefix ‖ decoded hex, in the shared buffer and (for a long prefix) outside it; bad hex is refused.
    for (const prefix of [Uint8Array.of(0x78, 0x44, 0x00), new Uint8Array(2000).fill(7)]) {
      for (let i = 0; i < 600; i++) {
        const digest = Buffer.from(Array.from({ length: 32 }, (_, j) => (i * 7 + j) & 0xff));
        const k = keyWithHex(prefix, digest.toString('hex'), 32)!;
        expect(hex(k)).toBe(hex(prefix) + digest.toString('hex'));
      }
      expect(keyWithHex(prefix, 'ab'.repeat(16) + 'zz'.repeat(16), 32)).toBeUndefined();
      // The bytes a refused key had begun to fill are not handed out again.
      expect(keyBytes(40).every((b) => b === 0)).toBe(true);
      expect(keyWithHex(prefix, 'zz'.repeat(32), 32)).toBeUndefined();
      expect(keyWithHex(prefix, 'ab'.repeat(31), 32)).toBeUndefined();
      expect(keyWithHex(prefix, 'ab'.repeat(33), 32)).toBeUndefined();
    }
    const v = keyBytes(8);
    writeUint64(v, 0, 42);
    expect(readUint64(v, 0)).toBe(42);
  });
});

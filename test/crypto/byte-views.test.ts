/**
 * The portable views behind one-shot digests and utf8View: the bytes equal TextEncoder's for any string,
 * short (a view of a shared buffer) or long (an array of its own), across many buffers; a kept view never
 * changes when later ones are written; ByteViews hands out adjacent, non-overlapping, zero-filled room.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex, utf8View } from '../../src/crypto/index.js';
import { ByteViews } from '../../src/crypto/byte-views.js';

const encode = (t: string): string => toHex(new TextEncoder().encode(t));

describe('utf8View', () => {
  it('gives the bytes TextEncoder gives, for any string, short or long', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 20_000 })), (t) => {
        expect(toHex(utf8View(t))).toBe(encode(t));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every view unchanged while later ones fill several 256 KiB buffers', () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"name":"合同-${i}.pdf","pad":"${'x'.repeat(i % 300)}"}`);
    const views = texts.map(utf8View);
    expect(new Set(views.map((v) => v.buffer)).size).toBeGreaterThan(2);
    views.forEach((v, i) => expect(toHex(v)).toBe(encode(texts[i]!)));
  });
});

describe('ByteViews', () => {
  it('hands out zero-filled, adjacent, non-overlapping views, and a fresh buffer when full', () => {
    const views = new ByteViews(64);
    const a = views.reserve(40);
    expect(views.offset).toBe(0);
    a.set([1, 2, 3], 0);
    const first = views.take(3);
    const b = views.reserve(40);
    expect(b).toBe(a);
    expect(views.offset).toBe(3);
    const second = views.take(40);
    expect([...second]).toEqual(new Array(40).fill(0));
    expect(second.byteOffset).toBe(first.byteOffset + 3);
    const c = views.reserve(30); // 43 + 30 > 64: a fresh buffer
    expect(c).not.toBe(a);
    expect(views.offset).toBe(0);
    c.fill(9, 0, 30);
    views.take(30);
    expect([...first]).toEqual([1, 2, 3]);
    expect(second.every((x) => x === 0)).toBe(true);
  });
});

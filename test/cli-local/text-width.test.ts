/** displayWidth and padEnd: terminal columns, so tables stay aligned under CJK names and combining marks. */
import { describe, expect, it } from 'vitest';
import { codePointWidth, displayWidth, padEnd, padStart } from '../../cli/text-width.js';

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['配方', 4], // CJK ideographs: East Asian Wide
    ['电解液.txt', 10],
    ['ｆｕｌｌ', 8], // fullwidth Latin
    ['カナ', 4],
    ['한국', 4], // hangul syllables
    ['。，', 4], // CJK punctuation
    ['e\u0301', 1], // e + combining acute accent
    ['a\u200bb', 2], // zero-width space
    ['✓', 1], // check mark: narrow (text presentation)
    ['✅', 2], // emoji presentation
    ['𠀀', 2], // a supplementary-plane ideograph (a surrogate pair, one code point)
    ['\u1100\u1161', 2], // a leading jamo and a medial one that joins it
  ])('%j is %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });

  it('counts ASCII by code point and controls as nothing', () => {
    expect(codePointWidth(0x41)).toBe(1);
    expect(codePointWidth(0x07)).toBe(0);
  });
});

describe('padEnd', () => {
  it('pads to columns, not to UTF-16 units', () => {
    expect(padEnd('配方', 6)).toBe('配方  ');
    expect(padEnd('ab', 6)).toBe('ab    ');
    expect(displayWidth(padEnd('电解液.txt', 14))).toBe(14);
    expect(padEnd('e\u0301', 3)).toBe('e\u0301  ');
  });

  it('leaves a string that is already wide enough as it is', () => {
    expect(padEnd('配方配方', 4)).toBe('配方配方');
  });

  it('aligns a column of mixed names', () => {
    const rows = ['design.md', '配方/电解液.txt', 'ｆｏｒｍｕｌａ'].map((n) => `${padEnd(n, 16)}|`);
    expect(new Set(rows.map(displayWidth))).toEqual(new Set([17]));
  });

  it('padStart right-aligns', () => {
    expect(padStart('12', 4)).toBe('  12');
    expect(padStart('配', 3)).toBe(' 配');
  });
});

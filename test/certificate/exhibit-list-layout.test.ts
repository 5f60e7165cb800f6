/**
 * The exhibit list's layout (exhibit-layout.ts) with a measure of its own (a width per character): wrapped
 * lines keep every character in order (white space at a break aside), none is wider than asked unless it is a
 * single character, none starts with closing punctuation when it could be avoided; every exhibit is placed
 * once, on a page inside the margins, in order, and no two exhibits' rows overlap.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exhibitRow, type ExhibitListParams } from '../../src/certificate/index.js';
import { layoutExhibitList, PAGE, wrap, type Measure } from '../../src/certificate/exhibit-layout.js';
import { fuzzRuns } from '../support/fuzz.js';

// Wide for CJK, narrow for the rest, as a font is.
const measure: Measure = (text, _weight, size) => Array.from(text).reduce((w, ch) => w + (ch.codePointAt(0)! > 0x2e80 ? 1 : 0.55) * size, 0);

describe('wrapping a value', () => {
  it('keeps every character, in order, in lines no wider than asked', () => {
    const chars = fc.constantFrom('a', 'b', '0', ' ', '证', '据', '目', '录', '，', '。', '）', '-', '/', '.');
    fc.assert(fc.property(fc.array(chars, { minLength: 1, maxLength: 300 }), fc.integer({ min: 20, max: 400 }), (cs, width) => {
      const text = cs.join('');
      const lines = wrap(text, width, 'regular', 8, measure);
      expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      for (const l of lines) if (Array.from(l).length > 1) expect(measure(l, 'regular', 8)).toBeLessThanOrEqual(width + 1e-9);
    }), { numRuns: fuzzRuns(300) });
  });

  it('starts no line with closing punctuation (text without spaces or three marks in a row)', () => {
    const chars = fc.constantFrom('a', '0', '证', '据', '目', '，', '。', '）', '-');
    const text = fc.array(chars, { minLength: 1, maxLength: 300 }).map((cs) => cs.join('')).filter((t) => !/[，。）]{3}/.test(t));
    fc.assert(fc.property(text, fc.integer({ min: 30, max: 400 }), (t, width) => {
      for (const l of wrap(t, width, 'regular', 8, measure).slice(1)) expect(l).not.toMatch(/^[，。）]/);
    }), { numRuns: fuzzRuns(300) });
  });

  it('cuts a Latin word rather than start a line with the closing mark after it', () => {
    const lines = wrap('aaaaaa，a', 30, 'regular', 8, measure);
    expect(lines.join('')).toBe('aaaaaa，a');
    for (const l of lines.slice(1)) expect(l).not.toMatch(/^[，。）]/);
  });

  it('moves the character before a closing mark down with it', () => {
    const lines = wrap('证据目录证据目录证据目录，证据', 12 * 8, 'regular', 8, measure);
    expect(lines[0]).toBe('证据目录证据目录证据目');
    expect(lines[1]!.startsWith('录，')).toBe(true);
    expect(wrap('证据目录证据目录证据目录）、证据', 12 * 8, 'regular', 8, measure)[1]).toBe('录）、证据');
  });

  it('breaks at a space when the line has one', () => {
    expect(wrap('alpha beta gamma delta', 61, 'regular', 10, measure)).toEqual(['alpha beta', 'gamma delta']);
  });
});

describe('placing the exhibits', () => {
  it('puts each exhibit once, in order, inside the page, without overlap; the footer numbers every page', () => {
    const receipt = readFileSync('fixtures/receipts/battery-formula-v2.txt.receipt.json');
    const cp = (JSON.parse(receipt.toString('utf8')) as { checkpoint: string }).checkpoint.split('\n');
    fc.assert(fc.property(fc.integer({ min: 1, max: 80 }), fc.string({ maxLength: 120 }), (count, tail) => {
      const name = `exhibits/${'长文件名'.repeat(tail.length % 40)}x.json`;
      const params: ExhibitListParams = {
        format: 'cunzheng/exhibit-list/v1', renderer: 'r', lang: 'zh', title: '长案由'.repeat((tail.length * 7) % 166 + 1), origin: cp[0]!, checkpoint: { size: Number(cp[1]), rootHash: cp[2]! },
        exhibits: Array.from({ length: count }, (_, i) => ({ no: `E${i}`, receiptFile: name, certificateFile: 'c.pdf' })),
      };
      const rows = params.exhibits.map((e) => exhibitRow({ ...e, receipt }, params));
      const pages = layoutExhibitList(params, rows, measure);
      const seen: string[] = [];
      for (let i = 0; i < pages.count; i++) {
        const ops = pages.page(i);
        for (const o of ops) {
          if (o.t !== 'text') continue;
          expect(o.x).toBeGreaterThanOrEqual(0);
          expect(o.x + measure(o.text, o.weight, o.size)).toBeLessThanOrEqual(PAGE.w - 41);
          expect(o.y).toBeGreaterThan(40);
          expect(o.y).toBeLessThan(PAGE.h - 30);
        }
        const texts = ops.filter((o) => o.t === 'text');
        expect(texts.at(-1)!.text).toBe(`第 ${i + 1} 页 / 共 ${pages.count} 页`);
        const nos = texts.filter((o) => /^E\d+$/.test(o.text));
        // An exhibit's texts all lie above the next exhibit's number: rows do not overlap.
        let lowest = -Infinity;
        for (const o of texts.slice(0, -2)) {
          if (nos.includes(o)) {
            expect(o.y).toBeGreaterThan(lowest);
            lowest = o.y;
          } else if (lowest > -Infinity) lowest = Math.max(lowest, o.y + o.size);
        }
        seen.push(...nos.map((o) => o.text));
        // Rows above the footer: the last text of an exhibit ends before the footer's rule.
        for (const o of texts.slice(0, -2)) expect(o.y + o.size).toBeLessThan(PAGE.h - 46);
      }
      expect(seen).toEqual(params.exhibits.map((e) => e.no));
    }), { numRuns: fuzzRuns(25) });
  });
});

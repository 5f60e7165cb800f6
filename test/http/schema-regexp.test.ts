import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { META_KEY_PATTERN, schemaRegExp } from '../../src/http/schema-regexp.js';

describe('schemaRegExp (the request schemas\' pattern engine)', () => {
  it('answers ^[0-9a-f]{N}$ exactly as the RegExp would, for any string', () => {
    const near = fc.constantFrom(...'0123456789abcdefABCDEFg/:`@ \n\u0000\u00e0\u0660');
    const strings = fc.oneof(fc.string({ unit: near, maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.uint8Array({ maxLength: 33 }).map((b) => Buffer.from(b).toString('hex')));
    for (const n of [32, 64]) {
      const pattern = `^[0-9a-f]{${n}}$`;
      const fast = schemaRegExp(pattern, 'u');
      expect(fast).not.toBeInstanceOf(RegExp);
      const real = new RegExp(pattern, 'u');
      fc.assert(fc.property(strings, (s) => {
        expect(fast.test(s)).toBe(real.test(s));
      }), { numRuns: 2000 });
      expect(fast.test('0'.repeat(n))).toBe(true);
      // Ajv keys compiled patterns by their text: two patterns must never share one.
      expect(String(fast)).toBe(`/${pattern}/u`);
    }
    expect(String(schemaRegExp('^[0-9a-f]{32}$', ''))).not.toBe(String(schemaRegExp('^[0-9a-f]{64}$', '')));
  });

  it('answers the metadata-key pattern exactly as the RegExp would, for any string', () => {
    const near = fc.constantFrom(...'aZ09_.-@[`{/:~ \u00e9\u0130\u212a长'.split(''), '😀');
    const strings = fc.oneof(fc.string({ unit: near, maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,70}$/));
    for (const flags of ['u', '']) {
      const fast = schemaRegExp(META_KEY_PATTERN, flags);
      expect(fast).not.toBeInstanceOf(RegExp);
      expect(String(fast)).toBe(`/${META_KEY_PATTERN}/${flags}`);
      const real = new RegExp(META_KEY_PATTERN, flags);
      fc.assert(fc.property(strings, (s) => {
        expect(fast.test(s)).toBe(real.test(s));
      }), { numRuns: 3000 });
      for (const s of ['a', 'a'.repeat(64), 'a'.repeat(65), '', '1a', 'a.b-c_d', 'a b']) expect(fast.test(s), s).toBe(real.test(s));
    }
  });

  it('compiles every other pattern as an ordinary RegExp, flags included', () => {
    for (const pattern of ['^[A-Za-z0-9+/]{43}=$', '^(0|[1-9][0-9]{0,15})$', '^[0-9a-f]{64}', '[0-9a-f]{64}$', '^[0-9A-F]{64}$', '^[0-9a-f]{0}$', '^[0-9a-f]+$']) {
      const rx = schemaRegExp(pattern, 'u');
      expect(rx).toBeInstanceOf(RegExp);
      expect(String(rx)).toBe(String(new RegExp(pattern, 'u')));
    }
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { META_KEY_PATTERN, schemaRegExp } from '../../src/http/schema-regexp.js';
import { DIGEST_HEX_RULE, META_KEY_RULE, TEXT_RULE } from '../../src/entry/index.js';

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

  it('answers the entry\'s patterns (metadata key, text, digest) exactly as the u-flag RegExp would, for any string', () => {
    const near = fc.constantFrom(...'aZ09_.-@[`{/:~ \u00e9\u0130\u212a长\u0000\u001f\u007f\u009f\u2028\u202e\u2066\ud800\udfff'.split(''), '😀');
    const strings = fc.oneof(fc.string({ unit: near, maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,70}$/));
    expect(META_KEY_PATTERN).toBe(META_KEY_RULE.pattern);
    for (const pattern of [META_KEY_RULE.pattern, TEXT_RULE.pattern, DIGEST_HEX_RULE.pattern]) {
      const fast = schemaRegExp(pattern, 'u');
      expect(fast).not.toBeInstanceOf(RegExp);
      expect(String(fast)).toBe(`/${pattern}/u`);
      const real = new RegExp(pattern, 'u');
      fc.assert(fc.property(strings, (s) => {
        expect(fast.test(s)).toBe(real.test(s));
      }), { numRuns: 3000 });
      for (const s of ['a', 'a'.repeat(64), 'a'.repeat(65), '', '1a', 'a.b-c_d', 'a b', '0'.repeat(64)]) expect(fast.test(s), s).toBe(real.test(s));
    }
    // Without the u flag \p{…} means something else: those are ordinary RegExps.
    expect(schemaRegExp(TEXT_RULE.pattern, '')).toBeInstanceOf(RegExp);
  });

  it('compiles every other pattern as an ordinary RegExp, flags included', () => {
    for (const pattern of ['^[A-Za-z0-9+/]{43}=$', '^(0|[1-9][0-9]{0,15})$', '^[0-9a-f]{64}', '[0-9a-f]{64}$', '^[0-9A-F]{64}$', '^[0-9a-f]{0}$', '^[0-9a-f]+$']) {
      const rx = schemaRegExp(pattern, 'u');
      expect(rx).toBeInstanceOf(RegExp);
      expect(String(rx)).toBe(String(new RegExp(pattern, 'u')));
    }
  });
});

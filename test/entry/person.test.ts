/**
 * Person references (PERSON_REF_RULE, isPersonRef, personRefProblem): the pattern and the predicate answer
 * alike on every string; employee numbers and user ids pass; resident ID numbers, mobile numbers and names
 * are refused as personal data, however they are punctuated.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPersonRef, PERSON_REF_RULE, personRefProblem } from '../../src/entry/index.js';

const pattern = new RegExp(PERSON_REF_RULE.pattern, 'u');

/** A naive reference: the form, then the separators taken out and the three number shapes tested by hand. */
function naive(s: string): boolean {
  if (s.length < 1 || s.length > 64 || !/^[A-Za-z0-9]/.test(s) || !/^[A-Za-z0-9._-]*$/.test(s)) return false;
  const d = [...s].filter((c) => !'._-'.includes(c)).join('');
  const allDigits = (t: string): boolean => t.length > 0 && [...t].every((c) => c >= '0' && c <= '9');
  if (d.length === 15 && allDigits(d)) return false;
  if (d.length === 18 && allDigits(d.slice(0, 17)) && (allDigits(d[17]!) || d[17] === 'X' || d[17] === 'x')) return false;
  for (const prefix of ['', '86', '0086']) {
    const rest = d.startsWith(prefix) ? d.slice(prefix.length) : undefined;
    if (rest !== undefined && rest.length === 11 && rest[0] === '1' && rest[1]! >= '3' && rest[1]! <= '9' && allDigits(rest)) return false;
  }
  return true;
}

const digitsAndSeparators = fc.string({ unit: fc.constantFrom('0', '1', '3', '5', '8', '9', '6', 'X', 'x', '-', '.', '_', 'a'), minLength: 1, maxLength: 24 });
const anyRef = fc.oneof(
  digitsAndSeparators,
  fc.stringMatching(/^[A-Za-z0-9._-]{1,66}$/),
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^1[3-9][0-9]{9}$/),
  fc.stringMatching(/^[0-9]{17}[0-9Xx]$/),
  fc.stringMatching(/^[0-9]{15}$/),
);

describe('PERSON_REF_RULE', () => {
  it('its pattern, its predicate and a naive reading agree on every string', () => {
    fc.assert(
      fc.property(anyRef, (s) => {
        const want = naive(s);
        expect(PERSON_REF_RULE.test(s), s).toBe(want);
        expect(pattern.test(s), s).toBe(want);
        expect(isPersonRef(s)).toBe(want);
        expect(personRefProblem(s) === undefined, s).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts employee numbers and user ids', () => {
    for (const s of ['E1024', 'u_0123456789abcdef', 'emp-2026-0042', 'A', '7', 'zhang.w', '12345678901234', '1234567890123456', '12345678901']) {
      expect(isPersonRef(s), s).toBe(true);
    }
  });

  it('refuses resident ID numbers, with or without separators, as personal data', () => {
    for (const s of ['110105194912310025', '11010519491231002X', '11010519491231002x', '110105491231002', '110105-19491231-002X', '110105.194912.31002X', '1101 0519 4912 3100 2X']) {
      expect(isPersonRef(s), s).toBe(false);
      expect(personRefProblem(s), s).toBe('id-number');
    }
  });

  it('refuses mainland mobile numbers, also after 86, 0086 or +86 and with separators', () => {
    for (const s of ['13912345678', '19912345678', '8613912345678', '008613912345678', '+8613912345678', '139-1234-5678', '139 1234 5678', '+86 139 1234 5678', '１３９１２３４５６７８', '＋８６ １３９１２３４５６７８']) {
      expect(isPersonRef(s), s).toBe(false);
      expect(personRefProblem(s), s).toMatch(/^(mobile|id-number)$/);
    }
    expect(personRefProblem('13912345678')).toBe('mobile');
    expect(isPersonRef('12912345678')).toBe(true); // 12x is not a mobile prefix
  });

  it('refuses names: any letter outside ASCII, or words separated by spaces', () => {
    for (const s of ['张三', '欧阳娜娜', 'Zhang San', 'José', 'zhang 三', '李-4', 'Ｅ1024']) {
      expect(isPersonRef(s), s).toBe(false);
      expect(personRefProblem(s), s).toBe('name');
    }
  });

  it('calls other malformed references form errors, not personal data', () => {
    for (const s of ['', '-E1', '.x', 'E 1', 'e'.repeat(65), 'a/b', 'a@b', '1 2']) expect(personRefProblem(s), s).toBe('form');
  });
});

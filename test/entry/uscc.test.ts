import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completeUscc, isValidUscc, USCC_CHARSET, usccCheckCharacter, validateUscc } from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { makeUscc, PUBLISHED_USCCS, usccArb } from './fixtures.js';
import { codeOfSync as code } from '../support/codes.js';


const USCC_CODES = ['USCC_BAD_LENGTH', 'USCC_BAD_CHARACTER', 'USCC_BAD_DIVISION', 'USCC_BAD_ORG_CHECK', 'USCC_BAD_CHECK'];

describe('validateUscc', () => {
  describe('when given codes published for real organisations', () => {
    for (const { code: c, holder } of PUBLISHED_USCCS) {
      it(`accepts ${c} (${holder})`, () => {
        expect(validateUscc(c)).toBe(c);
        expect(isValidUscc(c)).toBe(true);
      });
    }
    it('recomputes their check characters exactly', () => {
      for (const { code: c } of PUBLISHED_USCCS) {
        expect(usccCheckCharacter(c.slice(0, 17))).toBe(c.charAt(17));
        expect(completeUscc(c.slice(0, 16))).toBe(c);
      }
    });
  });

  describe('when the organisation code is a published GB 11714 example', () => {
    // D2143569-X: the example of GB 11714-1997 (quoted in many validators' tests); MA1FL0LY-9 from
    // wenerme/go-gb's gb11714 tests; 00000000 has weighted sum 0, so 11 − 0 = 11 → '0' (hand-computed).
    for (const [body, check] of [['D2143569', 'X'], ['MA1FL0LY', '9'], ['76822546', '9'], ['12345678', '8'], ['00000000', '0']] as const) {
      it(`puts ${check} at position 17 after ${body}`, () => {
        const full = completeUscc(`91110108${body}`);
        expect(full.slice(8, 17)).toBe(body + check);
        expect(validateUscc(full)).toBe(full);
      });
    }
  });

  describe('when the organisation code holds letters', () => {
    it('values them by the full alphabet (GB 11714: J=19), not by the 31-character set (J=18)', () => {
      // 91230184MA1BUFLT44: with the 31-character values the GB 11714 check would be X, not 4.
      expect(validateUscc('91230184MA1BUFLT44')).toBe('91230184MA1BUFLT44');
      expect(code(() => validateUscc('91230184MA1BUFLTX4'))).toBe('USCC_BAD_ORG_CHECK');
    });
  });

  describe('when a pilot-era code does not follow GB 32100', () => {
    it('rejects it with USCC_BAD_CHECK (reported real codes whose position 18 disagrees with the standard)', () => {
      // Fujian 2015 pilot codes quoted in aarioai/id-rule as legal but non-conforming.
      for (const c of ['91350100M0001TGQXM', '91350211M0000XUF46', '91350203M0001FUE2P']) {
        expect(code(() => validateUscc(c))).toBe('USCC_BAD_CHECK');
      }
    });
  });

  describe('when the length is wrong', () => {
    it('rejects 17 and 19 characters, the empty string and non-strings with USCC_BAD_LENGTH', () => {
      const good = PUBLISHED_USCCS[0]!.code;
      for (const bad of [good.slice(0, 17), `${good}0`, '', ` ${good}`, null, undefined, 914403001922038216, [good], { code: good }]) {
        expect(code(() => validateUscc(bad))).toBe('USCC_BAD_LENGTH');
      }
    });
  });

  describe('when a character is outside the charset', () => {
    it('rejects I, O, Z, S and V at every position with USCC_BAD_CHARACTER', () => {
      const good = makeUscc('91440300');
      for (const ch of 'IOZSV') {
        for (let i = 0; i < 18; i++) {
          const bad = good.slice(0, i) + ch + good.slice(i + 1);
          const err = (() => { try { validateUscc(bad); } catch (e) { return e as CunzhengError; } return undefined; })();
          expect(err?.code).toBe('USCC_BAD_CHARACTER');
          expect(err?.details).toMatchObject({ position: i + 1, got: ch });
        }
      }
    });
    it('rejects lowercase (codes are kept exactly as given, never normalised)', () => {
      expect(code(() => validateUscc('91440300708461136t'))).toBe('USCC_BAD_CHARACTER');
      expect(code(() => validateUscc('91230184ma1buflt44'))).toBe('USCC_BAD_CHARACTER');
    });
    it('rejects full-width digits, spaces and other look-alikes of the same length', () => {
      const good = PUBLISHED_USCCS[0]!.code;
      for (const ch of ['０', ' ', '-', 'Ａ', '\u0000', 'é']) {
        expect(code(() => validateUscc(ch + good.slice(1)))).toBe('USCC_BAD_CHARACTER');
      }
    });
  });

  describe('when positions 3-8 are not digits', () => {
    it('rejects letters there with USCC_BAD_DIVISION', () => {
      const good = makeUscc('91440300');
      for (let i = 2; i < 8; i++) {
        expect(code(() => validateUscc(good.slice(0, i) + 'A' + good.slice(i + 1)))).toBe('USCC_BAD_DIVISION');
      }
    });
  });

  describe('when one character is substituted by another charset character', () => {
    it('detects every such substitution in every position of many codes (31 is prime; weights are nonzero mod 31)', () => {
      fc.assert(
        fc.property(usccArb, (good) => {
          for (let i = 0; i < 18; i++) {
            for (const ch of USCC_CHARSET) {
              if (ch === good.charAt(i)) continue;
              const bad = good.slice(0, i) + ch + good.slice(i + 1);
              const got = code(() => validateUscc(bad));
              if (i >= 2 && i < 8 && !/[0-9]/.test(ch)) expect(got).toBe('USCC_BAD_DIVISION');
              else if (i === 17) expect(got).toBe('USCC_BAD_CHECK');
              else expect(['USCC_BAD_ORG_CHECK', 'USCC_BAD_CHECK']).toContain(got);
            }
          }
        }),
        { numRuns: 200 },
      );
    }, 180_000); // 108,000 refusals: about 40 s alone, past the default minute on a loaded machine
    it('reports GB 11714 for positions 9-17 except where the mod-11 check cannot see the change', () => {
      // GB 11714 misses a substitution in 9-16 exactly when the full-alphabet values differ by a multiple
      // of 11 (e.g. 1 → C: 12 − 1 = 11); GB 32100 then catches it.
      const good = makeUscc('9144030012345678');
      const full = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      for (let i = 8; i < 16; i++) {
        for (const ch of USCC_CHARSET) {
          if (ch === good.charAt(i)) continue;
          const bad = good.slice(0, i) + ch + good.slice(i + 1);
          const invisible = (full.indexOf(ch) - full.indexOf(good.charAt(i))) % 11 === 0;
          expect(code(() => validateUscc(bad))).toBe(invisible ? 'USCC_BAD_CHECK' : 'USCC_BAD_ORG_CHECK');
        }
      }
    });
  });

  describe('when two adjacent different characters are swapped', () => {
    it('detects every swap (weights w and 3w differ mod 31; position 18 acts as weight 1 against 28)', () => {
      fc.assert(
        fc.property(usccArb, (good) => {
          for (let i = 0; i < 17; i++) {
            const a = good.charAt(i);
            const b = good.charAt(i + 1);
            if (a === b) continue;
            const bad = good.slice(0, i) + b + a + good.slice(i + 2);
            expect(USCC_CODES).toContain(code(() => validateUscc(bad)));
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when given arbitrary input', () => {
    it('never throws anything but a USCC_* CunzhengError', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: fc.constantFrom(...USCC_CHARSET.split('')), minLength: 18, maxLength: 18 }), fc.anything()), (input) => {
          const got = code(() => validateUscc(input));
          if (got !== undefined) expect(USCC_CODES).toContain(got);
          else expect(typeof input === 'string' && input.length === 18).toBe(true);
        }),
        { numRuns: 3000 },
      );
    });
    it('accepts random charset strings only when both checks hold (about 1 in 961)', () => {
      // Position 17 matches its GB 11714 check for 1 of 31 characters, position 18 its GB 32100 check for 1 of 31.
      const runs = 96_100;
      const samples = fc.sample(fc.string({ unit: fc.constantFrom(...USCC_CHARSET.split('')), minLength: 18, maxLength: 18 }), { numRuns: runs, seed: 42 });
      let accepted = 0;
      for (const s of samples) if (isValidUscc(`${s.slice(0, 2)}440300${s.slice(8)}`)) accepted++;
      expect(accepted).toBeGreaterThan(50); // expected 100
      expect(accepted).toBeLessThan(160);
    });
  });
});

describe('usccCheckCharacter', () => {
  it('is the value that makes the weighted sum of all 18 characters ≡ 0 mod 31', () => {
    fc.assert(
      fc.property(usccArb, (c) => {
        const weights = Array.from({ length: 18 }, (_, i) => (i === 17 ? 1 : Number(3n ** BigInt(i) % 31n)));
        let sum = 0;
        for (let i = 0; i < 18; i++) sum += USCC_CHARSET.indexOf(c.charAt(i)) * weights[i]!;
        expect(sum % 31).toBe(0);
        expect(usccCheckCharacter(c.slice(0, 17))).toBe(c.charAt(17));
      }),
    );
  });
  it('rejects wrong lengths and characters with coded errors', () => {
    expect(code(() => usccCheckCharacter('9144030070846113'))).toBe('USCC_BAD_LENGTH');
    expect(code(() => usccCheckCharacter('91440300708461I36'))).toBe('USCC_BAD_CHARACTER');
  });
});

describe('completeUscc', () => {
  it('completes 16 characters to a valid code and refuses a bad division code', () => {
    expect(isValidUscc(completeUscc('Y1110000ABCDEFGH'))).toBe(true);
    expect(code(() => completeUscc('91ABCDEF00000000'))).toBe('USCC_BAD_DIVISION');
    expect(code(() => completeUscc('914403'))).toBe('USCC_BAD_LENGTH');
  });
  it('accepts any charset character in positions 1-2 (the authority table grows by amendment)', () => {
    for (const a of USCC_CHARSET) expect(isValidUscc(completeUscc(`${a}${a}11010812345678`))).toBe(true);
  });
});

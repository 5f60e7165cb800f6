/**
 * The entry's string rules, each stated once (src/entry/rules.ts, uscc.ts): the JSON Schema pattern the HTTP
 * request schemas carry, the fast predicate, and the entry's own check must accept exactly the same strings.
 * Both accept or both refuse, on generated strings built to sit near each rule's edges.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DIGEST_HEX_RULE, META_KEY_RULE, SUBJECT_NAME_MAX, SUBJECT_NAME_RULE, TEXT_RULE, USCC_CHARSET, USCC_PATTERN,
  buildEntry, isSubjectName, normalizeMeta, validateUscc, type StringRule,
} from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { fuzzRuns } from '../support/fuzz.js';
import { FIXED_NONCE, FIXED_TIME, sampleInput } from './fixtures.js';

function accepts(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof CunzhengError) return false;
    throw e;
  }
}

/** Characters at the edges of the rules: ASCII classes, controls, surrogates, bidi controls, separators, astral. */
const EDGE = [
  ...'aZz09_-.@[`{/:~ AFfg', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0080', '\u009f', '\u00a0', '\u00e9', '\u0130', '\u212a', '长',
  '\ud800', '\udbff', '\udc00', '\udfff', '😀', '\u2027', '\u2028', '\u2029', '\u202a', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069', '\u206a',
  '\u200d', '\ufe0f', '\ufeff', '\u3000', '\u1680',
];
const near = fc.string({ unit: fc.constantFrom(...EDGE), maxLength: 70 });
const anyString = fc.oneof(near, fc.string({ unit: 'binary', maxLength: 70 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

function agreesWithPattern(rule: StringRule, strings: fc.Arbitrary<string>, entryAccepts: (s: string) => boolean, runs = 3000): void {
  const rx = new RegExp(rule.pattern, 'u');
  fc.assert(fc.property(strings, (s) => {
    const byPattern = rx.test(s);
    expect(rule.test(s), JSON.stringify(s)).toBe(byPattern);
    expect(entryAccepts(s), JSON.stringify(s)).toBe(byPattern);
  }), { numRuns: fuzzRuns(runs) });
}

function entryWith(patch: Partial<Parameters<typeof buildEntry>[0]>): () => unknown {
  return () => buildEntry({ ...sampleInput(), ...patch }, { nonce: FIXED_NONCE, time: FIXED_TIME });
}

describe('each string rule: pattern, predicate and the entry agree', () => {
  it('meta keys', () => {
    const keys = fc.oneof(anyString, fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,66}$/), fc.constantFrom('', 'a.b', '__proto__', 'constructor', '1a', 'a'.repeat(64), 'a'.repeat(65)));
    agreesWithPattern(META_KEY_RULE, keys, (k) => accepts(() => normalizeMeta({ [k]: 1 })));
    expect(META_KEY_RULE.test('a.b')).toBe(false);
  });

  it('text (every meta string)', () => {
    agreesWithPattern(TEXT_RULE, anyString, (s) => accepts(() => normalizeMeta({ note: s })) && accepts(() => normalizeMeta({ labels: [s] })));
  });

  it('the subject name (text, no white space at either end)', () => {
    const names = fc.oneof(anyString, near.map((s) => ` ${s}`), near.map((s) => `${s}\u3000`), fc.constant(''));
    agreesWithPattern(SUBJECT_NAME_RULE, names, (name) => accepts(entryWith({ subject: { ...sampleInput().subject, name } })));
    expect(isSubjectName('x'.repeat(SUBJECT_NAME_MAX))).toBe(true);
    expect(isSubjectName('x'.repeat(SUBJECT_NAME_MAX + 1))).toBe(false);
    expect(accepts(entryWith({ subject: { ...sampleInput().subject, name: 'x'.repeat(SUBJECT_NAME_MAX + 1) } }))).toBe(false);
  });

  it('digests (sha256 and sm3: 64 lowercase hex digits)', () => {
    const hex = fc.oneof(anyString, fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg'), minLength: 62, maxLength: 66 }));
    agreesWithPattern(DIGEST_HEX_RULE, hex, (d) => accepts(entryWith({ digest: { sha256: d } })) && accepts(entryWith({ digest: { sha256: '0'.repeat(64), sm3: d } })));
  });

  it('the USCC form: the pattern holds exactly the codes that pass the length, charset and division checks', () => {
    const form = new Set(['USCC_BAD_LENGTH', 'USCC_BAD_CHARACTER', 'USCC_BAD_DIVISION']);
    const rx = new RegExp(USCC_PATTERN, 'u');
    const codes = fc.oneof(
      fc.string({ unit: fc.constantFrom(...USCC_CHARSET, 'I', 'O', 'S', 'V', 'Z', 'a', ' '), minLength: 16, maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...USCC_CHARSET), minLength: 18, maxLength: 18 }),
      anyString,
    );
    fc.assert(fc.property(codes, (code) => {
      let formOk = true;
      try {
        validateUscc(code);
      } catch (e) {
        if (!(e instanceof CunzhengError)) throw e;
        if (form.has(e.code)) formOk = false;
      }
      expect(rx.test(code), code).toBe(formOk);
    }), { numRuns: fuzzRuns(3000) });
  });
});

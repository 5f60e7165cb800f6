import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GlobSet, compileGlob, matchGlob } from '../../cli/local/glob.js';
import { codeOf } from './helpers.js';

const cases: [pattern: string, path: string, isDirectory: boolean, matches: boolean][] = [
  // "*" and "?" stay inside one segment
  ['*.log', 'x.log', false, true],
  ['*.log', 'a/b/x.log', false, true],
  ['*.log', 'x.log.txt', false, false],
  ['*', '.hidden', false, true],
  ['a*c', 'abbbc', false, true],
  ['a?c', 'abc', false, true],
  ['a?c', 'ac', false, false],
  ['a?c', 'a/c', false, false],
  ['a/*', 'a/b', false, true],
  ['a/*', 'a/b/c', false, false],
  // "**" crosses segments, zero included
  ['**/x.txt', 'x.txt', false, true],
  ['**/x.txt', 'a/b/x.txt', false, true],
  ['a/**/b', 'a/b', false, true],
  ['a/**/b', 'a/x/y/b', false, true],
  ['a/**/b', 'ab/b', false, false],
  ['a/**', 'a/x/y', false, true],
  ['a/**', 'a', true, false],
  ['**', 'any/thing/at/all', false, true],
  ['a**b', 'axxb', false, true],
  ['a**b', 'a/b', false, false],
  // character classes
  ['[abc].txt', 'b.txt', false, true],
  ['[abc].txt', 'd.txt', false, false],
  ['v[0-9].md', 'v7.md', false, true],
  ['v[!0-9].md', 'v7.md', false, false],
  ['v[^0-9].md', 'vx.md', false, true],
  ['[]]', ']', false, true],
  ['[!]]', 'a', false, true],
  ['[!]]', ']', false, false],
  ['[!]x', '[!]x', false, true],
  ['[a-]', '-', false, true],
  ['x[', 'x[', false, true],
  ['[*]', '*', false, true],
  ['[*]', 'a', false, false],
  ['[中文]档', '文档', false, true],
  // escapes and literal regex characters
  ['\\*.txt', '*.txt', false, true],
  ['\\*.txt', 'a.txt', false, false],
  ['a+b(1).txt', 'a+b(1).txt', false, true],
  ['a.txt', 'abtxt', false, false],
  ['$^|{}', '$^|{}', false, true],
  // anchoring: a "/" anywhere but the end ties the pattern to the whole relative path
  ['build/out', 'build/out', true, true],
  ['build/out', 'x/build/out', true, false],
  ['/secret.txt', 'secret.txt', false, true],
  ['/secret.txt', 'a/secret.txt', false, false],
  ['secret.txt', 'a/secret.txt', false, true],
  // a trailing "/" means folders only
  ['tmp/', 'tmp', true, true],
  ['tmp/', 'tmp', false, false],
  ['tmp/', 'a/tmp', true, true],
  // Unicode: one "?" is one character, emoji included; NFC and NFD spellings are the same name
  ['?.txt', '😀.txt', false, true],
  ['草稿*', '资料/草稿-v2.docx', false, true],
  ['caf\u00e9.txt', 'cafe\u0301.txt', false, true],
];

describe('when a pattern is matched against a relative path', () => {
  for (const [pattern, path, isDirectory, want] of cases) {
    it(`${want ? 'matches' : 'does not match'} ${JSON.stringify(path)}${isDirectory ? ' (folder)' : ''} with ${JSON.stringify(pattern)}`, () => {
      expect(matchGlob(compileGlob(pattern), path, isDirectory)).toBe(want);
    });
  }
});

describe('when a pattern is malformed', () => {
  for (const pattern of ['', '/', 'a//b', '[z-a]', 'a/[9-0]', 'x'.repeat(5000)]) {
    it(`rejects ${JSON.stringify(pattern.slice(0, 20))} with GLOB_INVALID`, async () => {
      expect(await codeOf(() => compileGlob(pattern))).toBe('GLOB_INVALID');
    });
  }
});

describe('when patterns are used as a set', () => {
  it('matches if any pattern matches', () => {
    const set = new GlobSet(['*.log', 'build/']);
    expect(set.matches('a/x.log')).toBe(true);
    expect(set.matches('build', true)).toBe(true);
    expect(set.matches('src/main.ts')).toBe(false);
  });

  it('matches nothing when empty', () => {
    expect(new GlobSet().matches('anything')).toBe(false);
  });
});

describe('for any plain name', () => {
  const plain = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !/[*?[\]\\/]/.test(s));

  it('matches itself and only itself', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const g = compileGlob(a);
        expect(matchGlob(g, a)).toBe(true);
        expect(matchGlob(g, `dir/${a}`)).toBe(true);
        expect(matchGlob(g, b)).toBe(a.normalize('NFC') === b.normalize('NFC'));
      }),
    );
  });

  it('is matched by "*" and by one "?" per character', () => {
    fc.assert(
      fc.property(plain, (a) => {
        expect(matchGlob(compileGlob('*'), a)).toBe(true);
        expect(matchGlob(compileGlob('?'.repeat([...a.normalize('NFC')].length)), a)).toBe(true);
      }),
    );
  });
});

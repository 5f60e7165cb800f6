import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findDuplicateKey } from '../../src/entry/duplicate-keys.js';

describe('findDuplicateKey', () => {
  it('finds a name repeated in one object, at any depth', () => {
    expect(findDuplicateKey('{"a":1,"a":2}')).toEqual({ key: 'a', depth: 1 });
    expect(findDuplicateKey('{"x":[{"b":1,"c":{"d":0,"d":0}}]}')).toEqual({ key: 'd', depth: 4 });
  });

  it('compares names after unescaping', () => {
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toEqual({ key: 'a', depth: 1 });
    expect(findDuplicateKey('{"\\"":1,"\\u0022":2}')?.key).toBe('"');
  });

  it('does not confuse values, array items or names in sibling objects with keys', () => {
    expect(findDuplicateKey('{"a":"a","b":["a","a"],"c":{"a":1},"d":{"a":2}}')).toBeUndefined();
    expect(findDuplicateKey('[{"a":1},{"a":1}]')).toBeUndefined();
    expect(findDuplicateKey('{"a":"x\\",\\"a\\":","b":1}')).toBeUndefined();
    expect(findDuplicateKey('{"k\\\\":1,"k":2}')).toBeUndefined();
  });

  it('agrees with a reference on random JSON (no duplicates when the text is JSON.stringify output)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findDuplicateKey(JSON.stringify(value))).toBeUndefined();
      }),
    );
  });

  it('finds a duplicate injected into any object of random JSON', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1, maxKeys: 5 }), fc.nat(), (obj, pick) => {
        const keys = Object.keys(obj);
        const key = keys[pick % keys.length]!;
        const text = JSON.stringify(obj);
        const injected = `{${JSON.stringify(key)}:null,${text.slice(1)}`;
        expect(findDuplicateKey(`[1,${injected}]`)).toEqual({ key, depth: 2 });
      }),
    );
  });

  it('handles deep nesting without recursion', () => {
    expect(findDuplicateKey('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(findDuplicateKey(`${'{"a":'.repeat(50_000)}{"z":1,"z":2}${'}'.repeat(50_000)}`)).toEqual({ key: 'z', depth: 50_001 });
  });
});

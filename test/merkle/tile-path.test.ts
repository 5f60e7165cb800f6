import { fuzzRuns } from '../support/fuzz.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TILE_WIDTH, parseTilePath, tilePath, type TileID } from '../../src/merkle/index.js';
import { codeOf, expectCode } from './expect-code.js';

const MAX_LEVEL0_TILE = Math.floor(Number.MAX_SAFE_INTEGER / 256); // 35184372088831

describe('tilePath', () => {
  it('writes the index in x-prefixed 3-digit groups and .p/W for partial tiles (C2SP tlog-tiles)', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 0, index: 1234067, width: 42 })).toBe('tile/0/x001/x234/067.p/42');
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe('tile/2/000.p/1');
    expect(tilePath({ level: 1, index: 999, width: 256 })).toBe('tile/1/999');
    expect(tilePath({ level: 1, index: 1000, width: 256 })).toBe('tile/1/x001/000');
    expect(tilePath({ level: 0, index: MAX_LEVEL0_TILE, width: 255 })).toBe('tile/0/x035/x184/x372/x088/831.p/255');
  });

  it('rejects tiles no tree of at most 2^53 − 1 leaves has with BAD_TILE', () => {
    for (const t of [
      { level: 0, index: 0, width: 0 },
      { level: 0, index: 0, width: 257 },
      { level: 0, index: 0, width: 1.5 },
      { level: -1, index: 0, width: 1 },
      { level: 64, index: 0, width: 1 },
      { level: 7, index: 0, width: 1 },
      { level: 6, index: 0, width: 32 },
      { level: 0, index: MAX_LEVEL0_TILE, width: 256 },
      { level: 0, index: -1, width: 256 },
      { level: 0, index: NaN, width: 256 },
    ]) {
      expectCode(() => tilePath(t), 'BAD_TILE');
    }
    expectCode(() => tilePath(null as never), 'BAD_TILE');
  });
});

describe('parseTilePath', () => {
  it('parses canonical paths, full and partial, up to the largest possible tile', () => {
    expect(parseTilePath('tile/0/000')).toEqual({ level: 0, index: 0, width: 256 });
    expect(parseTilePath('tile/3/x001/000.p/255')).toEqual({ level: 3, index: 1000, width: 255 });
    expect(parseTilePath('tile/6/000.p/31')).toEqual({ level: 6, index: 0, width: 31 });
    expect(parseTilePath('tile/0/x035/x184/x372/x088/831.p/255')).toEqual({ level: 0, index: MAX_LEVEL0_TILE, width: 255 });
  });

  it('round-trips every possible tile', () => {
    const tile = fc
      .record({ level: fc.integer({ min: 0, max: 6 }), index: fc.nat({ max: MAX_LEVEL0_TILE }), width: fc.integer({ min: 1, max: TILE_WIDTH }) })
      .map((t): TileID => ({ ...t, index: Math.floor(t.index / 256 ** t.level) }))
      .filter((t) => (t.index * 256 + t.width) * 256 ** t.level <= Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(tile, (t) => {
        expect(parseTilePath(tilePath(t))).toEqual(t);
      }),
    );
  });

  describe('when the path is not exactly canonical', () => {
    const bad = [
      '',
      'tile',
      'tile/',
      'tile/0',
      'tile/0/',
      '/tile/0/000',
      'tile/0/000/',
      'tile//0/000',
      'tile/00/000',
      'tile/01/000',
      'tile/64/000',
      'tile/7/000.p/1',
      'tile/6/000.p/32',
      'tile/-1/000',
      'tile/+1/000',
      'tile/0/0',
      'tile/0/00',
      'tile/0/0000',
      'tile/0/x000/001',
      'tile/0/x000/x001/002',
      'tile/0/x1/000',
      'tile/0/001/000',
      'tile/0/x001/x002',
      'tile/0/X001/002',
      'tile/0/x001//002',
      'tile/0/000.p/0',
      'tile/0/000.p/00',
      'tile/0/000.p/01',
      'tile/0/000.p/256',
      'tile/0/000.p/1000',
      'tile/0/000.p/',
      'tile/0/000.p/1/',
      'tile/0/000.P/1',
      'tile/0/000.p.1',
      'tile/0/000.q/1',
      'tile/0/../000',
      'tile/0/x001/../000',
      'tile/0/./000',
      'tile/0/000?x=1',
      'tile/0/000 ',
      ' tile/0/000',
      'tile/0/000\n',
      'tile/0/00\u00000',
      'tile/0/\u0660\u0660\u0660',
      'tile/0/0x1',
      'tile/0/1e3',
      'tile/entries/000',
      'tile/8/0/000',
      'TILE/0/000',
      'tile\\0\\000',
      'tile/0/x035/x184/x372/x088/832',
      'tile/0/x035/x184/x372/x088/831',
      'tile/1/x000/x137/x438/x953/471',
      'tile/0/x009/x007/x199/x254/x740/x992/000',
      'tile/0/x999/x999/x999/x999/x999/999',
      'tile/0/' + 'x999/'.repeat(20) + '999',
      'tile/0/' + '0'.repeat(1e6),
    ];
    it.each(bad.map((p) => [JSON.stringify(p.length > 60 ? p.slice(0, 60) + '…' : p), p]))('rejects %s with BAD_TILE_PATH', (_, p) => {
      expect(codeOf(() => parseTilePath(p))).toBe('BAD_TILE_PATH');
    });

    it('rejects every one-character change of a valid path unless it spells another canonical tile', () => {
      const valid = 'tile/1/x001/x234/067.p/42';
      const alphabet = 'tilepx./0123456789 \\';
      for (let i = 0; i <= valid.length; i++) {
        for (const c of alphabet) {
          for (const p of [valid.slice(0, i) + c + valid.slice(i), valid.slice(0, i) + c + valid.slice(i + 1), valid.slice(0, i) + valid.slice(i + 1)]) {
            const code = codeOf(() => parseTilePath(p));
            if (code === 'NO_ERROR') expect(tilePath(parseTilePath(p))).toBe(p);
            else expect(code).toBe('BAD_TILE_PATH');
          }
        }
      }
    });

    it('rejects random strings unless they are canonical', () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...'tile/px.0123456789'), maxLength: 30 }), (p) => {
          const code = codeOf(() => parseTilePath('tile/' + p));
          if (code === 'NO_ERROR') expect(tilePath(parseTilePath('tile/' + p))).toBe('tile/' + p);
          else expect(code).toBe('BAD_TILE_PATH');
        }),
        { numRuns: fuzzRuns(2000) },
      );
    });
  });
});

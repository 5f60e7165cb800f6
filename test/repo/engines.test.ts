/**
 * The project supports Node 20.19 and newer (package.json engines). Every package the lockfile installs must
 * say it runs there too: a package whose engines.node leaves out Node 20 makes `npm install` warn
 * (EBADENGINE) and may rely on what Node 20 lacks.
 *
 * Ranges are read by a small exact evaluator of the npm range syntax the lockfile uses (`||`, comparators,
 * caret, tilde, x-ranges, hyphen ranges). A range it cannot read fails the test rather than passing it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './files.js';

const NODE_MIN = '20.19.0';

type Version = [number, number, number];

function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (m === null) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** A partial version `1`, `1.2`, `1.2.3`, `1.x`, `1.2.*`, `*`: the numbers given, undefined from the first wildcard on. */
function parsePartial(p: string): (number | undefined)[] {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(p);
  if (m === null) throw new Error(`unsupported version in range: ${JSON.stringify(p)}`);
  const parts: (number | undefined)[] = [];
  for (const g of [m[1], m[2], m[3]]) {
    if (g === undefined || /^[xX*]$/.test(g) || parts.includes(undefined)) parts.push(undefined);
    else parts.push(Number(g));
  }
  return parts;
}

const lowest = (p: (number | undefined)[]): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];

/** The first version above every version matching the partial (`1.2` → 1.3.0); undefined for `*`. */
function above(p: (number | undefined)[]): Version | undefined {
  if (p[0] === undefined) return undefined;
  if (p[1] === undefined) return [p[0] + 1, 0, 0];
  if (p[2] === undefined) return [p[0], p[1] + 1, 0];
  return [p[0], p[1], p[2] + 1];
}

/** One comparator set (space-separated, all must hold) as predicates. */
function comparatorSet(set: string): ((v: Version) => boolean)[] {
  const trimmed = set.trim();
  if (trimmed === '' || trimmed === '*' || trimmed === 'x') return [() => true];
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(trimmed);
  if (hyphen) {
    const lo = lowest(parsePartial(hyphen[1]!));
    const hiP = parsePartial(hyphen[2]!);
    const hi = above(hiP);
    return [(v) => compare(v, lo) >= 0, (v) => hi === undefined || compare(v, hi) < 0];
  }
  // ">= 12.*" is ">=12.*": join an operator to the version after it.
  const tokens = trimmed.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/);
  return tokens.flatMap((t): ((v: Version) => boolean)[] => {
    const m = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(t)!;
    const op = m[1] ?? '';
    const p = parsePartial(m[2]!);
    const lo = lowest(p);
    const hi = above(p);
    switch (op) {
      case '':
      case '=':
        return [(v) => compare(v, lo) >= 0 && (hi === undefined || compare(v, hi) < 0)];
      case '>=':
        return [(v) => compare(v, lo) >= 0];
      case '>':
        return [(v) => (hi === undefined ? false : compare(v, hi) >= 0)];
      case '<':
        return [(v) => compare(v, lo) < 0];
      case '<=':
        return [(v) => hi === undefined || compare(v, hi) < 0];
      case '~': {
        const top: Version | undefined = p[1] === undefined ? above(p) : [lo[0], lo[1] + 1, 0];
        return [(v) => compare(v, lo) >= 0 && (top === undefined || compare(v, top) < 0)];
      }
      case '^': {
        if (p[0] === undefined) return [() => true];
        let top: Version;
        if (lo[0] > 0 || p[1] === undefined) top = [lo[0] + 1, 0, 0];
        else if (lo[1] > 0 || p[2] === undefined) top = [0, lo[1] + 1, 0];
        else top = [0, 0, lo[2] + 1];
        return [(v) => compare(v, lo) >= 0 && compare(v, top) < 0];
      }
    }
    throw new Error(`unsupported comparator ${t}`);
  });
}

/** True when `version` satisfies the npm range `range`. Throws on syntax it does not know. */
function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((set) => comparatorSet(set).every((test) => test(v)));
}

interface LockPackage { version?: string; engines?: { node?: string } | string[] }
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
const withNodeRange = Object.entries(lock.packages)
  .filter(([, p]) => typeof p.engines === 'object' && !Array.isArray(p.engines) && typeof p.engines.node === 'string')
  .map(([path, p]) => ({ name: path === '' ? '(the project)' : path.replace(/^.*node_modules\//, ''), path, version: p.version, range: (p.engines as { node: string }).node }));

describe('the Node versions the installed packages support', () => {
  it('reads npm ranges exactly, on the forms the lockfile uses', () => {
    const cases: [string, string, boolean][] = [
      ['20.19.0', '>=20.19', true], ['20.18.9', '>=20.19', false], ['20.19.0', '>= 20.19.0', true],
      ['20.19.0', '>=22', false], ['22.0.0', '>=22', true], ['20.19.0', '>=20', true],
      ['20.19.0', '^20.19.0 || >=22.12.0', true], ['20.18.0', '^20.19.0 || >=22.12.0', false], ['21.0.0', '^20.19.0 || >=22.12.0', false],
      ['20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0', true], ['23.1.0', '^20.0.0 || ^22.0.0 || >=24.0.0', false],
      ['20.19.0', '18 || 20 || >=22', true], ['21.5.0', '18 || 20 || >=22', false], ['20.19.0', '20 || >=22', true],
      ['20.19.0', '10.* || >= 12.*', true], ['11.0.0', '10.* || >= 12.*', false], ['20.19.0', '*', true],
      ['20.19.0', '^10 || ^12 || ^13.7 || ^14 || >=15.0.1', true], ['13.6.0', '^10 || ^12 || ^13.7 || ^14 || >=15.0.1', false],
      ['20.19.0', '>=0.1.90', true], ['20.19.0', '>= 0.4', true], ['20.19.0', '^8.16.0 || ^10.6.0 || >=11.0.0', true],
      ['20.19.0', '~20.19.0', true], ['20.20.0', '~20.19.0', false], ['20.19.0', '18 - 20', true], ['21.0.0', '18 - 20', false],
      ['20.19.0', '>=18 <21', true], ['21.0.0', '>=18 <21', false], ['20.19.0', '<20.19.0', false], ['20.19.0', '<=20', true],
      ['20.19.0', '>20', false], ['21.0.0', '>20', true], ['0.2.5', '^0.2.3', true], ['0.3.0', '^0.2.3', false],
    ];
    for (const [version, range, want] of cases) expect(satisfies(version, range), `${version} in ${range}`).toBe(want);
    expect(() => satisfies('20.19.0', '>=20.19.0-rc.1')).toThrow(/unsupported/);
  });

  it('finds the engine ranges in package-lock.json, the project\'s own >=20.19 among them', () => {
    expect(withNodeRange.length).toBeGreaterThan(20);
    expect(withNodeRange.find((p) => p.path === '')?.range).toBe('>=20.19');
  });

  it(`has every package in package-lock.json with an engines.node range admit Node ${NODE_MIN}`, () => {
    const refused = withNodeRange.filter((p) => !satisfies(NODE_MIN, p.range)).map((p) => `${p.name}@${p.version}: node ${p.range}`);
    expect(refused).toEqual([]);
  });
});

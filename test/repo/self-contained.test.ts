/**
 * A clone of this repository must run with nothing beside it: no source, test, benchmark or CI file may read
 * a folder next to the repository (such as a sibling `shared/` checkout) or a path on one developer's machine.
 *
 * Relative paths are resolved where the code runs: test files and fixtures/*.mjs from their own folder
 * (vitest and node run them as they are); src/, cli/ and bench/ from dist/, where tsc puts them
 * (tsconfig.json: rootDir ".", outDir "dist"), so `new URL('../../bench/', import.meta.url)` in bench/run.ts
 * names <root>/bench.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR, loadVectors } from '../vectors.js';
import { ROOT, filesUnder, insideRoot } from './files.js';

const SCANNED_DIRS = ['test', 'bench', 'src', 'cli', '.ci', 'fixtures'];
const CODE = /\.(ts|mts|cts|js|mjs|cjs|sh)$/;
const COMPILED_DIRS = new Set(['src', 'cli', 'bench']);

/** Source files, plus extension-less scripts (.ci/run). */
const files = SCANNED_DIRS.flatMap(filesUnder).filter((f) => CODE.test(f) || (f.startsWith('.ci/') && !f.includes('.', 4)));
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/** The folder a file's relative URLs and imports are resolved from when it runs. */
function runtimeDir(file: string): string {
  const top = file.split('/')[0]!;
  const dir = dirname(join(ROOT, file));
  return COMPILED_DIRS.has(top) && file.endsWith('.ts') ? join(ROOT, 'dist', dirname(file)) : dir;
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

/** Each match of `re` (whose group 1 is a path) in every scanned file, as "file:line path". */
function pathsMatching(re: RegExp, keep: (file: string) => boolean = () => true): { where: string; file: string; path: string }[] {
  const found: { where: string; file: string; path: string }[] = [];
  for (const [file, source] of text) {
    if (!keep(file)) continue;
    for (const m of source.matchAll(re)) found.push({ where: `${file}:${lineOf(source, m.index)}`, file, path: m[1]! });
  }
  return found;
}

// Written in pieces so that this file does not name what it looks for.
const SIBLING = ['..', 'shared'].join('/');
const MACHINE_PATHS = [['', 'work', 'shared'].join('/'), ['', 'work', 'main'].join('/')];

describe('the repository standing alone', () => {
  it('has source files to scan, this one among them', () => {
    expect(files).toContain('test/repo/self-contained.test.ts');
    expect(files).toContain('test/vectors.ts');
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
    expect(files).toContain('.ci/run');
  });

  it('has no file under test/, bench/, src/, cli/, .ci/ or fixtures/ that names a folder beside the repository (a sibling shared/ checkout)', () => {
    const hits = [...text].flatMap(([file, source]) =>
      source.split('\n').flatMap((line, i) => (line.includes(SIBLING) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('has no file that reaches the repository, or a folder beside it, through one machine\'s absolute path', () => {
    const own = [ROOT];
    const hits = [...text].flatMap(([file, source]) =>
      source.split('\n').flatMap((line, i) => (MACHINE_PATHS.some((p) => line.includes(p)) || own.some((p) => line.includes(`'${p}`) || line.includes(`"${p}`)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('resolves every new URL(…, import.meta.url) to a path inside the repository', () => {
    const urls = pathsMatching(/new URL\(\s*['"`](\.{1,2}\/[^'"`$]*)['"`]\s*,\s*import\.meta\.url\s*\)/g);
    expect(urls.length).toBeGreaterThan(5);
    const outside = urls.filter((u) => !insideRoot(resolve(runtimeDir(u.file), u.path))).map((u) => `${u.where} ${u.path} → ${resolve(runtimeDir(u.file), u.path)}`);
    expect(outside).toEqual([]);
  });

  it('resolves every path taken relative to a file\'s own folder (dirname(…import.meta.url…), here) inside the repository', () => {
    const re = /(?:resolve|join)\(\s*(?:dirname\(fileURLToPath\(import\.meta\.url\)\)|here|__dirname|import\.meta\.dirname)\s*,\s*['"`](\.{1,2}\/[^'"`$]*|\.\.)['"`]/g;
    const outside = pathsMatching(re).filter((u) => !insideRoot(resolve(runtimeDir(u.file), u.path))).map((u) => `${u.where} ${u.path}`);
    expect(outside).toEqual([]);
  });

  it('resolves every relative import inside the repository', () => {
    const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*)['"]/gm;
    const imports = pathsMatching(re);
    expect(imports.length).toBeGreaterThan(100);
    // Imports are resolved by tsc and vitest from the source folder (dist/ mirrors it, so both agree).
    const outside = imports.filter((u) => !insideRoot(resolve(dirname(join(ROOT, u.file)), u.path))).map((u) => `${u.where} ${u.path}`);
    expect(outside).toEqual([]);
  });

  it('keeps the Go vectors inside the repository, under test/vectors/, and reads them from there', () => {
    expect(insideRoot(VECTORS_DIR)).toBe(true);
    expect(resolve(VECTORS_DIR)).toBe(join(ROOT, 'test', 'vectors'));
    for (const name of ['roots.json', 'inclusion.json', 'consistency.json', 'tiles.json', 'notes.json', 'README.md']) {
      expect(filesUnder('test/vectors'), name).toContain(`test/vectors/${name}`);
    }
    expect(loadVectors<{ vectors: unknown[] }>('roots.json').vectors).toHaveLength(1101);
  });

  it('says where the vectors come from and under which licence, beside them', () => {
    const readme = readFileSync(join(ROOT, 'test/vectors/README.md'), 'utf8');
    expect(readme).toContain('golang.org/x/mod/sumdb/tlog');
    expect(readme).toContain('golang.org/x/mod/sumdb/note');
    expect(readme).toMatch(/BSD-style licence/);
  });
});

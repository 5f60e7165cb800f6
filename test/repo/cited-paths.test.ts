/**
 * What the documentation cites must be in the repository: a reader of a clone (or of a court's copy of it)
 * follows README.md and docs/ to files, and a file that is somewhere else does not exist for them.
 *
 * Checked: every relative Markdown link in every *.md of the repository (resolved from the file's folder), and
 * every backticked repository path in README.md and docs/*.md (resolved from the root, as they are written):
 * a backticked span counts as one when it begins with a top-level folder of the repository (`src/storage/README.md`,
 * `test/http/`) or is a top-level Markdown file (`SECURITY.md`). Runtime paths (`data/log.key`), routes and
 * shell words are not repository paths and are left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, filesUnder, insideRoot } from './files.js';

const TOP_DIRS = ['src', 'test', 'bench', 'cli', 'fixtures', 'docs', '.ci'];
const markdown = ['.', ...TOP_DIRS].flatMap((d) => (d === '.' ? filesUnder('.').filter((f) => !f.includes('/')) : filesUnder(d))).filter((f) => f.endsWith('.md'));
const contractDocs = ['README.md', ...filesUnder('docs').filter((f) => f.endsWith('.md'))];

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** Markdown without its fenced code blocks (shell sessions and JSON samples are not citations). */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** Targets of inline links and images, `[text](target)`, that are relative paths. */
function relativeLinks(text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('/')) continue;
    out.push(decodeURIComponent(target.split('#')[0]!));
  }
  return out;
}

/** Backticked spans that name a path in the repository. */
function backtickedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/`([^`\n]+)`/g)) {
    const span = m[1]!;
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/.test(span)) continue;
    const first = span.split('/')[0]!;
    if (TOP_DIRS.includes(first) || (!span.includes('/') && /^[A-Z][A-Za-z0-9_-]*\.md$/.test(span))) out.push(span);
  }
  return out;
}

describe('the paths the documentation cites', () => {
  it('has the design document the README cites inside the repository: docs/FORMATS.md, covering entry, checkpoint, tiles, receipt and API', () => {
    expect(existsSync(join(ROOT, 'docs/FORMATS.md'))).toBe(true);
    const formats = read('docs/FORMATS.md');
    const headings = [...formats.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.toLowerCase());
    for (const topic of ['entry', 'hashing', 'checkpoint', 'tiles', 'receipt', 'tlog-proof', 'http api', 'errors']) {
      expect(headings.some((h) => h.includes(topic)), `a section on ${topic}`).toBe(true);
    }
  });

  it('finds the Markdown files to check, the README and the contract documents among them', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'src/storage/README.md', 'docs/FORMATS.md', 'test/vectors/README.md']));
  });

  it('names only files that exist in every relative link of every Markdown file', () => {
    const broken: string[] = [];
    let links = 0;
    for (const file of markdown) {
      for (const target of relativeLinks(read(file))) {
        links++;
        const path = resolve(dirname(join(ROOT, file)), target);
        if (!insideRoot(path) || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(links).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  it('names only files that exist in every backticked repository path of README.md and docs/', () => {
    const missing: string[] = [];
    const cited = new Set<string>();
    for (const file of contractDocs) {
      for (const path of backtickedPaths(read(file))) {
        cited.add(path);
        if (!existsSync(join(ROOT, path))) missing.push(`${file}: ${path}`);
      }
    }
    expect(cited).toContain('src/storage/README.md');
    expect(cited).toContain('SECURITY.md');
    expect(missing).toEqual([]);
  });

  it('tells a backticked repository path from a runtime path, a route or a word', () => {
    expect(backtickedPaths('see `src/entry/README.md`, `test/http/`, `SECURITY.md`, `bench/results.json`')).toEqual(['src/entry/README.md', 'test/http/', 'SECURITY.md', 'bench/results.json']);
    expect(backtickedPaths('`data/log.key`, `GET /v1/log`, `/tile/0/000`, `--tsa-roots`, `*.receipt.json`, `merkle/`, `npm test`')).toEqual([]);
    expect(relativeLinks('[a](../x.md#y) [b](https://c2sp.org/x) [c](#here) ![d](img.png)\n```\n[e](not-a-link.md)\n```\n')).toEqual(['../x.md', 'img.png']);
  });
});

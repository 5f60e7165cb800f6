/**
 * The repository's own files, found on disk (no git needed: a release tarball has no .git), for the tests
 * that check the repository stands alone.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/repo/files.ts). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');

/** What is never part of the repository's own text: installed packages, build output, local data. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'data', '.bench', 'results']);

/** Every file under `dir` (relative to ROOT), as paths relative to ROOT with forward slashes. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      if (SKIPPED.has(name)) continue;
      const path = join(abs, name);
      const st = statSync(path);
      if (st.isDirectory()) visit(path);
      else if (st.isFile()) out.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  try {
    visit(join(ROOT, dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return out;
}

/** True when the absolute path `p` is the repository root or inside it. */
export function insideRoot(p: string): boolean {
  const r = relative(ROOT, p);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !/^[A-Za-z]:/.test(r));
}

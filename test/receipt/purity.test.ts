/**
 * src/receipt is part of the pure core (docs/ARCHITECTURE.md "Layers"): a verifier runs it in a browser or a court's
 * laptop. Its import graph must not reach I/O, storage, HTTP or the command line.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const IMPURE_DIRS = ['ledger/', 'storage/', 'http/', 'service/', '../'];
const IMPURE_PACKAGES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram|tls)$|^(level|classic-level|fastify)/;

function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files: [...files].map((f) => relative(SRC, f)), packages: [...packages] };
}

describe('src/receipt', () => {
  const { files, packages } = importGraph('receipt/index.ts');
  it('reaches no storage, HTTP, service or CLI module', () => {
    expect(files.filter((f) => IMPURE_DIRS.some((d) => f.startsWith(d)))).toEqual([]);
    expect(files).toContain('entry/duplicate-keys.ts'); // the graph is really walked
  });
  it('imports no I/O package', () => {
    expect(packages.filter((p) => IMPURE_PACKAGES.test(p))).toEqual([]);
  });
});

/**
 * The offline entry point (src/anchor/pure.ts) must stay pure: its import graph never reaches the HTTP client,
 * nor anything outside src/anchor, src/crypto and src/errors; anchor files import no package but the two ASN.1
 * libraries (src/crypto keeps its own portable fallbacks).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Files reached from `entry`, and the packages imported by files of src/anchor. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (relative(SRC, file).startsWith('anchor/')) packages.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files, packages };
}

describe('when the pure entry point is imported', () => {
  it('loads only pure modules and the ASN.1 libraries, never the TSA client', () => {
    const { files, packages } = importGraph('anchor/pure.ts');
    const names = [...files].map((f) => relative(SRC, f));
    expect(names).toContain('anchor/verify-token.ts');
    expect(names).not.toContain('anchor/tsa-client.ts');
    expect(names).not.toContain('anchor/revocation-client.ts');
    expect(names).toContain('anchor/revocation-ocsp.ts');
    for (const n of names) expect(n).toMatch(/^(anchor\/|crypto\/|errors\.ts$)/);
    expect([...packages].sort()).toEqual(['asn1js', 'pkijs']);
  });

  it('while the full entry point does load the client', () => {
    const names = [...importGraph('anchor/index.ts').files].map((f) => relative(SRC, f));
    expect(names).toContain('anchor/tsa-client.ts');
  });
});

/**
 * The layer rules of src/ as a checker over a list of files: it parses each file's import and export-from
 * statements (static, side-effect and dynamic imports, type-only ones included: a layer's types are part of
 * it) and reports every import a rule forbids as "src/<file> imports '<spec>' (<target>): <rule>", so a
 * failing test says which file imports what. test/repo/layers*.test.ts run it over src/ and over fixtures.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { ROOT, filesUnder } from './files.js';

/** src/-relative path → source text. */
export type SourceFiles = ReadonlyMap<string, string>;

export interface Import {
  /** The importing file, relative to src/. */
  file: string;
  /** The module specifier as written. */
  spec: string;
  /** A relative import's target relative to src/ (.js read as .ts; '../cli/…' for cli/), else undefined. */
  target?: string;
  /** The built-in module name without `node:` ('fs'), for built-ins. */
  builtin?: string;
  line: number;
}

export interface Violation {
  file: string;
  spec: string;
  rule: string;
}

const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));

/** Every src/**\/*.ts file (declarations aside), read from disk. */
export function readSourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of filesUnder('src')) {
    if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.set(path.slice('src/'.length), readFileSync(`${ROOT}/${path}`, 'utf8'));
  }
  return files;
}

// `import … from 'x'`, `export … from 'x'` (over several lines), `import 'x'`, `import('x')`.
const STATIC = /^[ \t]*(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The imports of one file. Comments that start a line are blanked first (keeping line numbers), so an
 * import written in a doc comment is not one; a string holding "/*" (a glob) cannot hide code.
 */
export function parseImports(file: string, text: string): Import[] {
  const code = text.replace(/^[ \t]*\/\*[\s\S]*?\*\//gm, (c) => c.replace(/[^\n]/g, ' ')).replace(/^[ \t]*\/\/.*$/gm, '');
  const out: Import[] = [];
  for (const re of [STATIC, BARE, DYNAMIC]) {
    for (const m of code.matchAll(re)) {
      const spec = m[1]!;
      const line = code.slice(0, m.index).split('\n').length;
      const imp: Import = { file, spec, line };
      if (spec.startsWith('.')) imp.target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      else if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!)) imp.builtin = spec.replace(/^node:/, '');
      out.push(imp);
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

export function allImports(files: SourceFiles): Import[] {
  return [...files].flatMap(([file, text]) => parseImports(file, text));
}

/** The folders of the pure core; with them, every file reached from anchor/pure.ts. */
export const PURE_FOLDERS = ['crypto', 'merkle', 'note', 'checkpoint', 'entry', 'receipt', 'lifecycle', 'policy', 'ers'] as const;
/** Pure files in folders that also hold I/O (the witness's bodies, used by the log's client and the server; the certificate's fields; the evidence package's manifest). */
export const PURE_FILES = [
  'witness/protocol.ts',
  // the certificate's fields, wording and order (pdf.ts, font.ts and check.ts beside them do I/O)
  'certificate/model.ts', 'certificate/words.ts', 'certificate/event-words.ts', 'certificate/blocks.ts',
  // the evidence package's manifest, roots, layout, proofs file and README text (zip I/O and the builder beside them are not)
  'evidence/manifest.ts', 'evidence/tree.ts', 'evidence/layout.ts', 'evidence/consistency.ts', 'evidence/readme.ts',
  // the exhibit list's rows, wording and layout (exhibit-pdf.ts and exhibit-read.ts beside them do I/O)
  'certificate/exhibit-list.ts', 'certificate/exhibit-words.ts', 'certificate/exhibit-layout.ts',
] as const;
const PURE_ENTRY = 'anchor/pure.ts';

/** Node built-ins the pure core may use: none but node:crypto, and that only in crypto/ (hash.ts and
 * ed25519.ts are the node:crypto backends; a browser build maps hash.ts to hash-portable.ts). */
const PURE_BUILTINS: Record<string, (file: string) => boolean> = { crypto: (file) => file.startsWith('crypto/') };

const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path);

/** The files of the pure core: the pure folders, and anchor/pure.ts with everything it reaches. */
export function pureFiles(files: SourceFiles): Set<string> {
  const pure = new Set([...files.keys()].filter((f) => (PURE_FOLDERS as readonly string[]).includes(folderOf(f)) || (PURE_FILES as readonly string[]).includes(f)));
  const byFile = new Map<string, Import[]>();
  for (const imp of allImports(files)) byFile.set(imp.file, [...(byFile.get(imp.file) ?? []), imp]);
  const seen = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    pure.add(f);
    for (const imp of byFile.get(f) ?? []) if (imp.target !== undefined && folderOf(imp.target) === 'anchor') visit(imp.target);
  };
  if (files.has(PURE_ENTRY)) visit(PURE_ENTRY);
  return pure;
}

/**
 * Rule (a): the pure core imports no Node built-in (but node:crypto in crypto/), nothing of the I/O layers
 * (storage, ledger, service, http, node, cli) and no anchor module outside anchor/pure.ts's graph.
 */
export function pureCoreViolations(files: SourceFiles): Violation[] {
  const pure = pureFiles(files);
  const out: Violation[] = [];
  for (const imp of allImports(files)) {
    if (!pure.has(imp.file)) continue;
    const where = `${imp.file}:${imp.line}`;
    if (imp.builtin !== undefined) {
      const allowed = PURE_BUILTINS[imp.builtin.split('/')[0]!];
      if (allowed === undefined || !allowed(imp.file)) out.push({ file: where, spec: imp.spec, rule: 'the pure core imports no Node built-in (node:crypto only in crypto/)' });
    } else if (imp.target !== undefined) {
      const folder = folderOf(imp.target);
      if (['storage', 'ledger', 'service', 'http', 'node', '..'].includes(folder)) {
        out.push({ file: where, spec: `${imp.spec} (${imp.target})`, rule: `the pure core imports nothing of ${folder === '..' ? 'cli/ or outside src/' : `src/${folder}/`}` });
      } else if (folder === 'anchor' && !pure.has(imp.target)) {
        out.push({ file: where, spec: `${imp.spec} (${imp.target})`, rule: 'the pure core imports only the anchor modules anchor/pure.ts reaches' });
      }
    }
  }
  return out;
}

/** src/node/ holds Node-only helpers for the I/O layers: it imports no other folder of src/. */
export function nodeFolderViolations(files: SourceFiles): Violation[] {
  return allImports(files)
    .filter((imp) => folderOf(imp.file) === 'node' && imp.target !== undefined && folderOf(imp.target) !== 'node')
    .map((imp) => ({ file: `${imp.file}:${imp.line}`, spec: `${imp.spec} (${imp.target})`, rule: 'src/node/ imports no other folder of src/' }));
}

/** Rule (b): the service layer never imports the HTTP layer (http/ sits on top of service/). */
export function serviceViolations(files: SourceFiles): Violation[] {
  return allImports(files)
    .filter((imp) => folderOf(imp.file) === 'service' && imp.target !== undefined && folderOf(imp.target) === 'http')
    .map((imp) => ({ file: `${imp.file}:${imp.line}`, spec: `${imp.spec} (${imp.target})`, rule: 'src/service/ imports nothing of src/http/' }));
}

/** Rule (c): only the ledger (and storage itself) imports storage. */
export function storageViolations(files: SourceFiles): Violation[] {
  return allImports(files)
    .filter((imp) => imp.target !== undefined && folderOf(imp.target) === 'storage' && !['storage', 'ledger'].includes(folderOf(imp.file)))
    .map((imp) => ({ file: `${imp.file}:${imp.line}`, spec: `${imp.spec} (${imp.target})`, rule: 'only src/ledger/ imports src/storage/' }));
}

/** One line per violation, for a failure message a person can act on. */
export function describeViolations(vs: readonly Violation[]): string[] {
  return vs.map((v) => `src/${v.file} imports '${v.spec}': ${v.rule}`);
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkFiles, type WalkItem, type WalkOptions } from '../../cli/local/walk.js';
import { codeOf, collect, tempDir, writeTree } from './helpers.js';

const base = tempDir('cunzheng-walk-');
let counter = 0;

/** A fresh tree for one test. */
function tree(files: Record<string, string | Uint8Array>): string {
  const root = join(base, `t${counter++}`);
  mkdirSync(root);
  writeTree(root, files);
  return root;
}

async function walk(paths: string[], opts?: WalkOptions): Promise<WalkItem[]> {
  return collect(walkFiles(paths, opts));
}

const relatives = (items: WalkItem[]): string[] => items.filter((i) => i.kind === 'file').map((i) => i.relative);

describe('when a folder is walked', () => {
  it('lists every file of nested folders depth-first, sorted by the bytes of each name', async () => {
    const root = tree({ 'b.txt': 'b', 'a/z.txt': 'z', 'a/b/c.txt': 'c', 'a-b.txt': '-', 'A.txt': 'A', 'a/a.txt': 'a' });
    expect(relatives(await walk([root]))).toEqual(['A.txt', 'a/a.txt', 'a/b/c.txt', 'a/z.txt', 'a-b.txt', 'b.txt']);
  });

  it('gives absolute paths, "/"-separated relative paths and sizes', async () => {
    const root = tree({ 'sub/dir/f.bin': new Uint8Array(1234) });
    expect(await walk([root])).toEqual([{ kind: 'file', path: join(root, 'sub', 'dir', 'f.bin'), relative: 'sub/dir/f.bin', size: 1234 }]);
  });

  it('lists unicode names (中文, emoji) and empty files', async () => {
    const root = tree({ '研发/配方 v1.txt': '配方', '😀/🔬.md': 'x', '空.bin': '' });
    const items = await walk([root]);
    expect(relatives(items)).toEqual(['研发/配方 v1.txt', '空.bin', '😀/🔬.md']);
    expect(items.find((i) => i.relative === '空.bin')).toMatchObject({ kind: 'file', size: 0 });
    expect(items.find((i) => i.relative === '研发/配方 v1.txt')).toMatchObject({ size: 6 });
  });

  it('yields the same list on every walk', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d${i % 7}/f${(i * 37) % 50}.txt`] = String(i);
    const root = tree(files);
    const first = relatives(await walk([root]));
    expect(first).toHaveLength(50);
    expect(relatives(await walk([root]))).toEqual(first);
  });

  it('lists nothing for an empty folder', async () => {
    expect(await walk([tree({})])).toEqual([]);
  });
});

describe('when a folder holds repositories, dependencies and receipts', () => {
  it('skips .git and node_modules at any depth, and a .git file', async () => {
    const root = tree({
      '.git/HEAD': 'ref', 'node_modules/x/index.js': '1', 'pkg/node_modules/y.js': '2', 'pkg/.git': 'gitdir: ..',
      'pkg/src/main.ts': 'main', '.gitignore': 'kept', 'node_modules.txt': 'kept',
    });
    expect(relatives(await walk([root]))).toEqual(['.gitignore', 'node_modules.txt', 'pkg/src/main.ts']);
  });

  it('skips receipts and the temporary files of an interrupted receipt write', async () => {
    const root = tree({ 'a.txt': 'a', 'a.txt.receipt.json': '{}', 'b/.c.txt.receipt.json.0123456789ab.tmp': '{', 'b/c.txt': 'c' });
    expect(relatives(await walk([root]))).toEqual(['a.txt', 'b/c.txt']);
  });

  it('says so when a receipt is named on the command line', async () => {
    const root = tree({ 'a.txt.receipt.json': '{}' });
    expect(await walk([join(root, 'a.txt.receipt.json')])).toEqual([
      { kind: 'skipped', path: join(root, 'a.txt.receipt.json'), relative: 'a.txt.receipt.json', reason: 'receipt' },
    ]);
  });

  it('never walks into the --out folder', async () => {
    const root = tree({ 'doc.txt': 'd', 'receipts/doc.txt.receipt.json': '{}', 'receipts/notes.txt': 'n', 'receipts-old/x.txt': 'x' });
    expect(relatives(await walk([root], { outDir: join(root, 'receipts') }))).toEqual(['doc.txt', 'receipts-old/x.txt']);
    expect(relatives(await walk([root], { outDir: join(root, 'not-there-yet') }))).toEqual(['doc.txt', 'receipts/notes.txt', 'receipts-old/x.txt']);
  });
});

describe('when --exclude patterns are given', () => {
  const files = { 'a.log': '1', 'src/b.log': '2', 'src/main.ts': '3', 'build/out.js': '4', 'docs/x/draft-1.md': '5', 'docs/final.md': '6', 'tmp': 'file named tmp' };

  it('skips files whose base name matches a pattern without "/"', async () => {
    expect(relatives(await walk([tree(files)], { exclude: ['*.log'] }))).toEqual(['build/out.js', 'docs/final.md', 'docs/x/draft-1.md', 'src/main.ts', 'tmp']);
  });

  it('skips a matching folder whole, and matches patterns with "/" against the relative path', async () => {
    expect(relatives(await walk([tree(files)], { exclude: ['build', 'docs/**/draft-*'] }))).toEqual(['a.log', 'docs/final.md', 'src/b.log', 'src/main.ts', 'tmp']);
  });

  it('applies folder-only patterns to folders only', async () => {
    const root = tree({ ...files, 'x/tmp/t.txt': 't' });
    expect(relatives(await walk([root], { exclude: ['tmp/'] }))).toContain('tmp');
    expect(relatives(await walk([root], { exclude: ['tmp/'] }))).not.toContain('x/tmp/t.txt');
  });

  it('reports a file named on the command line that a pattern excludes', async () => {
    const root = tree({ 'secret.txt': 's' });
    expect(await walk([join(root, 'secret.txt')], { exclude: ['secret*'] })).toEqual([
      { kind: 'skipped', path: join(root, 'secret.txt'), relative: 'secret.txt', reason: 'excluded' },
    ]);
  });

  it('rejects a malformed pattern before listing anything', async () => {
    expect(await codeOf(() => walkFiles(['.'], { exclude: ['[z-a]'] }))).toBe('GLOB_INVALID');
  });
});

describe('when the tree holds symbolic links', () => {
  it('does not follow links inside the tree, and reports each one as skipped', async () => {
    const outside = tree({ 'secret.txt': 'outside the tree' });
    const root = tree({ 'real.txt': 'r', 'sub/keep.txt': 'k' });
    symlinkSync(join(root, 'real.txt'), join(root, 'link-to-file'));
    symlinkSync(outside, join(root, 'link-out'));
    symlinkSync(join(root, 'missing'), join(root, 'dangling'));
    symlinkSync('..', join(root, 'sub', 'loop'));
    const items = await walk([root]);
    expect(relatives(items)).toEqual(['real.txt', 'sub/keep.txt']);
    expect(items.filter((i) => i.kind === 'skipped').map((i) => [i.relative, i.kind === 'skipped' && i.reason])).toEqual([
      ['dangling', 'symlink'], ['link-out', 'symlink'], ['link-to-file', 'symlink'], ['sub/loop', 'symlink'],
    ]);
  });

  it('follows a link named on the command line, keeping the path as given', async () => {
    const target = tree({ 'in.txt': 'i' });
    const holder = tree({ 'f.txt': 'f' });
    symlinkSync(target, join(holder, 'folder-link'));
    symlinkSync(join(holder, 'f.txt'), join(holder, 'file-link'));
    expect(await walk([join(holder, 'folder-link'), join(holder, 'file-link')])).toEqual([
      { kind: 'file', path: join(holder, 'folder-link', 'in.txt'), relative: 'in.txt', size: 1 },
      { kind: 'file', path: join(holder, 'file-link'), relative: 'file-link', size: 1 },
    ]);
  });
});

describe('when the tree holds symbolic links and followSymlinks is set', () => {
  it('follows links out of the tree, once per target, and never into the tree or around a loop', async () => {
    const outside = tree({ 'spec.txt': 's', 'deep/x.txt': 'x' });
    const root = tree({ 'real.txt': 'r', 'sub/keep.txt': 'k' });
    symlinkSync(outside, join(root, 'shared'));
    symlinkSync(outside, join(root, 'shared-again'));
    symlinkSync(join(outside, 'spec.txt'), join(root, 'spec-link'));
    symlinkSync(join(root, 'real.txt'), join(root, 'link-to-file'));
    symlinkSync('..', join(root, 'sub', 'loop'));
    symlinkSync('..', join(outside, 'deep', 'up')); // a loop inside the followed folder
    symlinkSync(join(root, 'missing'), join(root, 'dangling'));
    const items = await walk([root], { followSymlinks: true });
    expect(relatives(items)).toEqual(['real.txt', 'shared/deep/x.txt', 'shared/spec.txt', 'sub/keep.txt']);
    expect(items.filter((i) => i.kind === 'followed').map((i) => i.relative)).toEqual(['shared']);
    expect(items.filter((i) => i.kind === 'skipped').map((i) => [i.relative, i.kind === 'skipped' && i.reason])).toEqual([
      ['link-to-file', 'already-listed'], ['shared/deep/up', 'symlink-loop'], ['shared-again', 'already-listed'],
      ['spec-link', 'already-listed'], ['sub/loop', 'symlink-loop'],
    ]);
    const dangling = items.find((i) => i.relative === 'dangling');
    expect(dangling?.kind === 'problem' && dangling.error.code).toBe('WALK_NOT_FOUND');
  });

  it('lists a file reached through a followed link under the link\'s path', async () => {
    const outside = tree({ 'f.txt': 'ff' });
    const root = tree({});
    symlinkSync(join(outside, 'f.txt'), join(root, 'f-link'));
    expect((await walk([root], { followSymlinks: true })).filter((i) => i.kind === 'file')).toEqual([
      { kind: 'file', path: join(root, 'f-link'), relative: 'f-link', size: 2 },
    ]);
  });
});

describe('when paths overlap', () => {
  it('lists a path given twice once', async () => {
    const root = tree({ 'a.txt': 'a', 'b/c.txt': 'c' });
    expect(relatives(await walk([root, root, `${root}/`]))).toEqual(['a.txt', 'b/c.txt']);
  });

  it('lists a file inside a given folder once, under the first path that reached it', async () => {
    const root = tree({ 'a.txt': 'a', 'b/c.txt': 'c' });
    const items = await walk([join(root, 'b', 'c.txt'), root, join(root, 'b')]);
    expect(items.map((i) => i.relative)).toEqual(['c.txt', 'a.txt']);
  });

  it('lists a file reached through a linked folder and its real folder once', async () => {
    const root = tree({ 'a.txt': 'a' });
    const holder = tree({});
    symlinkSync(root, join(holder, 'alias'));
    expect((await walk([root, join(holder, 'alias')])).map((i) => i.path)).toEqual([join(root, 'a.txt')]);
  });
});

describe('when something cannot be listed', () => {
  it('reports a missing path as WALK_NOT_FOUND and goes on', async () => {
    const root = tree({ 'a.txt': 'a' });
    const items = await walk([join(root, 'nope'), root]);
    expect(items[0]).toMatchObject({ kind: 'problem', path: join(root, 'nope') });
    expect(items[0]?.kind === 'problem' && items[0].error.code).toBe('WALK_NOT_FOUND');
    expect(relatives(items)).toEqual(['a.txt']);
  });

  it('reports a name that is not valid UTF-8 as WALK_NAME_NOT_UTF8 and goes on', async () => {
    const root = tree({ 'ok.txt': 'ok' });
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]), 'x');
    const items = await walk([root]);
    expect(relatives(items)).toEqual(['ok.txt']);
    const problems = items.filter((i) => i.kind === 'problem');
    expect(problems.map((p) => p.kind === 'problem' && p.error.code)).toEqual(['WALK_NAME_NOT_UTF8']);
  });

  it('never opens a FIFO: skipped inside a folder, WALK_NOT_REGULAR when named', async () => {
    const root = tree({ 'a.txt': 'a' });
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const items = await walk([root]);
    expect(items.map((i) => [i.relative, i.kind])).toEqual([['a.txt', 'file'], ['pipe', 'skipped']]);
    const named = await walk([join(root, 'pipe')]);
    expect(named[0]?.kind === 'problem' && named[0].error.code).toBe('WALK_NOT_REGULAR');
  });

  it('reports a folder that vanished as a problem instead of crashing', async () => {
    const root = tree({ 'a.txt': 'a' });
    const items = walkFiles([root, join(root, 'gone', 'x.txt')]);
    expect((await collect(items)).map((i) => i.kind)).toEqual(['file', 'problem']);
  });
});

/**
 * Lists the files a deposit covers: each path given (file or folder), folders recursively, in a stable
 * order, as an async iterable, so a folder of a million files is never held in memory as a whole.
 *
 * Order: the given paths in the order given; inside a folder, depth-first with the entries of each
 * folder sorted by the raw bytes of their names (UTF-8 code point order: the same on every machine and
 * in every locale).
 *
 * Skipped without a word, inside folders: `.git` and `node_modules` folders (and a `.git` file),
 * receipts (`*.receipt.json` and writeReceiptAtomic's temporary files), the `--out` folder, and whatever
 * matches an `--exclude` pattern (see glob.ts; a matching folder is skipped whole). A file named on the command line is
 * listed unless it is a receipt or excluded, and then a `skipped` item says so.
 *
 * Symbolic links: a path given on the command line is followed (the user named it; like `find -H`).
 * Inside a folder, by default, links are not followed: a link to a file in the tree would list that file
 * twice, and a link out of the tree would deposit something the user did not name. Each such link yields a
 * `skipped` item (reason 'symlink', with its target) so the caller can say so. With `followSymlinks` (like
 * `find -L`) links that lead out of the given folder are followed: each yields a `followed` item so the
 * caller can say what was deposited from elsewhere; a file reached twice is listed once (by real path); a
 * link to a folder being walked (a loop) yields `skipped` reason 'symlink-loop'; a link to something inside
 * the given folder (walked under its own name anyway) or to a folder already walked through another link
 * yields 'already-listed'; a dangling link is a WALK_NOT_FOUND problem. Files reached through a link
 * are listed under the link's path, so their receipt is written beside the link.
 * Other special files (FIFOs, sockets, devices) are never opened: reading a FIFO would block forever; they
 * yield `skipped` reason 'not-a-regular-file', and a FIFO or device named on the command line is a
 * WALK_NOT_REGULAR problem.
 *
 * Problems (a missing path, a folder or file that cannot be read, a name that is not valid UTF-8 and so
 * cannot be written into metadata or a receipt name) yield `problem` items and the walk goes on.
 * A file reached twice (the same path given twice, a file inside a folder also given) is listed once,
 * under the first path that reached it.
 */
import { constants, type Stats } from 'node:fs';
import { access, lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, join, relative as relativePath, resolve, sep } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { GlobSet } from './glob.js';
import { isReceiptFileName } from './receipt-files.js';

export type WalkErrorCode = 'WALK_NOT_FOUND' | 'WALK_UNREADABLE' | 'WALK_NOT_REGULAR' | 'WALK_NAME_NOT_UTF8';

export interface WalkedFile {
  kind: 'file';
  /** Absolute path, through the given path (a link given on the command line stays as given). */
  path: string;
  /** Relative to the given folder (its base name for a given file), "/"-separated. */
  relative: string;
  /** Bytes, when the folder was read; the hash result carries the bytes actually hashed. */
  size: number;
}

export interface WalkSkipped {
  kind: 'skipped';
  path: string;
  relative: string;
  reason: 'symlink' | 'symlink-loop' | 'already-listed' | 'not-a-regular-file' | 'receipt' | 'excluded';
  /** For links: what the link says (readlink), for the caller's message. */
  target?: string;
}

/** A link inside a folder that was followed (followSymlinks); its files follow as `file` items. */
export interface WalkFollowed {
  kind: 'followed';
  path: string;
  relative: string;
  /** The real path it leads to. */
  target: string;
  /** True when the target is not inside the given folder (always, so far: links inside it are not followed). */
  outside: boolean;
}

export interface WalkProblem {
  kind: 'problem';
  path: string;
  relative: string;
  error: CunzhengError<WalkErrorCode>;
}

export type WalkItem = WalkedFile | WalkSkipped | WalkFollowed | WalkProblem;

export interface WalkOptions {
  /** Glob patterns (glob.ts) matched against each relative path and base name. */
  exclude?: string[];
  /** Where receipts are mirrored (--out): never walked into. */
  outDir?: string;
  /** Follow symbolic links inside folders (see the header). */
  followSymlinks?: boolean;
}

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function problem(path: string, relative: string, code: WalkErrorCode, message: string, cause?: unknown): WalkProblem {
  const errno = errnoOf(cause);
  return { kind: 'problem', path, relative, error: new CunzhengError(code, message, { cause, details: { path, errno } }) };
}

function ioProblem(path: string, relative: string, what: string, cause: unknown): WalkProblem {
  const errno = errnoOf(cause);
  const code: WalkErrorCode = errno === 'ENOENT' || errno === 'ENOTDIR' ? 'WALK_NOT_FOUND' : 'WALK_UNREADABLE';
  return problem(path, relative, code, `${what} ${path}: ${errno ?? String(cause)}`, cause);
}

async function readable(path: string): Promise<unknown> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (e) {
    return e;
  }
}

interface Frame {
  abs: string;
  /** The folder's real path. */
  real: string;
  rel: string;
  names: Buffer[];
  next: number;
}

/**
 * Walks `paths`. Throws GLOB_INVALID at once (before anything is listed) for a bad exclude pattern;
 * everything else becomes an item of the iterable.
 */
export function walkFiles(paths: readonly string[], opts: WalkOptions = {}): AsyncIterable<WalkItem> {
  const excludes = new GlobSet(opts.exclude ?? []);
  return walk(paths, excludes, opts.outDir, opts.followSymlinks === true);
}

async function* walk(paths: readonly string[], excludes: GlobSet, outDir: string | undefined, follow: boolean): AsyncGenerator<WalkItem> {
  const outReal = outDir === undefined ? undefined : await realpath(outDir).catch(() => resolve(outDir));
  // Only several given paths, or followed links, can reach one file twice: a tree walk without links never does.
  const seen = paths.length > 1 || follow ? new Set<string>() : undefined;
  const firstTime = (key: string): boolean => {
    if (seen === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  for (const given of paths) {
    const abs = resolve(given);
    const name = basename(abs);
    let st: Stats;
    try {
      st = await stat(abs); // follows a link: the user named this path
    } catch (e) {
      yield ioProblem(abs, name, 'cannot find', e);
      continue;
    }
    if (st.isFile()) {
      if (isReceiptFileName(name)) yield { kind: 'skipped', path: abs, relative: name, reason: 'receipt' };
      else if (excludes.matches(name)) yield { kind: 'skipped', path: abs, relative: name, reason: 'excluded' };
      else if (firstTime(await realpath(abs).catch(() => abs))) {
        const err = await readable(abs);
        if (err === undefined) yield { kind: 'file', path: abs, relative: name, size: st.size };
        else yield ioProblem(abs, name, 'cannot read', err);
      }
      continue;
    }
    if (!st.isDirectory()) {
      yield problem(abs, name, 'WALK_NOT_REGULAR', `${abs} is ${kindOf(st)}, neither a regular file nor a folder: not opened`);
      continue;
    }
    let real: string;
    try {
      real = await realpath(abs);
    } catch (e) {
      yield ioProblem(abs, name, 'cannot resolve', e);
      continue;
    }
    yield* walkFolder(abs, real, excludes, outReal, firstTime, follow);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function isInside(real: string, root: string): boolean {
  const r = relativePath(root, real);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep));
}

/**
 * Depth-first over one given folder with an explicit stack (no recursion, so depth is not bounded by
 * the call stack). Each frame knows its folder's real path: without links, `real/<name>` is every entry's
 * real path, used to recognise the --out folder and files already listed; a followed link is resolved.
 */
async function* walkFolder(
  root: string,
  rootReal: string,
  excludes: GlobSet,
  outReal: string | undefined,
  firstTime: (key: string) => boolean,
  follow: boolean,
): AsyncGenerator<WalkItem> {
  const stack: Frame[] = [];
  const entered = follow ? new Set<string>() : undefined;
  const enter = async function* (abs: string, real: string, rel: string): AsyncGenerator<WalkItem> {
    try {
      const names = await readdir(abs, { encoding: 'buffer' });
      names.sort(Buffer.compare);
      stack.push({ abs, real, rel, names, next: 0 });
      entered?.add(real);
    } catch (e) {
      yield ioProblem(abs, rel, 'cannot read the folder', e);
    }
  };
  yield* enter(root, rootReal, '');

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const raw = frame.names[frame.next++];
    if (raw === undefined) {
      stack.pop();
      continue;
    }
    let name: string;
    try {
      name = utf8Strict.decode(raw);
    } catch (e) {
      const shown = join(frame.abs, raw.toString('utf8'));
      yield problem(shown, frame.rel, 'WALK_NAME_NOT_UTF8', `the name of ${JSON.stringify(shown)} is not valid UTF-8`, e);
      continue;
    }
    const rel = frame.rel === '' ? name : `${frame.rel}/${name}`;
    const abs = join(frame.abs, name);
    let real = join(frame.real, name);
    let st: Stats;
    try {
      st = await lstat(abs);
    } catch (e) {
      yield ioProblem(abs, rel, 'cannot stat', e);
      continue;
    }
    let linkedFile = false; // a followed link to a file, already counted by firstTime
    if (st.isSymbolicLink()) {
      if (excludes.matches(rel)) continue;
      const target = await readlink(abs).catch(() => '?');
      if (!follow) {
        yield { kind: 'skipped', path: abs, relative: rel, reason: 'symlink', target };
        continue;
      }
      try {
        real = await realpath(abs);
        st = await stat(abs);
      } catch (e) {
        yield ioProblem(abs, rel, `a broken symbolic link (to ${target}):`, e);
        continue;
      }
      if (st.isDirectory() && stack.some((f) => f.real === real)) {
        yield { kind: 'skipped', path: abs, relative: rel, reason: 'symlink-loop', target };
        continue;
      }
      // Inside the given folder, the target is walked under its own name anyway: following would list it twice.
      if (isInside(real, rootReal) || (st.isDirectory() && entered!.has(real))) {
        yield { kind: 'skipped', path: abs, relative: rel, reason: 'already-listed', target };
        continue;
      }
      if (st.isFile() && !isReceiptFileName(name) && !excludes.matches(rel) && !firstTime(real)) {
        yield { kind: 'skipped', path: abs, relative: rel, reason: 'already-listed', target };
        continue;
      }
      if (st.isDirectory() || st.isFile()) yield { kind: 'followed', path: abs, relative: rel, target: real, outside: true };
      linkedFile = st.isFile();
    }
    if (st.isDirectory()) {
      if (SKIPPED_FOLDERS.has(name) || excludes.matches(rel, true)) continue;
      if (outReal !== undefined && real === outReal) continue;
      yield* enter(abs, real, rel);
    } else if (st.isFile()) {
      // A `.git` file is a worktree's or submodule's pointer to its repository: repository data too.
      if (name === '.git' || isReceiptFileName(name) || excludes.matches(rel)) continue;
      if (!linkedFile && !firstTime(real)) continue;
      const err = await readable(abs);
      if (err === undefined) yield { kind: 'file', path: abs, relative: rel, size: st.size };
      else yield ioProblem(abs, rel, 'cannot read', err);
    } else {
      if (excludes.matches(rel)) continue;
      yield { kind: 'skipped', path: abs, relative: rel, reason: 'not-a-regular-file' };
    }
  }
}

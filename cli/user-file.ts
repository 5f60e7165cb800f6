/**
 * Files whose path comes from the user (receipts, trust files, TSA roots, config, documents).
 *
 * A path is hostile until checked: a FIFO blocks a plain `open`/`read` forever, `/dev/zero` (or a symlink to it)
 * never ends, and a huge file eats the memory of whoever reads it whole. So every such file is opened with
 * O_NONBLOCK (opening a FIFO for reading then returns at once instead of waiting for a writer), checked with
 * `fstat` on the opened descriptor (not `stat` then `open`, which races a rename), refused unless it is a
 * regular file (after following symlinks), and, when read whole, refused past a size cap. Each refusal is a
 * UsageError (exit 2, one line on stderr) with a stable code.
 *
 *   readUserFile(path, what, maxBytes?)  the whole file as bytes (≤ maxBytes)
 *   readUserText(path, what, maxBytes?)  the same, decoded as UTF-8 (a bad byte sequence is refused)
 *   openUserFile(path, what)             an fd of a regular file and its size, for streaming (caller closes it)
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { UsageError } from './exit-codes.js';

/** Receipts and other JSON the CLI reads whole. A receipt with anchors is tens of KiB. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Trust files, PEM bundles, small text. */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;

export type UserFileCode = 'USER_FILE_UNREADABLE' | 'USER_FILE_NOT_REGULAR' | 'USER_FILE_TOO_LARGE' | 'USER_FILE_NOT_UTF8';

/** A user-given file the CLI refuses to read; exit 2 like every usage error. */
export class UserFileError extends UsageError {
  constructor(readonly code: UserFileCode, readonly path: string, message: string, readonly errno?: string) {
    super(message);
    this.name = 'UserFileError';
  }
}

// O_NONBLOCK does not exist on Windows (no FIFOs there in this sense): 0 leaves the flags unchanged.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Opens `path` for reading without blocking and checks, on the descriptor, that it is a regular file. */
export function openUserFile(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UserFileError('USER_FILE_UNREADABLE', path, `cannot read ${what} ${path}: ${code}`, (e as NodeJS.ErrnoException).code);
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UserFileError('USER_FILE_UNREADABLE', path, `cannot read ${what} ${path}: ${code}`);
  }
  if (!st.isFile()) {
    closeSync(fd);
    throw new UserFileError('USER_FILE_NOT_REGULAR', path, `${what} ${path} is ${kindOf(st)}, not a regular file: refused`);
  }
  return { fd, size: st.size };
}

function tooLarge(path: string, what: string, maxBytes: number): UserFileError {
  return new UserFileError('USER_FILE_TOO_LARGE', path, `${what} ${path} is larger than ${maxBytes} bytes: refused`);
}

/** The whole of a regular file, refused past `maxBytes` or when it grows while being read. */
export function readUserFile(path: string, what: string, maxBytes: number = MAX_JSON_BYTES): Uint8Array {
  const { fd, size } = openUserFile(path, what);
  try {
    if (size > maxBytes) throw tooLarge(path, what, maxBytes);
    // One byte more than fstat said, so a file that grows while being read is noticed rather than cut short.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, got, buf.length - got, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        throw new UserFileError('USER_FILE_UNREADABLE', path, `cannot read ${what} ${path}: ${code}`);
      }
      if (n === 0) break;
      got += n;
      if (got > size) throw new UserFileError('USER_FILE_UNREADABLE', path, `${what} ${path} changed while being read: refused`);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** readUserFile decoded as UTF-8; a file that is not UTF-8 is refused rather than read with replacement characters. */
export function readUserText(path: string, what: string, maxBytes: number = MAX_TEXT_BYTES): string {
  const bytes = readUserFile(path, what, maxBytes);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UserFileError('USER_FILE_NOT_UTF8', path, `${what} ${path} is not UTF-8 text: refused`);
  }
}

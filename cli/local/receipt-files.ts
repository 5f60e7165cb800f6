/**
 * Where a file's receipt lives on the depositor's disk, reading the one already there, writing a new one
 * without ever leaving half a receipt behind, and deciding whether a file needs depositing again.
 *
 *   docs/plan.txt  ──►  docs/plan.txt.receipt.json              (default: beside the file)
 *                  ──►  OUT/<relative>/plan.txt.receipt.json    (--out OUT: the tree mirrored under OUT)
 *
 * A receipt is evidence: an existing one that cannot be read or parsed is reported, never silently
 * replaced, so a caller must not overwrite a path for which readExistingReceipt threw.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { MAX_RECEIPT_BYTES, parseReceipt, type Receipt } from '../../src/receipt/index.js';

export type ReceiptFileErrorCode = 'RECEIPT_FILE_UNREADABLE' | 'RECEIPT_FILE_WRITE_FAILED' | 'RECEIPT_FILE_PATH_INVALID';

export const RECEIPT_SUFFIX = '.receipt.json';
const TEMP_NAME = /^\..+\.receipt\.json\.[0-9a-f]{12}\.tmp$/;
const SHORT_TEMP_NAME = /^\.cunzheng-[0-9a-f]{12}\.receipt\.tmp$/;
/** An earlier version's receipt, kept by receipt-store.ts: `plan.txt.receipt.v2.json`. */
const HISTORY_NAME = /\.receipt\.v[0-9]+\.json$/;
/** Temporary names longer than this use the short form (file names are limited to 255 bytes). */
const MAX_TEMP_NAME_BYTES = 200;

/**
 * A receipt, an earlier version's receipt, or the temporary file writeReceiptAtomic leaves behind if the
 * machine stops mid-write.
 */
export function isReceiptFileName(name: string): boolean {
  return name.endsWith(RECEIPT_SUFFIX) || HISTORY_NAME.test(name) || TEMP_NAME.test(name) || SHORT_TEMP_NAME.test(name);
}

/** The receipt path of a walked file: beside it, or mirrored under `outDir` by its relative path. */
export function receiptPath(file: { path: string; relative: string }, opts: { outDir?: string } = {}): string {
  if (opts.outDir === undefined) return `${file.path}${RECEIPT_SUFFIX}`;
  const segments = file.relative.split('/');
  // "\\" is a separator on Windows only; on POSIX it is an ordinary character of a name.
  if (segments.some((s) => s === '' || s === '.' || s === '..' || (process.platform === 'win32' && s.includes('\\')))) {
    throw new CunzhengError('RECEIPT_FILE_PATH_INVALID', `cannot mirror ${JSON.stringify(file.relative)} under the output folder`, {
      details: { relative: file.relative },
    });
  }
  return `${join(resolve(opts.outDir), ...segments)}${RECEIPT_SUFFIX}`;
}

/**
 * Files whose receipts would land on the same path (with --out, `a/x.txt` from two different roots):
 * each group lists the files sharing one receipt path. Empty when every file has its own.
 */
export function receiptConflicts(
  files: Iterable<{ path: string; relative: string }>,
  opts: { outDir?: string } = {},
): { receipt: string; files: string[] }[] {
  const byReceipt = new Map<string, string[]>();
  for (const f of files) {
    const r = receiptPath(f, opts);
    const list = byReceipt.get(r);
    if (list === undefined) byReceipt.set(r, [f.path]);
    else list.push(f.path);
  }
  return [...byReceipt].filter(([, list]) => list.length > 1).map(([receipt, list]) => ({ receipt, files: list }));
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * The receipt at `path`, parsed, or undefined when there is none. Throws RECEIPT_FILE_UNREADABLE when it
 * exists but cannot be read, and parseReceipt's codes (RECEIPT_MALFORMED, RECEIPT_TOO_LARGE, …) when it
 * is not a valid receipt. The size is checked before reading, so a huge file is never loaded.
 */
export async function readExistingReceipt(path: string): Promise<Receipt | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw new CunzhengError('RECEIPT_FILE_UNREADABLE', `cannot read the receipt ${path}: ${errno ?? String(e)}`, { cause: e, details: { path, errno } });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      throw new CunzhengError('RECEIPT_FILE_UNREADABLE', `the receipt ${path} is not a regular file`, { details: { path } });
    }
    if (st.size > MAX_RECEIPT_BYTES) {
      throw new CunzhengError('RECEIPT_TOO_LARGE', `the receipt ${path} is larger than ${MAX_RECEIPT_BYTES} bytes`, {
        details: { path, want: MAX_RECEIPT_BYTES, got: st.size },
      });
    }
    let bytes: Uint8Array;
    try {
      bytes = await fh.readFile();
    } catch (e) {
      throw new CunzhengError('RECEIPT_FILE_UNREADABLE', `cannot read the receipt ${path}: ${errnoOf(e) ?? String(e)}`, { cause: e, details: { path } });
    }
    return parseReceipt(bytes);
  } finally {
    await fh.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, constants.O_RDONLY);
    await fh.sync();
  } catch (e) {
    // Some platforms (Windows) and file systems cannot fsync a directory; the rename is then as durable as they allow.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF', 'EACCES'].includes(errnoOf(e) ?? '')) throw e;
  } finally {
    await fh?.close();
  }
}

/**
 * Writes `text` to `path` so that `path` holds either the old receipt or the whole new one, never a
 * torn write: a temporary file in the same folder, fsync, rename over `path`, fsync of the folder.
 * Creates missing folders (for --out). The file's mode is 0644 whatever the umask.
 */
export async function writeReceiptAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const random = randomBytes(6).toString('hex');
  const long = `.${basename(path)}.${random}.tmp`;
  // A long receipt name would make a temporary name past the file system's limit: the short form then.
  const tmp = join(dir, Buffer.byteLength(long) > MAX_TEMP_NAME_BYTES ? `.cunzheng-${random}.receipt.tmp` : long);
  let fh: FileHandle | undefined;
  try {
    await mkdir(dir, { recursive: true });
    fh = await open(tmp, 'wx', 0o644);
    await fh.writeFile(text);
    await fh.chmod(0o644);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
    await syncDirectory(dir);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw new CunzhengError('RECEIPT_FILE_WRITE_FAILED', `cannot write the receipt ${path}: ${errnoOf(e) ?? String(e)}`, {
      cause: e,
      details: { path, errno: errnoOf(e) },
    });
  }
}

export type DepositStatus = 'new' | 'unchanged' | 'changed';

export type DepositPlan =
  | { status: 'new' }
  | { status: 'unchanged'; id: string }
  /** The file differs from what the receipt names: deposit a new version with `prev` = the old receipt's id. */
  | { status: 'changed'; prev: string };

/**
 * Compares a file's digests with the entry inside its existing receipt. The entry is parsed from the
 * receipt's exact bytes (ENTRY_* codes if they are not a valid entry). SHA-256 decides; when both sides
 * carry SM3 it must agree too, or the file counts as changed.
 */
export function planDeposit(digest: { sha256: string; sm3?: string }, existing: Receipt | undefined): DepositPlan {
  if (existing === undefined) return { status: 'new' };
  const entry = parseEntry(fromBase64(existing.entry, undefined, 'receipt entry'));
  const same =
    entry.digest.sha256 === digest.sha256.toLowerCase() &&
    (entry.digest.sm3 === undefined || digest.sm3 === undefined || entry.digest.sm3 === digest.sm3.toLowerCase());
  return same ? { status: 'unchanged', id: existing.id } : { status: 'changed', prev: existing.id };
}

/** planDeposit's verdict alone; for 'changed', `existing.id` is the `prev` of the new version. */
export function needsDeposit(digest: { sha256: string; sm3?: string }, existing: Receipt | undefined): DepositStatus {
  return planDeposit(digest, existing).status;
}

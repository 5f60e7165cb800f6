/**
 * Where `cunzheng deposit` keeps receipts so that none the service issued is ever lost or overwritten.
 *
 *   plan.txt.receipt.json               the receipt of the file's current version (receipt-files.ts)
 *   plan.txt.receipt.v1.json, .v2…      receipts of its earlier versions, kept when a changed file is deposited
 *                                       again (the new receipt's entry names the last one as `prev`)
 *   <first 100 bytes>~<h>.receipt.json  when `<name>.receipt.json` is longer than the file system allows
 *                                       (255 bytes on most): h = the first 16 hex digits of SHA-256 of the
 *                                       file's full name, so a re-run finds it again (locateReceipt)
 *   <rescue>/<id>.receipt.json          when neither can be written beside the file (a read-only folder, a
 *                                       full disk): $XDG_DATA_HOME/cunzheng/receipts (~/.local/share/…)
 *
 * History names end in `.receipt.v<N>.json`, not `.v<N>.receipt.json`: the latter is also the receipt name
 * of a document called `plan.txt.v1`. isReceiptFileName knows all of these, so the walker never deposits them.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, readdir, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import type { Receipt } from '../../src/receipt/index.js';
import { RECEIPT_SUFFIX, readExistingReceipt, writeReceiptAtomic } from './receipt-files.js';

/** Bytes of the file's name kept in a shortened receipt name. */
const SHORT_PREFIX_BYTES = 100;
/** Receipt names longer than this may have been shortened, so a lookup also tries the short name. */
const MAY_BE_SHORTENED_BYTES = 128;

function errnoOf(e: unknown): string | undefined {
  const cause = e instanceof CunzhengError ? e.cause : e;
  return typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
}

/** The first `max` bytes of `name` in UTF-8, cut on a character boundary. */
function utf8Prefix(name: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** The 16 hex digits that stand for a long file name in its shortened receipt name. */
export function nameHash(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16);
}

/** `dir/<name>.receipt.json` → `dir/<first 100 bytes of name>~<nameHash(name)>.receipt.json`. */
export function shortReceiptPath(normal: string): string {
  const name = basename(normal).slice(0, -RECEIPT_SUFFIX.length);
  return join(dirname(normal), `${utf8Prefix(name, SHORT_PREFIX_BYTES)}~${nameHash(name)}${RECEIPT_SUFFIX}`);
}

const SHORT_NAME = /^(.*)~([0-9a-f]{16})\.receipt(?:\.v[0-9]+)?\.json$/s;

/**
 * For a receipt under a shortened name (or its history), the document beside it whose full name it stands
 * for: the name in `dir` that starts with the prefix and whose nameHash matches. Undefined when `receipt`
 * is not a shortened name or no such document is there (for verifiers that pair receipts with documents).
 */
export async function documentForShortReceipt(receipt: string): Promise<string | undefined> {
  const m = SHORT_NAME.exec(basename(receipt));
  if (m === null) return undefined;
  const [, prefix, hash] = m as unknown as [string, string, string];
  const names = await readdir(dirname(receipt)).catch(() => [] as string[]);
  const name = names.find((n) => n.startsWith(prefix) && nameHash(n) === hash);
  return name === undefined ? undefined : join(dirname(receipt), name);
}

/** The history name of version `n` of the receipt at `current`: `….receipt.json` → `….receipt.v<n>.json`. */
export function versionPath(current: string, n: number): string {
  return `${current.slice(0, -'.json'.length)}.v${n}.json`;
}

/**
 * The file's current receipt: at `normal`, or at its shortened name when the normal one is long. Undefined
 * when there is none; throws as readExistingReceipt does for one that exists but is unreadable or damaged.
 */
export async function locateReceipt(normal: string): Promise<{ path: string; receipt: Receipt } | undefined> {
  let found: Receipt | undefined;
  try {
    found = await readExistingReceipt(normal);
  } catch (e) {
    if (errnoOf(e) !== 'ENAMETOOLONG') throw e;
  }
  if (found !== undefined) return { path: normal, receipt: found };
  if (Buffer.byteLength(basename(normal)) <= MAY_BE_SHORTENED_BYTES) return undefined;
  const short = shortReceiptPath(normal);
  const receipt = await readExistingReceipt(short);
  return receipt === undefined ? undefined : { path: short, receipt };
}

/**
 * Keeps the receipt at `current` as the next free `….receipt.v<N>.json` (N from 1) before a new version
 * replaces it: a hard link, so the old receipt is never absent for a moment; a copy where links are not
 * supported. Returns the history path.
 */
export async function keepPreviousReceipt(current: string): Promise<string> {
  let base = current;
  for (let n = 1; n < 100_000; n++) {
    const target = versionPath(base, n);
    try {
      await link(current, target);
      return target;
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === 'EEXIST') continue;
      if (errno === 'ENAMETOOLONG' && base === current) {
        base = shortReceiptPath(current); // plan.txt.receipt.json fitted, plan.txt.receipt.v1.json does not
        n--;
        continue;
      }
      if (errno !== 'EPERM' && errno !== 'ENOTSUP' && errno !== 'EXDEV' && errno !== 'EOPNOTSUPP') {
        throw new CunzhengError('RECEIPT_FILE_WRITE_FAILED', `cannot keep the previous receipt ${current} as ${target}: ${errno ?? String(e)}`, { cause: e });
      }
      try {
        await copyFile(current, target, constants.COPYFILE_EXCL);
        return target;
      } catch (e2) {
        if (errnoOf(e2) === 'EEXIST') continue;
        throw new CunzhengError('RECEIPT_FILE_WRITE_FAILED', `cannot keep the previous receipt ${current} as ${target}: ${errnoOf(e2) ?? String(e2)}`, { cause: e2 });
      }
    }
  }
  throw new CunzhengError('RECEIPT_FILE_WRITE_FAILED', `too many earlier versions of ${current}`);
}

/** Where receipts go that cannot be written beside their file. */
export function rescueDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'cunzheng', 'receipts');
}

export interface SavedReceipt {
  /** Where it is; undefined when it could be written nowhere (then the caller must print it). */
  path: string | undefined;
  /** 'beside': the path wanted (or the one it was found at); 'shortened': the short name; 'rescued': the rescue folder. */
  where: 'beside' | 'shortened' | 'rescued' | 'nowhere';
  /** Why it is not where it was wanted. */
  reason?: string;
  /** The history file the previous receipt was kept as, when there was one. */
  previous?: string;
}

/**
 * Writes a receipt the service issued for the file whose receipt belongs at `wanted` (its normal path, or
 * the path its current receipt was found at). `replaces`: a current receipt to keep in the history first.
 * Falls back to the shortened name when the name is too long, then to the rescue folder; never throws for a
 * write that failed, because the deposit is made and its receipt must reach the user one way or another.
 */
export async function saveReceipt(wanted: string, id: string, text: string, replaces: boolean, rescue = rescueDir()): Promise<SavedReceipt> {
  const reasons: string[] = [];
  let previous: string | undefined;
  if (replaces) {
    try {
      previous = await keepPreviousReceipt(wanted);
    } catch (e) {
      // The old receipt must not be overwritten when it cannot be kept: the new one goes to the rescue folder.
      reasons.push((e as Error).message);
    }
  }
  const candidates: { path: string; where: SavedReceipt['where'] }[] = [];
  if (reasons.length === 0) {
    candidates.push({ path: wanted, where: 'beside' });
    if (basename(wanted).endsWith(RECEIPT_SUFFIX) && !basename(wanted).includes('~')) candidates.push({ path: shortReceiptPath(wanted), where: 'shortened' });
  }
  candidates.push({ path: join(rescue, `${id}${RECEIPT_SUFFIX}`), where: 'rescued' });
  let lastError: unknown;
  for (const c of candidates) {
    if (c.where === 'shortened' && errnoOf(lastError) !== 'ENAMETOOLONG') continue;
    try {
      await writeReceiptAtomic(c.path, text);
      return { path: c.path, where: c.where, ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}), ...(previous === undefined ? {} : { previous }) };
    } catch (e) {
      lastError = e;
      reasons.push(`${c.path}: ${errnoOf(e) ?? (e as Error).message}`);
      if (c.where === 'beside' && previous !== undefined) {
        await unlink(previous).catch(() => undefined); // the current receipt is still in place: no duplicate history
        previous = undefined;
      }
    }
  }
  return { path: undefined, where: 'nowhere', reason: reasons.join('; ') };
}

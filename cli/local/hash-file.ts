/**
 * SHA-256 and SM3 of one file in one streaming pass, on the calling thread: 1 MiB at a time into one
 * reused buffer, so memory stays flat whatever the file's size. hash-pool.ts runs the same steps in
 * worker threads (hash-worker-source.ts); tests hold the two to the same answers.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CunzhengError } from '../../src/errors.js';

export type HashErrorCode = 'FILE_NOT_FOUND' | 'FILE_UNREADABLE' | 'FILE_NOT_REGULAR' | 'FILE_READ_FAILED' | 'HASH_WORKER_FAILED' | 'HASH_BAD_OPTION';

export const HASH_CHUNK_BYTES = 1024 * 1024;
/**
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; for a regular file
 * it changes nothing. The file is then checked to be regular before a byte is read.
 */
export const HASH_OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export interface FileDigest {
  path: string;
  sha256: string;
  sm3: string;
  /** Bytes hashed. */
  size: number;
}

export interface FileHashError {
  path: string;
  error: CunzhengError<HashErrorCode>;
}

export type HashResult = FileDigest | FileHashError;

/** Maps an errno (from this thread or a worker) to the error a caller can act on. */
export function fileError(path: string, errno: string | undefined, message: string, cause?: unknown): CunzhengError<HashErrorCode> {
  const code: HashErrorCode =
    errno === 'ENOENT' || errno === 'ENOTDIR'
      ? 'FILE_NOT_FOUND'
      : errno === 'EACCES' || errno === 'EPERM'
        ? 'FILE_UNREADABLE'
        : errno === 'EISDIR' || errno === 'NOT_REGULAR'
          ? 'FILE_NOT_REGULAR'
          : 'FILE_READ_FAILED';
  return new CunzhengError(code, `${path}: ${message}`, { cause, details: { path, errno } });
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Hashes one file; throws FILE_NOT_FOUND, FILE_UNREADABLE, FILE_NOT_REGULAR or FILE_READ_FAILED.
 * `onBytes` (optional) hears of each chunk as it is hashed.
 */
export async function hashFile(path: string, onBytes?: (bytes: number) => void): Promise<FileDigest> {
  let fh: FileHandle;
  try {
    fh = await open(path, HASH_OPEN_FLAGS);
  } catch (e) {
    throw fileError(path, errnoOf(e), `cannot open (${errnoOf(e) ?? String(e)})`, e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fileError(path, 'NOT_REGULAR', 'not a regular file');
    const sha = createHash('sha256');
    const sm = createHash('sm3');
    const buf = new Uint8Array(HASH_CHUNK_BYTES);
    let size = 0;
    for (;;) {
      let n: number;
      try {
        n = (await fh.read(buf, 0, HASH_CHUNK_BYTES, null)).bytesRead;
      } catch (e) {
        throw fileError(path, errnoOf(e), `read failed (${errnoOf(e) ?? String(e)})`, e);
      }
      if (n === 0) break;
      // update() consumes the bytes before returning, so the one buffer can be reused for the next chunk.
      const chunk = buf.subarray(0, n);
      sha.update(chunk);
      sm.update(chunk);
      size += n;
      onBytes?.(n);
      // A short read of a regular file is its end; once the size it had when opened is reached, skip
      // the extra read that would only return 0 (one system call less per small file).
      if (n < HASH_CHUNK_BYTES && size >= st.size) break;
    }
    return { path, sha256: sha.digest('hex'), sm3: sm.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

export function isHashError(r: HashResult): r is FileHashError {
  return 'error' in r;
}

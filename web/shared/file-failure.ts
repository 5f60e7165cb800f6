/** Files the browser could not read, named with the CLI's codes (no DOM needed here: tests run it in Node). */
import { CunzhengError } from '../../src/errors.js';

/** A file that could not be read: the CLI's code for it (cli/local/hash-file.ts), as far as a browser can tell. */
export interface FileFailure {
  name: string;
  size: number;
  error: CunzhengError<FileErrorCode>;
}

export type FileErrorCode = 'FILE_NOT_FOUND' | 'FILE_UNREADABLE' | 'FILE_READ_FAILED';

/**
 * The CLI's code for a file the browser could not read, from the DOMException's name: NotFoundError (gone
 * since it was chosen) → FILE_NOT_FOUND; NotReadableError (its permissions, or — Chromium — the file changed
 * since it was chosen) and SecurityError → FILE_UNREADABLE; anything else → FILE_READ_FAILED.
 */
export function fileFailure(file: { name: string; size: number; webkitRelativePath?: string }, errorName: string | undefined, message: string): FileFailure {
  const code: FileErrorCode = errorName === 'NotFoundError' ? 'FILE_NOT_FOUND' : errorName === 'NotReadableError' || errorName === 'SecurityError' ? 'FILE_UNREADABLE' : 'FILE_READ_FAILED';
  const rel = file.webkitRelativePath;
  const path = typeof rel === 'string' && rel !== '' ? rel : file.name;
  return { name: file.name, size: file.size, error: new CunzhengError(code, `${path}: ${message}`) };
}

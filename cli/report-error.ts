/**
 * How an error that reached the top of the command line is told: one line on stderr and an exit code.
 * 2 for a mistake in how the command was called (UsageError, and CunzhengErrors whose code means a bad
 * input from the user), 3 for anything else; the stack only with CUNZHENG_DEBUG set (not "0").
 */
import { CommanderError } from 'commander';
import { CunzhengError } from '../src/errors.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './exit-codes.js';

/**
 * Codes of CunzhengErrors that mean the command was called wrongly (a bad name, key, pattern or file given
 * by the user): exit 2 like a UsageError. Every other CunzhengError is a known failure of the machine or the
 * data and exits 3; both print one line. USER_FILE_* (cli/user-file.ts) and BAD_* codes count as usage.
 */
export const USAGE_CODES: ReadonlySet<string> = new Set([
  'GLOB_INVALID', 'HASH_BAD_OPTION', 'LOG_ORIGIN_MISMATCH', 'ANCHOR_NO_ROOTS', 'ANCHOR_NO_TSA', 'ADMIN_TOKEN_TOO_SHORT',
  'ADMIN_TOKEN_BAD_CHARACTER', 'ADMIN_TOKEN_FILE_TOO_SHORT', 'RECEIPT_FILE_PATH_INVALID', 'STORE_LOCKED',
]);

/** True when a CunzhengError with this code is the user's mistake (exit 2). */
export function isUsageCode(code: string): boolean {
  return USAGE_CODES.has(code) || code.startsWith('USER_FILE_') || code.startsWith('BAD_');
}

/** The one line (and, with CUNZHENG_DEBUG set, the stack) for an error that reached the top; its exit code. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
    return EXIT_USAGE; // commander has printed its one line (configureOutput in main.ts)
  }
  const debug = (process.env.CUNZHENG_DEBUG ?? '') !== '' && process.env.CUNZHENG_DEBUG !== '0';
  const stack = debug && e instanceof Error && e.stack !== undefined ? `\n${e.stack}` : '';
  const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
  if (e instanceof UsageError) {
    // Also http-client's NetworkError (an unreachable service is the caller's --url to fix).
    process.stderr.write(`cunzheng: ${oneLine(e.message)}${stack}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof CunzhengError) {
    process.stderr.write(`cunzheng: ${e.code}: ${oneLine(e.message)}${stack}\n`);
    return isUsageCode(e.code) ? EXIT_USAGE : EXIT_INTERNAL;
  }
  const message = e instanceof Error ? `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}` : String(e);
  process.stderr.write(`cunzheng: internal error: ${oneLine(message)}${stack || ' (set CUNZHENG_DEBUG=1 for the stack)'}\n`);
  return EXIT_INTERNAL;
}

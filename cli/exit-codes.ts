/** The command line's exit codes (docs/FORMATS.md "Command line"; part of the public contract). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/**
 * A mistake in how the command was called, or something the user pointed it at that cannot be used: exit 2
 * with ONE line on stderr, never a stack trace. Subclasses: UserFileError (user-file.ts: a path that is
 * missing, not a regular file, too large, not UTF-8) and NetworkError (http-client.ts: a server that cannot
 * be reached or answers past the size cap), so "server unreachable" is exit 2 in every command.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * One error class for the whole project. Every failure a caller can act on carries a stable `code`
 * (SCREAMING_SNAKE_CASE, part of the public contract: the CLI's --json output and the HTTP error body
 * carry it) and a human message. `details` holds evidence (got/want values), never secrets.
 */
export class CunzhengError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CunzhengError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `err` is a CunzhengError, optionally with the given code. */
export function isCunzhengError(err: unknown, code?: string): err is CunzhengError {
  return err instanceof CunzhengError && (code === undefined || err.code === code);
}

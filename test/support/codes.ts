/** The stable code a failure carries: what tests assert, since messages may be reworded. */
import { CunzhengError } from '../../src/errors.js';

/** The code of the CunzhengError that `p` rejects with (or `fn` throws), or 'NO_ERROR'. Other errors rethrow. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof CunzhengError) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

/** The same for synchronous code: the code thrown, or undefined when nothing was thrown. */
export function codeOfSync(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CunzhengError) return e.code;
    throw e;
  }
  return undefined;
}

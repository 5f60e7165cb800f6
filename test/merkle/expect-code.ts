/** Test helpers asserting that a call fails with a CunzhengError of a given code. */
import { expect } from 'vitest';
import { CunzhengError } from '../../src/errors.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The code `fn` throws, or 'NO_ERROR'; a non-CunzhengError is returned as 'NOT_CODED: …'. */
export function codeOf(fn: () => unknown): string {
  const err = caught(fn);
  if (err === undefined) return 'NO_ERROR';
  if (err instanceof CunzhengError) return err.code;
  return `NOT_CODED: ${String(err)}`;
}

export async function codeOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CunzhengError) return err.code;
    return `NOT_CODED: ${String(err)}`;
  }
  return 'NO_ERROR';
}

export function expectCode(fn: () => unknown, code: string): CunzhengError {
  const err = caught(fn);
  expect(err, `expected ${code}`).toBeInstanceOf(CunzhengError);
  expect((err as CunzhengError).code).toBe(code);
  return err as CunzhengError;
}

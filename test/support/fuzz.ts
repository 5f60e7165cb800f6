/**
 * How many generated inputs a hostile-input property runs: the given number in the regular suite, and at
 * least 10,000 in the full reliability run (`npm run test:reliability`, CUNZHENG_RELIABILITY=full).
 */
export const FULL_RELIABILITY = process.env.CUNZHENG_RELIABILITY === 'full';

export function fuzzRuns(base: number): number {
  return FULL_RELIABILITY ? Math.max(base, 10_000) : base;
}

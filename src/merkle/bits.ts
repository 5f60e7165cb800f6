/**
 * Integer helpers for tree sizes and indexes. Sizes are JS numbers up to 2^53 − 1, so the 32-bit bitwise
 * operators are off limits: everything here uses exact floating-point arithmetic on safe integers
 * (halving, multiplying by powers of two), which is exact for every value in range.
 */
import { describeValue, merkleError } from './errors.js';

/** The largest tree this package handles: 2^53 − 1 leaves. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

export function isSafeCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Throws BAD_TREE_SIZE unless `value` is a safe non-negative integer. */
export function assertTreeSize(value: unknown, what = 'treeSize'): asserts value is number {
  if (!isSafeCount(value)) {
    throw merkleError('BAD_TREE_SIZE', `${what}: expected a safe non-negative integer, got ${describeValue(value)}`, {
      got: describeValue(value),
    });
  }
}

/** Throws BAD_LEAF_INDEX unless `value` is a safe non-negative integer. */
export function assertLeafIndex(value: unknown, what = 'leafIndex'): asserts value is number {
  if (!isSafeCount(value)) {
    throw merkleError('BAD_LEAF_INDEX', `${what}: expected a safe non-negative integer, got ${describeValue(value)}`, {
      got: describeValue(value),
    });
  }
}

const POW2: readonly number[] = Array.from({ length: 64 }, (_, k) => 2 ** k);

/** 2^k, exact for 0 ≤ k ≤ 1023 (a table lookup for the levels of any tree: this is on every proof's path). */
export function pow2(k: number): number {
  return POW2[k] ?? Math.pow(2, k);
}

/** floor(n / 2). */
export function half(n: number): number {
  return Math.floor(n / 2);
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** Number of trailing zero bits of n > 0. */
export function trailingZeros(n: number): number {
  let k = 0;
  while (n % 2 === 0) {
    n /= 2;
    k++;
  }
  return k;
}

/** Number of bits needed to write n (0 for 0). */
export function bitLength(n: number): number {
  let k = 0;
  while (n >= 1) {
    n = half(n);
    k++;
  }
  return k;
}

/** Number of one bits of n. */
export function popcount(n: number): number {
  let k = 0;
  while (n >= 1) {
    if (isOdd(n)) k++;
    n = half(n);
  }
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && n === pow2(trailingZeros(n));
}

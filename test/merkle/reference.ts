/**
 * A naive RFC 6962 §2.1 implementation, written straight from the RFC's recursive definitions (MTH, PATH,
 * PROOF/SUBPROOF) and nothing else, to check the fast code against. MTH is memoized per range so that
 * checking every proof of every tree up to a few hundred leaves stays quick; the recursion is unchanged.
 */
import { createHash } from 'node:crypto';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function refLeafHash(data: Uint8Array): Uint8Array {
  return sha256(new Uint8Array([0]), data);
}

function refNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(new Uint8Array([1]), left, right);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class ReferenceTree {
  readonly #leaves: readonly Uint8Array[];
  readonly #memo = new Map<string, Uint8Array>();

  /** `leafHashes[i]` is the leaf hash of D[i] (already SHA-256(0x00 ‖ d)). */
  constructor(leafHashes: readonly Uint8Array[]) {
    this.#leaves = leafHashes;
  }

  /** MTH(D[start:end]). */
  mth(start = 0, end = this.#leaves.length): Uint8Array {
    const n = end - start;
    if (n === 0) return sha256();
    if (n === 1) return this.#leaves[start] as Uint8Array;
    const key = `${start}:${end}`;
    let h = this.#memo.get(key);
    if (h === undefined) {
      const k = split(n);
      h = refNodeHash(this.mth(start, start + k), this.mth(start + k, end));
      this.#memo.set(key, h);
    }
    return h;
  }

  /** PATH(m, D[start:end]): the audit path of leaf start+m. */
  path(m: number, start = 0, end = this.#leaves.length): Uint8Array[] {
    const n = end - start;
    if (n <= 1) return [];
    const k = split(n);
    if (m < k) return [...this.path(m, start, start + k), this.mth(start + k, end)];
    return [...this.path(m - k, start + k, end), this.mth(start, start + k)];
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty for m = 0 (RFC 9162). */
  proof(m: number, n = this.#leaves.length): Uint8Array[] {
    if (m === 0) return [];
    return this.#subproof(m, 0, n, true);
  }

  #subproof(m: number, start: number, end: number, b: boolean): Uint8Array[] {
    const n = end - start;
    if (m === n) return b ? [] : [this.mth(start, end)];
    const k = split(n);
    if (m <= k) return [...this.#subproof(m, start, start + k, b), this.mth(start + k, end)];
    return [...this.#subproof(m - k, start + k, end, false), this.mth(start, start + k)];
  }
}

/**
 * The root a PATH(m, D[n]) audit path implies for leaf hash `leaf`, following PATH's recursion (so it is
 * independent of RFC 9162's bit loop); undefined when the proof has the wrong number of hashes.
 */
export function refRootFromPath(m: number, n: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (n === 1) return proof.length === 0 ? leaf : undefined;
  if (proof.length === 0) return undefined;
  const k = split(n);
  const last = proof[proof.length - 1] as Uint8Array;
  const rest = proof.slice(0, -1);
  if (m < k) {
    const left = refRootFromPath(m, k, leaf, rest);
    return left && refNodeHash(left, last);
  }
  const right = refRootFromPath(m - k, n - k, leaf, rest);
  return right && refNodeHash(last, right);
}

/**
 * The (old, new) roots a PROOF(m, D[n]) consistency proof implies, following SUBPROOF's recursion, given
 * the old root `root1` (which SUBPROOF leaves out when the old tree is a complete subtree on the path);
 * undefined when the proof has the wrong number of hashes. 0 < m < n.
 */
export function refRootsFromConsistency(m: number, n: number, proof: readonly Uint8Array[], root1: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  const sub = (m: number, n: number, proof: readonly Uint8Array[], b: boolean): [Uint8Array, Uint8Array] | undefined => {
    if (m === n) {
      if (b) return proof.length === 0 ? [root1, root1] : undefined;
      return proof.length === 1 ? [proof[0] as Uint8Array, proof[0] as Uint8Array] : undefined;
    }
    if (proof.length === 0) return undefined;
    const k = split(n);
    const last = proof[proof.length - 1] as Uint8Array;
    const rest = proof.slice(0, -1);
    if (m <= k) {
      const r = sub(m, k, rest, b);
      return r && [r[0], refNodeHash(r[1], last)];
    }
    const r = sub(m - k, n - k, rest, false);
    return r && [refNodeHash(last, r[0]), refNodeHash(last, r[1])];
  };
  return sub(m, n, proof, true);
}

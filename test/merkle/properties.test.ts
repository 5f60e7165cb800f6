/**
 * Properties over random trees: every built proof verifies, and every mutation of it fails with a coded
 * CunzhengError. A changed tree size is the one mutation that can still verify: the proof then has the
 * same shape in both trees (the reference recursion agrees), and only the checkpoint's signature over
 * (size, root) binds them, which is why verifiers take both from a verified checkpoint.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/index.js';
import { buildConsistencyProof, buildInclusionProof, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { codeOf } from './expect-code.js';
import { NodeStore } from './helpers.js';
import { ReferenceTree, refRootFromPath, refRootsFromConsistency } from './reference.js';

const N = 3000;
const leaves = Array.from({ length: N }, () => new Uint8Array(randomBytes(32)));
const store = new NodeStore();
const roots: Uint8Array[] = [store.range.root()];
for (const l of leaves) {
  store.append(l);
  roots.push(store.range.root());
}
const ref = new ReferenceTree(leaves);

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'drop'; at: number }
  | { kind: 'append' }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'index'; delta: number }
  | { kind: 'size'; delta: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('index' as const), delta: fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('size' as const), delta: fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0) }),
);

function mutate(proof: Uint8Array[], m: Mutation): Uint8Array[] | undefined {
  const p = proof.map((h) => h.slice());
  switch (m.kind) {
    case 'flip': {
      if (p.length === 0) return undefined;
      const h = p[m.at % p.length]!;
      h[m.bit % 32]! ^= 1 << m.bit % 8;
      return p;
    }
    case 'drop':
      if (p.length === 0) return undefined;
      p.splice(m.at % p.length, 1);
      return p;
    case 'append':
      return [...p, new Uint8Array(randomBytes(32))];
    case 'swap': {
      if (p.length < 2) return undefined;
      const a = m.a % p.length;
      const b = (a + 1 + (m.b % (p.length - 1))) % p.length;
      [p[a], p[b]] = [p[b]!, p[a]!];
      return p;
    }
    default:
      return p;
  }
}

const same = (a: Uint8Array, b: Uint8Array) => toHex(a) === toHex(b);
const CODED = /^[A-Z_]+$/;

describe('inclusion proofs of random trees', () => {
  const pair = fc.integer({ min: 1, max: N }).chain((size) => fc.tuple(fc.nat({ max: size - 1 }), fc.constant(size)));

  it('verify when built', async () => {
    await fc.assert(
      fc.asyncProperty(pair, async ([index, size]) => {
        const proof = await buildInclusionProof(index, size, store.reader(size));
        verifyInclusion(index, size, leaves[index]!, proof, roots[size]!);
      }),
      { numRuns: 500 },
    );
  });

  it('fail with a coded error under every mutation (a changed size only where the proof fits that size too)', async () => {
    await fc.assert(
      fc.asyncProperty(pair, mutation, async ([index, size], m) => {
        const proof = await buildInclusionProof(index, size, store.reader(size));
        const bad = mutate(proof, m);
        if (bad === undefined) return;
        const i = m.kind === 'index' ? index + m.delta : index;
        const s = m.kind === 'size' ? size + m.delta : size;
        const code = codeOf(() => verifyInclusion(i, s, leaves[index]!, bad, roots[size]!));
        if (code === 'NO_ERROR') {
          expect(m.kind).toBe('size');
          expect(same(refRootFromPath(i, s, leaves[index]!, bad)!, roots[size]!)).toBe(true);
        } else {
          expect(code).toMatch(CODED);
        }
        if (m.kind === 'flip' || m.kind === 'swap') expect(code).toBe('ROOT_MISMATCH');
        if (m.kind === 'drop') expect(code).toBe('PROOF_TOO_SHORT');
        if (m.kind === 'append') expect(code).toBe('PROOF_TOO_LONG');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('consistency proofs of random trees', () => {
  const pair = fc.integer({ min: 1, max: N }).chain((size2) => fc.tuple(fc.integer({ min: 0, max: size2 }), fc.constant(size2)));

  it('verify when built, and match the reference', async () => {
    await fc.assert(
      fc.asyncProperty(pair, async ([size1, size2]) => {
        const proof = await buildConsistencyProof(size1, size2, store.reader(size2));
        expect(proof.map(toHex)).toEqual(ref.proof(size1, size2).map(toHex));
        verifyConsistency(size1, size2, proof, roots[size1]!, roots[size2]!);
      }),
      { numRuns: 300 },
    );
  });

  it('fail with a coded error under every mutation (changed sizes only where the proof fits them too)', async () => {
    await fc.assert(
      fc.asyncProperty(pair, mutation, fc.boolean(), async ([size1, size2], m, first) => {
        const proof = await buildConsistencyProof(size1, size2, store.reader(size2));
        const bad = mutate(proof, m);
        if (bad === undefined) return;
        const delta = m.kind === 'index' || m.kind === 'size' ? m.delta : 0;
        const s1 = first ? size1 + delta : size1;
        const s2 = first ? size2 : size2 + delta;
        const code = codeOf(() => verifyConsistency(s1, s2, bad, roots[size1]!, roots[size2]!));
        if (code === 'NO_ERROR') {
          expect(delta).not.toBe(0);
          if (s1 > 0 && s1 < s2) {
            const [old, now] = refRootsFromConsistency(s1, s2, bad, roots[size1]!)!;
            expect(same(old, roots[size1]!) && same(now, roots[size2]!)).toBe(true);
          } else {
            expect(bad).toEqual([]);
          }
        } else {
          expect(code).toMatch(CODED);
        }
        if (delta === 0 && (m.kind === 'flip' || m.kind === 'swap')) expect(['OLD_ROOT_MISMATCH', 'NEW_ROOT_MISMATCH']).toContain(code);
        if (m.kind === 'drop') expect(code).toBe('PROOF_TOO_SHORT');
        if (m.kind === 'append') expect(code).toBe(size1 === 0 || size1 === size2 ? 'CONSISTENCY_NONEMPTY_PROOF' : 'PROOF_TOO_LONG');
      }),
      { numRuns: 1000 },
    );
  });
});

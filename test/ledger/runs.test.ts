/**
 * Ledger.appendRun and the pipelined integrator: runs of entries become consecutive leaves committed in one
 * group, their proofs (built together by runProofs) are the per-leaf proofs, the queue bound counts
 * entries, and a failed write of one group while the next one is staged loses nothing acknowledged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ledger, type AppendedRun } from '../../src/ledger/index.js';
import { hashLeaf, verifyInclusion } from '../../src/merkle/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { toHex, utf8 } from '../../src/crypto/index.js';
import type { CommitGroup } from '../../src/storage/store.js';
import { recordKeys } from '../../src/ledger/index.js';
import { sha256 } from '../../src/crypto/index.js';
import { CunzhengError } from '../../src/errors.js';
import { ReferenceTree } from '../merkle/reference.js';
import { rejectionCode, tempDir, waitUnfenced } from './helpers.js';

let t: ReturnType<typeof tempDir>;
const open: Ledger[] = [];

beforeEach(() => {
  t = tempDir('cunzheng-runs-');
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close().catch(() => undefined);
  t.cleanup();
});

async function openLedger(opts: { maxGroup?: number; maxQueue?: number; dir?: string } = {}): Promise<Ledger> {
  const { dir, ...rest } = opts;
  const l = await Ledger.open({ dataDir: dir ?? t.dir, origin: 'test.example/runs', ...rest });
  open.push(l);
  return l;
}

async function closeLedger(l: Ledger): Promise<void> {
  open.splice(open.indexOf(l), 1);
  await l.close();
}

function rootOf(ledger: Ledger, note: string): { treeSize: number; rootHash: Uint8Array } {
  return openCheckpoint(note, [parseVerifierKey(ledger.verifierKey)], { origin: ledger.origin }).checkpoint;
}

const hex = (b: Uint8Array): string => toHex(b);
const same = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean => a.length === b.length && a.every((x, i) => hex(x) === hex(b[i]!));

/** Every stored entry's leaf hash, in index order, read back from the ledger. */
async function storedLeafHashes(ledger: Ledger): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < ledger.treeSize; i++) {
    const e = await ledger.entry(i);
    if (e === undefined) throw new Error(`entry ${i} missing below tree size ${ledger.treeSize}`);
    out.push(hashLeaf(e));
  }
  return out;
}

describe('appendRun under concurrency', () => {
  it('gives each run consecutive indices, its leaf hashes, and proofs equal to inclusionProof that verify', async () => {
    const sizeArb = fc.oneof(
      fc.integer({ min: 1, max: 3000 }),
      fc.constantFrom(1, 2, 255, 256, 257, 511, 512, 513),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ size: sizeArb, proofs: fc.boolean() }), { minLength: 4, maxLength: 9 }),
        fc.integer({ min: 1, max: 4000 }),
        async (runs, maxGroup) => {
          const t2 = tempDir('cunzheng-runs-prop-');
          const ledger = await openLedger({ dir: t2.dir, maxGroup });
          try {
            // All runs submitted at once (plus single appends between them): groups mix runs.
            let serial = 0;
            const submitted: { entries: Uint8Array[]; proofs: boolean; p: Promise<AppendedRun> }[] = [];
            for (const r of runs) {
              const entries = Array.from({ length: r.size }, () => utf8(`entry ${serial++}`));
              submitted.push({ entries, proofs: r.proofs, p: ledger.appendRun(entries, { proofs: r.proofs }) });
              const single = [utf8(`single ${serial++}`)];
              submitted.push({ entries: single, proofs: true, p: ledger.append(single[0]!, { proof: true }).then((a) => ({ firstIndex: a.leafIndex, leafHashes: [a.leafHash], treeSize: a.treeSize, checkpoint: a.checkpoint, proofs: [a.proof!] })) });
            }
            const results = await Promise.all(submitted.map((s) => s.p));
            const total = serial;
            expect(ledger.treeSize).toBe(total);

            // Runs are placed in submission order, back to back, covering [0, total) exactly.
            let next = 0;
            const v = parseVerifierKey(ledger.verifierKey);
            for (const [i, r] of results.entries()) {
              const s = submitted[i]!;
              expect(r.firstIndex).toBe(next);
              next += s.entries.length;
              expect(r.leafHashes).toHaveLength(s.entries.length);
              expect(r.treeSize).toBeGreaterThanOrEqual(r.firstIndex + s.entries.length);
              const cp = openCheckpoint(r.checkpoint, [v], { origin: ledger.origin }).checkpoint;
              expect(cp.treeSize).toBe(r.treeSize);
              expect(await ledger.checkpointAt(r.treeSize)).toBe(r.checkpoint);
              for (let k = 0; k < s.entries.length; k++) {
                expect(hex(r.leafHashes[k]!)).toBe(hex(hashLeaf(s.entries[k]!)));
              }
              if (s.proofs) {
                expect(r.proofs).toHaveLength(s.entries.length);
                for (let k = 0; k < s.entries.length; k++) {
                  verifyInclusion(r.firstIndex + k, r.treeSize, r.leafHashes[k]!, r.proofs![k]!, cp.rootHash);
                }
                // Compared with the one-leaf proof builder on a sample (every leaf of small runs).
                const step = Math.max(1, Math.floor(s.entries.length / 40));
                for (let k = 0; k < s.entries.length; k += step) {
                  expect(same(r.proofs![k]!, await ledger.inclusionProof(r.firstIndex + k, r.treeSize))).toBe(true);
                }
                const last = s.entries.length - 1;
                expect(same(r.proofs![last]!, await ledger.inclusionProof(r.firstIndex + last, r.treeSize))).toBe(true);
              } else {
                expect(r.proofs).toBeUndefined();
              }
            }
            expect(next).toBe(total);
            // Everything was queued before the first group was taken, so the groups are the greedy split of
            // the submissions: whole runs, up to maxGroup entries, a larger run alone. Each run's checkpoint
            // is the tree at the end of its group.
            let end = 0;
            let count = 0;
            const groupEnd: number[] = [];
            let open: number[] = [];
            for (const [i, s] of submitted.entries()) {
              if (open.length > 0 && count + s.entries.length > maxGroup) {
                for (const j of open) groupEnd[j] = end;
                open = [];
                count = 0;
              }
              open.push(i);
              count += s.entries.length;
              end += s.entries.length;
            }
            for (const j of open) groupEnd[j] = end;
            expect(results.map((r) => r.treeSize)).toEqual(groupEnd);
            // The stored entries are exactly the submitted ones in that order, and the root is RFC 6962's.
            const ref = new ReferenceTree(submitted.flatMap((s) => s.entries.map((e) => hashLeaf(e))));
            expect(hex(rootOf(ledger, ledger.checkpoint).rootHash)).toBe(hex(ref.mth()));
            for (const idx of [0, total - 1, Math.floor(total / 2)]) {
              expect(hex(hashLeaf((await ledger.entry(idx))!))).toBe(hex(ref.mth(idx, idx + 1)));
            }
          } finally {
            await closeLedger(ledger);
            t2.cleanup();
          }
        },
      ),
      { numRuns: 3 },
    );
  });

  it('commits concurrent runs with all the proofs of every leaf equal to inclusionProof', async () => {
    // Exhaustive on a smaller tree: every proof of every run compared, across tile boundaries.
    const ledger = await openLedger({ maxGroup: 300 });
    const sizes = [1, 255, 1, 256, 3, 257, 100, 600, 1];
    let serial = 0;
    const entries = sizes.map((n) => Array.from({ length: n }, () => utf8(`e${serial++}`)));
    const results = await Promise.all(entries.map((es) => ledger.appendRun(es, { proofs: true })));
    for (const [i, r] of results.entries()) {
      const { rootHash } = rootOf(ledger, r.checkpoint);
      for (let k = 0; k < entries[i]!.length; k++) {
        const want = await ledger.inclusionProof(r.firstIndex + k, r.treeSize);
        expect(same(r.proofs![k]!, want), `run ${i} leaf ${k}`).toBe(true);
        verifyInclusion(r.firstIndex + k, r.treeSize, hashLeaf(entries[i]![k]!), r.proofs![k]!, rootHash);
      }
    }
  });
});

describe('runProofs', () => {
  it('equals the per-leaf inclusion proofs for random ranges and historical tree sizes', async () => {
    const ledger = await openLedger({ maxGroup: 97 });
    const N = 1800;
    const entries = Array.from({ length: N }, (_, i) => utf8(`leaf ${i}`));
    await Promise.all([ledger.appendRun(entries.slice(0, 700)), ledger.appendRun(entries.slice(700, 701)), ...entries.slice(701).map((e) => ledger.append(e))]);
    expect(ledger.treeSize).toBe(N);
    const ref = new ReferenceTree(entries.map((e) => hashLeaf(e)));
    const sizeArb = fc.oneof(
      fc.integer({ min: 1, max: N }),
      // Sizes around tile boundaries: full tiles, and partial ones of 1 or 255 hashes.
      fc.constantFrom(1, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 1536, 1537, N - 1, N),
    );
    await fc.assert(
      fc.asyncProperty(
        sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))).chain(([size, first]) =>
          fc.tuple(fc.constant(size), fc.constant(first), fc.integer({ min: 0, max: Math.min(size - first, 400) }))),
        async ([size, first, count]) => {
          const proofs = await ledger.runProofs(first, count, size);
          expect(proofs).toHaveLength(count);
          const byHex = new Map<string, Uint8Array>();
          for (let k = 0; k < count; k++) {
            const want = await ledger.inclusionProof(first + k, size);
            expect(same(proofs[k]!, want), `leaf ${first + k} in ${size}`).toBe(true);
            expect(same(proofs[k]!, ref.path(first + k, 0, size))).toBe(true);
            verifyInclusion(first + k, size, ref.mth(first + k, first + k + 1), proofs[k]!, ref.mth(0, size));
            // Nodes shared by several proofs are the same objects.
            for (const h of proofs[k]!) {
              const seen = byHex.get(hex(h));
              if (seen === undefined) byHex.set(hex(h), h);
              else expect(seen).toBe(h);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(await ledger.runProofs(5, 0, 5)).toEqual([]);
    expect(await ledger.runProofs(0, 0, 0)).toEqual([]);
  });

  it('rejects bad arguments with a CunzhengError code', async () => {
    const ledger = await openLedger();
    await ledger.appendRun(Array.from({ length: 10 }, (_, i) => utf8(`x${i}`)));
    const cases: [number, number, number, string][] = [
      [0, 11, 10, 'LEDGER_BAD_INDEX'], // count past the tree size
      [9, 2, 10, 'LEDGER_BAD_INDEX'],
      [5, 1, 5, 'LEDGER_BAD_INDEX'],
      [10, 1, 10, 'LEDGER_BAD_INDEX'],
      [-1, 1, 10, 'LEDGER_BAD_INDEX'],
      [0, -1, 10, 'LEDGER_BAD_INDEX'],
      [1.5, 1, 10, 'LEDGER_BAD_INDEX'],
      [0, 2.5, 10, 'LEDGER_BAD_INDEX'],
      [Number.NaN, 1, 10, 'LEDGER_BAD_INDEX'],
      [0, Number.POSITIVE_INFINITY, 10, 'LEDGER_BAD_INDEX'],
      [0, 1, 11, 'LEDGER_SIZE_BEYOND_TREE'],
      [0, 1, -1, 'LEDGER_BAD_SIZE'],
      [0, 1, 2.5, 'LEDGER_BAD_SIZE'],
      [0, 1, Number.NaN, 'LEDGER_BAD_SIZE'],
    ];
    for (const [first, count, size, code] of cases) {
      expect(await rejectionCode(ledger.runProofs(first, count, size)), `runProofs(${first}, ${count}, ${size})`).toBe(code);
    }
    expect(await rejectionCode(ledger.runProofs('0' as unknown as number, 1, 10))).toBe('LEDGER_BAD_INDEX');
  });
});

describe('group boundaries', () => {
  it('commits a run larger than maxGroup as one group of its own', async () => {
    const ledger = await openLedger({ maxGroup: 10 });
    const singles = (tag: string, n: number): Promise<AppendedRun>[] =>
      Array.from({ length: n }, (_, i) => ledger.appendRun([utf8(`${tag}${i}`)]));
    const before = singles('a', 3);
    const big = ledger.appendRun(Array.from({ length: 25 }, (_, i) => utf8(`big${i}`)), { proofs: true });
    const after = singles('b', 12);
    const [b4, r, af] = await Promise.all([Promise.all(before), big, Promise.all(after)]);
    expect(r.firstIndex).toBe(3);
    // One group: its checkpoint is the tree right after its last entry, and no group ended inside it.
    expect(r.treeSize).toBe(r.firstIndex + 25);
    for (let k = 1; k < 25; k++) expect(await ledger.checkpointAt(r.firstIndex + k)).toBeUndefined();
    expect(ledger.stats.groupSizes).toContain(25);
    for (const size of ledger.stats.groupSizes) expect(size === 25 || size <= 10).toBe(true);
    // The runs before and after it are in other groups.
    for (const x of b4) expect(x.treeSize).toBeLessThanOrEqual(3);
    for (const x of af) expect(x.treeSize).toBeGreaterThan(28);
    const { rootHash } = rootOf(ledger, r.checkpoint);
    r.proofs!.forEach((p, k) => verifyInclusion(r.firstIndex + k, r.treeSize, r.leafHashes[k]!, p, rootHash));
  });
});

describe('the queue bound', () => {
  it('counts entries, not runs', async () => {
    const ledger = await openLedger({ maxQueue: 100 });
    expect(ledger.hasRoom(100)).toBe(true);
    expect(ledger.hasRoom(101)).toBe(false);
    expect(await rejectionCode(ledger.appendRun(Array.from({ length: 101 }, (_, i) => utf8(`too many ${i}`))))).toBe('LEDGER_BUSY');
    await ledger.flush();
    expect(ledger.treeSize).toBe(0);
    expect(await ledger.entry(0)).toBeUndefined();

    // 60 queued: a second run of 60 does not fit, one of 40 does.
    const first = ledger.appendRun(Array.from({ length: 60 }, (_, i) => utf8(`first ${i}`)));
    expect(ledger.hasRoom(41)).toBe(false);
    expect(ledger.hasRoom(40)).toBe(true);
    const busy = ledger.appendRun(Array.from({ length: 60 }, (_, i) => utf8(`second ${i}`)));
    const single = ledger.append(utf8('one more'));
    const fits = ledger.appendRun(Array.from({ length: 39 }, (_, i) => utf8(`third ${i}`)));
    expect(await rejectionCode(busy)).toBe('LEDGER_BUSY');
    const [a, s, c] = await Promise.all([first, single, fits]);
    expect(a.firstIndex).toBe(0);
    expect(s.leafIndex).toBe(60);
    expect(c.firstIndex).toBe(61);
    expect(ledger.treeSize).toBe(100);
    // None of the refused run was written.
    for (let i = 0; i < 100; i++) expect(new TextDecoder().decode((await ledger.entry(i))!)).not.toMatch(/^second/);
    // Room again once the queue drained.
    expect((await ledger.appendRun(Array.from({ length: 100 }, (_, i) => utf8(`again ${i}`)))).firstIndex).toBe(100);
  });

  it('keeps the run it was given: entries pushed into the caller\'s array afterwards are not appended or counted', async () => {
    const ledger = await openLedger({ maxQueue: 5 });
    const entries = [utf8('a'), utf8('b')];
    const run = ledger.appendRun(entries);
    entries.push(utf8('c'), utf8('d'), utf8('e'));
    expect(ledger.hasRoom(3)).toBe(true);
    expect(ledger.hasRoom(4)).toBe(false);
    const done = await run;
    expect(done.leafHashes).toHaveLength(2);
    await ledger.flush();
    expect(ledger.treeSize).toBe(2);
    expect(ledger.stats.queueDepth).toBe(0);
    expect(ledger.hasRoom(5)).toBe(true);
    expect(ledger.hasRoom(6)).toBe(false);
  });

  it('refuses an empty run, a run with an empty entry, and non-byte entries with LEDGER_BAD_ENTRY, appending nothing', async () => {
    const ledger = await openLedger();
    expect(await rejectionCode(ledger.appendRun([]))).toBe('LEDGER_BAD_ENTRY');
    expect(await rejectionCode(ledger.appendRun([utf8('a'), new Uint8Array(0), utf8('b')]))).toBe('LEDGER_BAD_ENTRY');
    expect(await rejectionCode(ledger.appendRun([utf8('a'), 'b' as unknown as Uint8Array]))).toBe('LEDGER_BAD_ENTRY');
    expect(await rejectionCode(ledger.appendRun(utf8('abc') as unknown as Uint8Array[]))).toBe('LEDGER_BAD_ENTRY');
    expect(await rejectionCode(ledger.append(new Uint8Array(0)))).toBe('LEDGER_BAD_ENTRY');
    await ledger.flush();
    expect(ledger.treeSize).toBe(0);
    expect(ledger.stats.queueDepth).toBe(0);
    const ok = await ledger.appendRun([utf8('a'), utf8('b')]);
    expect(ok.firstIndex).toBe(0);
    expect(ledger.treeSize).toBe(2);
  });
});

describe('a write failure while the next group is staged', () => {
  type Rec = { entry: Uint8Array; key: Uint8Array; result?: number; error?: unknown };

  /**
   * Several callers append (singles and runs) continuously; the `failAt`-th commit fails (`landed`: after
   * its batch was written, as when the fsync reports an error for data that reached the disk).
   */
  async function scenario(landed: boolean, failAt: number): Promise<void> {
    const ledger = await openLedger({ maxGroup: 40 });
    await ledger.index.loadFilter(); // empty: from here on, the filter knows only what the commits taught it
    await ledger.appendRun(Array.from({ length: 5 }, (_, i) => utf8(`pre ${i}`)));
    const store = ledger['store'] as unknown as { commit: (g: CommitGroup) => Promise<void> };
    const real = store.commit.bind(ledger['store']);
    let calls = 0;
    let failed: { firstIndex: number; entries: string[] } | undefined;
    const commits: { firstIndex: number; count: number }[] = [];
    /** Per digest key (hex), the leaf indices the commits handed to the store wrote under it. */
    const written = new Map<string, number[]>();

    const recs: Rec[] = [];
    const keyOf = (entry: Uint8Array): Uint8Array => new Uint8Array(recordKeys.digestKey(recordKeys.digestPrefix('t'), hex(sha256(entry))));
    const submit = (tag: string, n: number, proofs: boolean): Promise<void> => {
      const batch: Rec[] = Array.from({ length: n }, (_, k) => {
        const entry = utf8(`${tag} k${k}`);
        return { entry, key: keyOf(entry) };
      });
      recs.push(...batch);
      return ledger.appendRun(batch.map((b) => b.entry), { proofs, digestKeys: batch.map((b) => b.key) }).then(
        (r) => {
          batch.forEach((b, k) => (b.result = r.firstIndex + k));
          if (proofs) {
            const { rootHash } = rootOf(ledger, r.checkpoint);
            batch.forEach((b, k) => verifyInclusion(r.firstIndex + k, r.treeSize, hashLeaf(b.entry), r.proofs![k]!, rootHash));
          }
        },
        (e: unknown) => {
          for (const b of batch) b.error = e;
        },
      );
    };
    const injected: Promise<void>[] = [];
    store.commit = async (g: CommitGroup): Promise<void> => {
      calls++;
      for (const [k, v] of g.extra ?? []) {
        if (k[1] !== recordKeys.TABLE.digest) continue;
        const list = written.get(hex(k)) ?? [];
        list.push(recordKeys.decodeIndexValue(v)!);
        written.set(hex(k), list);
      }
      if (calls === failAt) {
        failed = { firstIndex: g.firstIndex, entries: g.entries.map((e) => new TextDecoder().decode(e)) };
        // Queued while this batch is being written: the integrator stages them as the next group.
        injected.push(submit('during-run', 3, true), submit('during-single-a', 1, false), submit('during-single-b', 1, true));
        // Slow, so that more appends queue up behind the staged group.
        await new Promise((r) => setTimeout(r, 30));
        if (landed) await real(g);
        throw new Error('injected disk failure');
      }
      await real(g);
      commits.push({ firstIndex: g.firstIndex, count: g.entries.length });
    };

    // Six callers: three wait for each append, three stream appends without waiting for the answers.
    const caller = async (c: number): Promise<void> => {
      const streaming = c % 2 === 1;
      const pending: Promise<void>[] = [];
      for (let j = 0; j < 30; j++) {
        const n = (c + j) % 4 === 0 ? 1 + ((c * 7 + j) % 9) : 1;
        const p = submit(`c${c} j${j}`, n, j % 2 === 0);
        if (streaming) {
          pending.push(p);
          await new Promise((r) => setImmediate(r));
        } else {
          await p;
        }
      }
      await Promise.all(pending);
    };
    await Promise.all(Array.from({ length: 6 }, (_, c) => caller(c)));
    await Promise.all(injected);
    await ledger.flush();

    expect(failed).toBeDefined();
    await waitUnfenced(ledger);
    const rejected = recs.filter((r) => r.error !== undefined);
    const resolved = recs.filter((r) => r.result !== undefined);
    expect(rejected.length + resolved.length).toBe(recs.length);
    const codeOf = (r: Rec): string => (r.error as CunzhengError).code;
    for (const r of rejected) {
      expect(r.error).toBeInstanceOf(CunzhengError);
      expect(['LEDGER_WRITE_FAILED', 'LEDGER_FENCED']).toContain(codeOf(r));
    }
    // The failed group's callers, and those of the group staged on top of it, were told the write failed;
    // whatever arrived after was refused at once (LEDGER_FENCED) until the store was proven again.
    const writeFailed = rejected.filter((r) => codeOf(r) === 'LEDGER_WRITE_FAILED');
    for (const e of failed!.entries) expect(writeFailed.map((r) => new TextDecoder().decode(r.entry))).toContain(e);
    expect(rejected.filter((r) => codeOf(r) === 'LEDGER_FENCED').length).toBeGreaterThan(0);
    // Nothing is prepared twice: a group in doubt is never re-staged at other indices.
    for (const r of recs) expect((written.get(hex(r.key)) ?? []).length).toBeLessThanOrEqual(1);
    for (const r of resolved) expect(written.get(hex(r.key))).toEqual([r.result]);

    // The tree: resolved entries at their indices (distinct); of the rejected ones, only the failed
    // group's, and only if its batch landed.
    const size = ledger.treeSize;
    expect(size).toBe(5 + resolved.length + (landed ? failed!.entries.length : 0));
    const indices = new Set(resolved.map((r) => r.result));
    expect(indices.size).toBe(resolved.length);
    const { rootHash } = rootOf(ledger, ledger.checkpoint);
    expect(rootOf(ledger, ledger.checkpoint).treeSize).toBe(size);
    for (const r of resolved) {
      expect(hex((await ledger.entry(r.result!))!)).toBe(hex(r.entry));
      verifyInclusion(r.result!, size, hashLeaf(r.entry), await ledger.inclusionProof(r.result!, size), rootHash);
      // Its digest key landed in its entry's batch, naming it; and the digest filter learned it.
      expect(recordKeys.decodeIndexValue((await ledger.records.get(r.key))!)).toBe(r.result);
      expect(ledger.index.filter.mayContain(r.key)).toBe(true);
    }
    const failedText = new Set(failed!.entries);
    const onDisk: string[] = [];
    for (let i = 0; i < size; i++) onDisk.push(new TextDecoder().decode((await ledger.entry(i))!));
    for (const r of rejected) {
      const text = new TextDecoder().decode(r.entry);
      if (!failedText.has(text)) expect(onDisk).not.toContain(text);
    }
    const failedOnDisk = onDisk.map((e, i) => [e, i] as const).filter(([e]) => failedText.has(e));
    if (landed) {
      // Its batch reached the disk: the recovery found it there and went on after it, and the digest
      // filter learned its keys (a repeated deposit must find them, though their callers were told otherwise).
      expect(failedOnDisk.map(([, i]) => i)).toEqual(failed!.entries.map((_, k) => failed!.firstIndex + k));
      for (const e of failed!.entries) expect(ledger.index.filter.mayContain(keyOf(utf8(e)))).toBe(true);
    } else {
      expect(failedOnDisk).toEqual([]);
    }
    // The signed root is the RFC 6962 root of everything stored.
    expect(hex(rootHash)).toBe(hex(new ReferenceTree(await storedLeafHashes(ledger)).mth()));
    // Every commit after the failure went on from where the disk was.
    const after = commits.filter((c) => c.firstIndex >= failed!.firstIndex);
    if (after.length > 0) expect(after[0]!.firstIndex).toBe(landed ? failed!.firstIndex + failed!.entries.length : failed!.firstIndex);
    const next = await ledger.append(utf8('after the recovery'));
    expect(next.leafIndex).toBe(size);

    // Reopened from disk: the same tree.
    const root = hex(rootOf(ledger, ledger.checkpoint).rootHash);
    await closeLedger(ledger);
    const again = await openLedger();
    expect(again.treeSize).toBe(size + 1);
    expect(hex(rootOf(again, again.checkpoint).rootHash)).toBe(root);
    for (const r of resolved.slice(0, 50)) expect(hex((await again.entry(r.result!))!)).toBe(hex(r.entry));
    const more = await again.append(utf8('after reopen'), { proof: true });
    expect(more.leafIndex).toBe(size + 1);
    verifyInclusion(more.leafIndex, more.treeSize, more.leafHash, more.proof!, rootOf(again, more.checkpoint).rootHash);
  }

  it('rejects the groups in doubt, refuses appends until the store is proven, and keeps the tree consistent', async () => {
    await scenario(false, 2);
  });

  it('also when the failed batch did land on disk (the recovery finds it and goes on after it)', async () => {
    await scenario(true, 3);
  });
});

/**
 * Staging a group: its entries hashed into leaves, the tree extended on a copy (on top of the group being
 * written, if any), and the one LevelDB batch that makes it durable — entries, changed tiles, the new tree
 * state and the deposit index's keys of every run (their digest keys, listings and ids, data that came with
 * the runs). Nothing is signed here: a checkpoint is signed only once this batch has landed (integrator.ts).
 */
import { hashLeaf } from '../merkle/index.js';
import type { CommitGroup } from '../storage/store.js';
import { indexWrites } from './deposit-index.js';
import type { Staged } from './recovery.js';
import type { LedgerTree } from './tree.js';
import type { LedgerStats, Pending } from './types.js';

export function stageGroup(tree: LedgerTree, group: Pending[], count: number, base: Staged | undefined): Staged {
  const started = performance.now();
  const firstIndex = base === undefined ? tree.treeSize : base.treeSize;
  const entries: Uint8Array[] = new Array(count);
  const leafHashes: Uint8Array[] = new Array(count);
  const extra: [Uint8Array, Uint8Array][] = [];
  const digestKeys: Uint8Array[] = [];
  let at = 0;
  for (const p of group) {
    const from = at;
    for (const entry of p.entries) {
      entries[at] = entry;
      leafHashes[at] = hashLeaf(entry);
      at++;
    }
    // The index keys are data of the run: written in this batch, learned once it is durable.
    indexWrites(leafHashes, from, at, firstIndex + from, p.digestKeys, p.listing, extra);
    if (p.digestKeys !== undefined) for (const k of p.digestKeys) if (k !== undefined) digestKeys.push(k);
  }
  const prepared = tree.prepare(leafHashes, base?.prepared);
  const treeSize = firstIndex + count;
  const commit: CommitGroup = { firstIndex, entries, tiles: prepared.tiles, checkpoints: [], state: { treeSize, hashes: prepared.range.hashes() }, extra };
  return { group, count, firstIndex, leafHashes, prepared, treeSize, root: prepared.range.root(), started, commit, digestKeys };
}

export function newStats(): LedgerStats {
  return { queueDepth: 0, groupsCommitted: 0, entriesCommitted: 0, lastGroupSize: 0, lastCommitMs: 0, groupSizes: [], commitMs: [], writeFailures: 0, recoveries: 0, stageMs: { hash: 0, write: 0, proofs: 0 } };
}

/** A group committed: its size and commit latency, for /metrics (the newest 4,096 kept). */
export function recordGroup(s: LedgerStats, size: number, ms: number): void {
  s.groupsCommitted++;
  s.entriesCommitted += size;
  s.lastGroupSize = size;
  s.lastCommitMs = ms;
  if (s.groupSizes.length >= 4096) {
    s.groupSizes.shift();
    s.commitMs.shift();
  }
  s.groupSizes.push(size);
  s.commitMs.push(ms);
}

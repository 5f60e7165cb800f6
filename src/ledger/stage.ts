/**
 * Staging a group: its entries hashed into leaves, the tree extended on a copy (on top of the group being
 * written, if any), and the one LevelDB batch that makes it durable — entries, changed tiles, the new tree
 * state and the index keys of every run (their digest keys, listings and ids; the document index's leaf
 * keys and records: data that came with the runs). Nothing is signed here: a checkpoint is signed only once this batch has landed (integrator.ts).
 */
import { CunzhengError } from '../errors.js';
import { hashLeaf } from '../merkle/index.js';
import type { CommitGroup } from '../storage/store.js';
import { writeUint64 } from '../storage/keys.js';
import { indexWrites } from './deposit-index.js';
import { parseDocOfKey, parseDocStateKey, parseHistoryKey, parseRootKey } from './record-keys.js';
import type { Staged } from './recovery.js';
import type { LedgerTree } from './tree.js';
import type { AppendOptions, LedgerStats, Pending } from './types.js';

/** The largest value a run may write under a derived key (a document's state is far smaller). */
export const MAX_DERIVED_VALUE_BYTES = 1024 * 1024;

const bad = (message: string): CunzhengError => new CunzhengError('LEDGER_BAD_ENTRY', message);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const zeroLeaf = new Uint8Array(8);
const withLeaf = (prefix: Uint8Array): Uint8Array => {
  const k = new Uint8Array(prefix.length + 8);
  k.set(prefix);
  k.set(zeroLeaf, prefix.length);
  return k;
};

/** A run's entries and options, checked: LEDGER_BAD_ENTRY, or undefined when they are fine. */
export function checkAppendOptions(entries: readonly Uint8Array[], opts: AppendOptions): CunzhengError | undefined {
  for (const entry of entries) if (!(entry instanceof Uint8Array) || entry.length === 0) return bad('an entry is a non-empty byte string');
  const keys = opts.digestKeys;
  if (keys !== undefined && (!Array.isArray(keys) || keys.length !== entries.length || keys.some((k) => k !== undefined && !(k instanceof Uint8Array)))) {
    return bad('digestKeys holds one key (or undefined) per entry');
  }
  if (opts.listing !== undefined && !(opts.listing instanceof Uint8Array)) return bad('listing is a key prefix');
  if (opts.roots !== undefined && (!(opts.roots instanceof Uint8Array) || parseRootKey(withLeaf(opts.roots)) === undefined)) return bad('roots is a tenant\'s x N prefix');
  return checkDerivedOptions(entries.length, opts);
}

/**
 * The run's leafKeys and records, checked (LEDGER_BAD_ENTRY otherwise): leafKeys holds one list (or
 * undefined) per entry of [prefix, value] pairs whose prefix makes an `x H` or `x N` key once a leaf is
 * appended; records holds [key, value] pairs of `x R` or `x C` keys. Only the document index's tables:
 * a run can never write over an entry, a tile, the tree state or another table's records.
 */
export function checkDerivedOptions(entries: number, opts: AppendOptions): CunzhengError | undefined {
  const lk = opts.leafKeys;
  if (lk !== undefined) {
    if (!Array.isArray(lk) || lk.length !== entries) return bad('leafKeys holds one list (or undefined) per entry');
    for (const list of lk) {
      if (list === undefined) continue;
      if (!Array.isArray(list)) return bad('each leafKeys item is a list of [prefix, value] pairs');
      for (const pair of list as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2 || !isBytes(pair[0]) || !isBytes(pair[1])) return bad('a leaf key is a [prefix, value] pair of byte strings');
        const key = withLeaf(pair[0]);
        if (parseHistoryKey(key) === undefined && parseRootKey(key) === undefined) return bad('a leaf key prefix is not one of the document index (x H, x N)');
        if (pair[1].length > MAX_DERIVED_VALUE_BYTES) return bad('a leaf key value is too large');
      }
    }
  }
  const recs = opts.records;
  if (recs !== undefined) {
    if (!Array.isArray(recs)) return bad('records is a list of [key, value] pairs');
    for (const pair of recs as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || !isBytes(pair[0]) || !isBytes(pair[1])) return bad('a record is a [key, value] pair of byte strings');
      if (parseDocOfKey(pair[0]) === undefined && parseDocStateKey(pair[0]) === undefined) return bad('a record key is not one of the document index (x R, x C)');
      if (pair[1].length > MAX_DERIVED_VALUE_BYTES) return bad('a record value is too large');
    }
  }
  return undefined;
}

/** A run's leaf keys and records as batch pairs: prefix ‖ leaf → value for entry j of the run at `firstLeaf`. */
function derivedWrites(p: Pending, firstLeaf: number, out: [Uint8Array, Uint8Array][]): void {
  const lk = p.leafKeys;
  if (lk !== undefined) {
    for (let j = 0; j < lk.length; j++) {
      const list = lk[j];
      if (list === undefined) continue;
      for (const [prefix, value] of list) {
        const k = new Uint8Array(prefix.length + 8);
        k.set(prefix);
        writeUint64(k, prefix.length, firstLeaf + j);
        out.push([k, value]);
      }
    }
  }
  if (p.records !== undefined) for (const [k, v] of p.records) out.push([k, v]);
}

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
    indexWrites(leafHashes, from, at, firstIndex + from, p.digestKeys, p.listing, extra, p.roots);
    derivedWrites(p, firstIndex + from, extra);
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

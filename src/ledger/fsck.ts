/**
 * The store's full self-check, offline: recompute every tree level from the stored entries and compare
 * with every stored tile, the tree state and every stored checkpoint (signature and root). One pass over
 * the entries; memory stays O(log n) plus one tile per level.
 */
import { CunzhengError } from '../errors.js';
import { CompactRange, hashLeaf, type NodeID } from '../merkle/index.js';
import { openCheckpoint } from '../checkpoint/index.js';
import { parseVerifierKey } from '../note/index.js';
import { bytesEqual, fromUtf8, toBase64 } from '../crypto/index.js';
import { join } from 'node:path';
import { LedgerStore } from '../storage/store.js';
import { loadOrCreateLogKey } from './log-key.js';
import { TILE_HEIGHT, TILE_WIDTH } from './expanded-tile.js';

export interface FsckProblem {
  /** Where: "entry 12", "tile 0/3", "checkpoint 1000", "state". */
  where: string;
  code: string;
  message: string;
}

export interface FsckReport {
  ok: boolean;
  treeSize: number;
  entries: number;
  tiles: number;
  checkpoints: number;
  problems: FsckProblem[];
}

const MAX_PROBLEMS = 1000;

/**
 * Checks the ledger store at `<dataDir>/ledger` (or an open store) against the log's verifier key.
 * Never writes. Problems are listed, not thrown; an unreadable store throws.
 */
export async function fsckStore(store: LedgerStore, verifierKey: string): Promise<FsckReport> {
  const verifier = parseVerifierKey(verifierKey);
  const problems: FsckProblem[] = [];
  const report = (where: string, code: string, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ where, code, message });
  };
  const state = await store.readState();
  if (state === undefined) throw new CunzhengError('STORE_EMPTY', 'no ledger state: this is not a ledger store');
  const n = state.treeSize;

  // Tiles: compare each level-8L node with the tile that should hold it, one tile per level at a time.
  const current = new Map<number, { index: number; data: Uint8Array | undefined; seen: number }>();
  let tilesChecked = 0;
  const checkTileNode = async (level: number, index: number, hash: Uint8Array): Promise<void> => {
    const L = level / TILE_HEIGHT;
    const tileIndex = Math.floor(index / TILE_WIDTH);
    const pos = index - tileIndex * TILE_WIDTH;
    let t = current.get(L);
    if (t === undefined || t.index !== tileIndex) {
      t = { index: tileIndex, data: await store.readTile(L, tileIndex), seen: 0 };
      current.set(L, t);
      tilesChecked++;
      if (t.data === undefined) report(`tile ${L}/${tileIndex}`, 'TILE_MISSING', 'the tile is not stored');
    }
    t.seen++;
    if (t.data === undefined) return;
    const stored = t.data.subarray(pos * 32, pos * 32 + 32);
    if (stored.length !== 32 || !bytesEqual(stored, hash)) {
      report(`tile ${L}/${tileIndex}`, 'TILE_MISMATCH', `hash ${pos} differs from the one recomputed from the entries (node ${level}/${index})`);
    }
  };

  const checkpoints = store.iterateCheckpoints()[Symbol.asyncIterator]();
  let nextCp = await checkpoints.next();
  let checkpointsChecked = 0;
  const range = CompactRange.empty();
  const advanceCheckpoints = async (size: number): Promise<void> => {
    while (!nextCp.done && nextCp.value[0] <= size) {
      const [cpSize, raw] = nextCp.value;
      checkpointsChecked++;
      try {
        const cp = openCheckpoint(fromUtf8(raw, 'checkpoint'), [verifier], { origin: verifier.name }).checkpoint;
        if (cp.treeSize !== cpSize) report(`checkpoint ${cpSize}`, 'CHECKPOINT_SIZE_MISMATCH', `stored under size ${cpSize} but signs size ${cp.treeSize}`);
        else if (!bytesEqual(cp.rootHash, range.root())) {
          report(`checkpoint ${cpSize}`, 'CHECKPOINT_ROOT_MISMATCH', `signs root ${toBase64(cp.rootHash)}, the entries give ${toBase64(range.root())}`);
        }
      } catch (e) {
        report(`checkpoint ${cpSize}`, e instanceof CunzhengError ? e.code : 'CHECKPOINT_INVALID', `does not verify: ${(e as Error).message}`);
      }
      nextCp = await checkpoints.next();
    }
  };

  await advanceCheckpoints(0);
  let expected = 0;
  const visits: NodeID[] = [];
  const hashes: Uint8Array[] = [];
  for await (const [index, entry] of store.iterateEntries(0, Number.MAX_SAFE_INTEGER)) {
    if (index >= n) {
      report(`entry ${index}`, 'ENTRY_BEYOND_TREE', `an entry is stored beyond the tree size ${n}`);
      continue;
    }
    if (index !== expected) {
      report(`entry ${expected}`, 'ENTRY_MISSING', `entries ${expected}…${index - 1} are missing`);
      break;
    }
    expected++;
    visits.length = 0;
    hashes.length = 0;
    range.append(hashLeaf(entry), (id, h) => {
      if (id.level % TILE_HEIGHT === 0) {
        visits.push(id);
        hashes.push(h);
      }
    });
    for (let i = 0; i < visits.length; i++) await checkTileNode(visits[i]!.level, visits[i]!.index, hashes[i]!);
    await advanceCheckpoints(range.size);
  }
  if (expected < n) report(`entry ${expected}`, 'ENTRY_MISSING', `the tree has ${n} entries, ${expected} are stored in sequence`);
  if (expected === n) {
    const want = state.hashes;
    const got = range.hashes();
    if (want.length !== got.length || want.some((h, i) => !bytesEqual(h, got[i]!))) {
      report('state', 'STATE_MISMATCH', 'the stored compact range differs from the one recomputed from the entries');
    }
  }
  // Each tile must hold exactly the hashes the tree has: the edge tiles are partial, no tile is longer.
  for (const [L, t] of current) {
    if (t.data !== undefined && t.data.length !== t.seen * 32) {
      report(`tile ${L}/${t.index}`, 'TILE_LENGTH_MISMATCH', `holds ${t.data.length / 32} hashes, the tree has ${t.seen}`);
    }
  }
  while (!nextCp.done) {
    report(`checkpoint ${nextCp.value[0]}`, 'CHECKPOINT_BEYOND_TREE', `a checkpoint is stored beyond the tree size ${n}`);
    checkpointsChecked++;
    nextCp = await checkpoints.next();
  }
  return { ok: problems.length === 0, treeSize: n, entries: expected, tiles: tilesChecked, checkpoints: checkpointsChecked, problems };
}

/**
 * Opens `<dataDir>/ledger` (nothing is written), checks it against `verifierKey` or, when none is given,
 * the public half of `<dataDir>/log.key`, and closes it.
 */
export async function fsck(dataDir: string, verifierKey?: string): Promise<FsckReport> {
  const key = verifierKey ?? (await loadOrCreateLogKey(join(dataDir, 'log.key'), undefined)).verifierKey;
  const store = await LedgerStore.open(join(dataDir, 'ledger'));
  try {
    return await fsckStore(store, key);
  } finally {
    await store.close();
  }
}

/**
 * The store's full self-check, offline: LevelDB's write-ahead logs checked record by record, then every
 * tree level recomputed from the stored entries and compared with every stored tile, the tree state,
 * every stored checkpoint (signature and root) and the signed-checkpoint record (the store must hold the
 * tree it names). One pass over the entries; memory stays O(log n) plus one tile per level. The layers
 * above add their own checks of derived records through `checks`.
 *
 * fsck never changes a byte of the data directory: it opens a shadow copy of the store (see
 * storage/shadow.ts), since even a clean LevelDB open rewrites the manifest and replays the log.
 */
import { CunzhengError } from '../errors.js';
import { CompactRange, hashLeaf, type NodeID } from '../merkle/index.js';
import { openCheckpoint } from '../checkpoint/index.js';
import { KEY_TYPE_ED25519, parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { bytesEqual, fromUtf8, toBase64 } from '../crypto/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerStore } from '../storage/store.js';
import { readSignedRecord } from '../storage/signed-record.js';
import type { WalProblem } from '../storage/wal-check.js';
import { loadOrCreateLogKey, loadOrCreateSm2LogKey } from './log-key.js';
import { RECORD_META } from './open-checks.js';
import { LedgerRecords } from './records.js';
import { RECORD_FILE, SM2_KEY_FILE } from './ledger.js';
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
  /** Counts from the checks of the layers above (derived records), by name. */
  counts: Record<string, number>;
  problems: FsckProblem[];
}

export type ProblemSink = (where: string, code: string, message: string) => void;

export interface FsckOptions {
  /** Problems found in the write-ahead logs before the store was opened. */
  walProblems?: WalProblem[];
  /** The signed-checkpoint record to check the store against. */
  recordPath?: string;
  /**
   * The log's SM2 verifier key, when it has one: every SM2 line by it must verify too (about 1 ms each on the
   * test VM, beside Ed25519's tens of µs); checkpoints signed before the log had it carry none, and need none.
   */
  sm2VerifierKey?: string;
  /** Checks of the layers above, run after the tree's: they report problems and return counts. */
  checks?: ((records: LedgerRecords, report: ProblemSink) => Promise<Record<string, number>>)[];
}

const MAX_PROBLEMS = 1000;

/**
 * Checks the ledger store at `<dataDir>/ledger` (or an open store) against the log's verifier key.
 * Never writes. Problems are listed, not thrown; an unreadable store throws.
 */
export async function fsckStore(store: LedgerStore, verifierKey: string, options: FsckOptions = {}): Promise<FsckReport> {
  const verifier = parseVerifierKey(verifierKey);
  const verifiers = [verifier, ...(options.sm2VerifierKey === undefined ? [] : [parseVerifierKey(options.sm2VerifierKey)])];
  const problems: FsckProblem[] = [];
  const report = (where: string, code: string, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ where, code, message });
  };
  for (const w of options.walProblems ?? []) {
    report(`log ${w.file} byte ${w.offset}`, 'STORE_WAL_CORRUPT', `${w.reason}: LevelDB would drop this record and the rest of its block when the store is opened`);
  }
  const state = await store.readState();
  if (state === undefined) throw new CunzhengError('STORE_EMPTY', 'no ledger state: this is not a ledger store');
  const n = state.treeSize;
  const signed = await signedCheckpoint(store, verifiers, options.recordPath, report);
  if (signed !== undefined && signed.treeSize > n) {
    report('signed record', 'LEDGER_BEHIND_SIGNED_CHECKPOINT', `a checkpoint of ${signed.treeSize} entries was signed and handed out, the store holds ${n}: acknowledged entries are missing`);
  }
  const checkSigned = (): void => {
    if (signed !== undefined && signed.treeSize === range.size && !bytesEqual(signed.rootHash, range.root())) {
      report('signed record', 'LEDGER_FORKED', `the record signs root ${toBase64(signed.rootHash)} at size ${signed.treeSize}, the entries give ${toBase64(range.root())}`);
    }
  };

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
        const cp = openCheckpoint(fromUtf8(raw, 'checkpoint'), verifiers, { origin: verifier.name }).checkpoint;
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
  checkSigned();
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
    checkSigned();
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
  const counts: Record<string, number> = {};
  for (const check of options.checks ?? []) Object.assign(counts, await check(new LedgerRecords(() => store), report));
  return { ok: problems.length === 0, treeSize: n, entries: expected, tiles: tilesChecked, checkpoints: checkpointsChecked, counts, problems };
}

/** The signed-checkpoint record's checkpoint, verified (problems reported, undefined when unusable). */
async function signedCheckpoint(store: LedgerStore, verifiers: readonly NoteVerifier[], path: string | undefined, report: ProblemSink): Promise<{ treeSize: number; rootHash: Uint8Array } | undefined> {
  if (path === undefined) return undefined;
  let value;
  try {
    value = await readSignedRecord(path);
  } catch (e) {
    report('signed record', e instanceof CunzhengError ? e.code : 'SIGNED_RECORD_UNREADABLE', (e as Error).message);
    return undefined;
  }
  if (value === undefined) {
    if ((await store.readMeta(RECORD_META)) !== undefined) report('signed record', 'SIGNED_RECORD_MISSING', `${path} is missing, but this store had one`);
    return undefined;
  }
  try {
    return openCheckpoint(value.note, verifiers, { origin: verifiers[0]!.name }).checkpoint;
  } catch (e) {
    report('signed record', e instanceof CunzhengError ? e.code : 'CHECKPOINT_INVALID', `the record's checkpoint does not verify: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Checks `<dataDir>/ledger` against `verifierKey` or, when none is given, the public half of
 * `<dataDir>/log.key`, through a shadow copy: not a byte of the data directory changes.
 */
export async function fsck(dataDir: string, verifierKey?: string, checks: FsckOptions['checks'] = []): Promise<FsckReport> {
  const key = verifierKey ?? (await loadOrCreateLogKey(join(dataDir, 'log.key'), undefined)).verifierKey;
  if (parseVerifierKey(key).type !== KEY_TYPE_ED25519) {
    // Every checkpoint carries the Ed25519 line; the SM2 one only since the log had that key (read from its file).
    throw new CunzhengError('LOG_KEY_INVALID', `fsck checks against the log's Ed25519 verifier key; an SM2 key is read from ${SM2_KEY_FILE} in the data directory`);
  }
  const sm2Path = join(dataDir, SM2_KEY_FILE);
  const sm2 = existsSync(sm2Path) ? (await loadOrCreateSm2LogKey(sm2Path, parseVerifierKey(key).name, false)).verifierKey : undefined;
  const { store, walProblems } = await LedgerStore.openShadow(join(dataDir, 'ledger'));
  try {
    return await fsckStore(store, key, { walProblems, recordPath: join(dataDir, RECORD_FILE), checks, ...(sm2 === undefined ? {} : { sm2VerifierKey: sm2 }) });
  } finally {
    await store.close();
  }
}

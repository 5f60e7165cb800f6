/**
 * What the ledger proves about its store before it serves: the stored tree matches its newest stored
 * checkpoint, and it holds every tree the log ever released — the signed-checkpoint record kept beside
 * the store names the newest one, and the store must be at that size with that root, or extend it.
 */
import { CunzhengError } from '../errors.js';
import { openCheckpoint } from '../checkpoint/index.js';
import { bytesEqual, fromUtf8, toBase64 } from '../crypto/index.js';
import { buildConsistencyProof, verifyConsistency } from '../merkle/index.js';
import type { NoteVerifier } from '../note/index.js';
import type { LedgerStore } from '../storage/store.js';
import { SignedRecord } from '../storage/signed-record.js';
import type { LedgerTree } from './tree.js';

/** The store's metadata flag saying a signed-checkpoint record exists for it (set when it was made). */
export const RECORD_META = 'signed-record';

export interface Released {
  treeSize: number;
  note: string;
}

/**
 * The log's keys: its Ed25519 key first (every checkpoint it ever signed carries that line), then its SM2 key
 * when it has one. A checkpoint must verify under the Ed25519 key; an SM2 line by the SM2 key must verify too
 * (a forged one is corruption), and a checkpoint without one — signed before the log had the key — is fine.
 */
export type LogVerifiers = readonly [NoteVerifier, ...NoteVerifier[]];

function open(note: string, verifiers: LogVerifiers, origin: string, what: string): { treeSize: number; rootHash: Uint8Array } {
  let opened;
  try {
    opened = openCheckpoint(note, verifiers, { origin });
  } catch (cause) {
    throw new CunzhengError('LEDGER_CORRUPT', `${what} does not verify under the log key`, { cause });
  }
  if (!opened.logSignatures.some((s) => s.type === 'ed25519' && s.keyId === verifiers[0].keyId && s.name === verifiers[0].name)) {
    throw new CunzhengError('LEDGER_CORRUPT', `${what} is not signed by the log's Ed25519 key`);
  }
  return opened.checkpoint;
}

/**
 * The checkpoint stored for the tree's size, checked against the tree; undefined when none is stored
 * (the process stopped after the group's batch landed and before its checkpoint was written: the tree is
 * durable, so the caller signs it — Ed25519 and our SM2 are deterministic, so a checkpoint released before
 * with the same keys comes out byte for byte the same).
 */
export async function storedCheckpoint(store: LedgerStore, tree: LedgerTree, verifiers: LogVerifiers, origin: string): Promise<Released | undefined> {
  const raw = await store.readCheckpoint(tree.treeSize);
  if (raw === undefined && tree.treeSize === 0) return undefined; // the empty tree: nothing to prove
  if (raw === undefined) {
    // The newest tree has no checkpoint yet: prove it extends the newest one stored before signing it.
    const prev = await store.lastCheckpointBefore(tree.treeSize);
    if (prev === undefined) throw new CunzhengError('LEDGER_CORRUPT', `no checkpoint is stored at or below the tree size ${tree.treeSize}`);
    const cp = open(fromUtf8(prev, 'checkpoint'), verifiers, origin, 'the newest stored checkpoint');
    try {
      verifyConsistency(cp.treeSize, tree.treeSize, await buildConsistencyProof(cp.treeSize, tree.treeSize, tree.readNodes), cp.rootHash, tree.root());
    } catch (cause) {
      throw new CunzhengError('LEDGER_CORRUPT', `the stored tree (size ${tree.treeSize}) does not extend its newest checkpoint (size ${cp.treeSize}): refusing to serve it`, { cause });
    }
    return undefined;
  }
  const note = fromUtf8(raw, 'checkpoint');
  const cp = open(note, verifiers, origin, `the checkpoint at size ${tree.treeSize}`);
  if (cp.treeSize !== tree.treeSize || !bytesEqual(cp.rootHash, tree.root())) {
    throw new CunzhengError('LEDGER_CORRUPT', `the stored tree (size ${tree.treeSize}) does not match its last checkpoint: refusing to serve it`);
  }
  return { treeSize: tree.treeSize, note };
}

/**
 * Opens the signed-checkpoint record at `path` and proves the store holds what it names:
 * LEDGER_BEHIND_SIGNED_CHECKPOINT when the store is smaller, LEDGER_FORKED when it holds another tree at
 * that size or does not extend it. A store made before the record existed gets one now, from its state.
 */
export async function openRecord(path: string, store: LedgerStore, tree: LedgerTree, verifiers: LogVerifiers, origin: string): Promise<{ record: SignedRecord; signed?: { treeSize: number; rootHash: Uint8Array } }> {
  const expected = (await store.readMeta(RECORD_META)) !== undefined;
  const record = await SignedRecord.open(path, !expected);
  try {
    const value = record.current;
    if (value === undefined) {
      if (expected) throw new CunzhengError('SIGNED_RECORD_CORRUPT', `${path} is empty`);
      return { record }; // new: the caller writes the first record, then the flag
    }
    const cp = open(value.note, verifiers, origin, `the signed-checkpoint record ${path}`);
    if (cp.treeSize > tree.treeSize) {
      throw new CunzhengError('LEDGER_BEHIND_SIGNED_CHECKPOINT', `the ledger holds ${tree.treeSize} entries, but a checkpoint of ${cp.treeSize} entries was signed and handed out (${path}): acknowledged deposits are missing from the store. Refusing to serve; keep a copy of the data directory, restore it from a backup taken after that checkpoint, and check it with cunzheng fsck`, {
        details: { treeSize: tree.treeSize, signedTreeSize: cp.treeSize },
      });
    }
    let rootAtSize: Uint8Array;
    if (cp.treeSize === tree.treeSize) rootAtSize = tree.root();
    else {
      const raw = await store.readCheckpoint(cp.treeSize);
      if (raw === undefined) throw new CunzhengError('LEDGER_FORKED', `no checkpoint is stored at the size ${cp.treeSize} the signed-checkpoint record names`);
      rootAtSize = open(fromUtf8(raw, 'checkpoint'), verifiers, origin, `the checkpoint at size ${cp.treeSize}`).rootHash;
      const proof = await buildConsistencyProof(cp.treeSize, tree.treeSize, tree.readNodes);
      try {
        verifyConsistency(cp.treeSize, tree.treeSize, proof, cp.rootHash, tree.root());
      } catch (cause) {
        throw new CunzhengError('LEDGER_FORKED', `the stored tree of ${tree.treeSize} entries does not extend the signed checkpoint of ${cp.treeSize} entries`, { cause });
      }
    }
    if (!bytesEqual(rootAtSize, cp.rootHash)) {
      throw new CunzhengError('LEDGER_FORKED', `the store holds root ${toBase64(rootAtSize)} at size ${cp.treeSize}, but root ${toBase64(cp.rootHash)} was signed and handed out for it (${path}). Refusing to serve`);
    }
    return { record, signed: cp };
  } catch (e) {
    await record.close();
    throw e;
  }
}

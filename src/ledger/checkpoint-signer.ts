/**
 * The one place the log key signs a checkpoint, and the rules it keeps:
 *
 * - it signs only a tree that is already durable (the ledger calls it after the group's batch landed);
 * - it never signs a smaller tree than one it signed, nor a different root for a size it signed
 *   (LEDGER_SIGNING_REFUSED): the newest signed (size, root) is known from the signed-checkpoint record
 *   at open and kept in memory after;
 * - a checkpoint leaves the process (an answer, /checkpoint) only after `release` has written it to the
 *   signed-checkpoint record, fsynced apart from LevelDB: a restart whose store is behind that record
 *   refuses to serve (see open-checks.ts).
 *
 * A log with an SM2 key beside its Ed25519 key (`sm2`) signs every checkpoint with both: the Ed25519 line
 * first, then the SM2 line (note/sm2.ts). Both are deterministic — Ed25519 by definition, SM2 because its k
 * is derived from the key and the message (RFC 6979 over HMAC-SM3, crypto/sm2.ts) — so signing the same tree
 * again yields the same note byte for byte, which open and recovery rely on when they re-sign a durable tree
 * whose checkpoint was released but not stored.
 */
import { CunzhengError } from '../errors.js';
import { signCheckpoint } from '../checkpoint/index.js';
import { bytesEqual, toBase64 } from '../crypto/index.js';
import type { NoteSigner } from '../note/index.js';
import type { SignedRecord } from '../storage/signed-record.js';

export class CheckpointSigner {
  private newest: { treeSize: number; rootHash: Uint8Array } | undefined;

  private readonly extra: readonly NoteSigner[];

  constructor(private readonly signer: NoteSigner, private readonly record: SignedRecord, sm2?: NoteSigner) {
    this.extra = sm2 === undefined ? [] : [sm2];
  }

  get origin(): string {
    return this.signer.name;
  }

  /** The newest tree this process (or the record) knows to be signed. */
  remember(treeSize: number, rootHash: Uint8Array): void {
    if (this.newest === undefined || treeSize > this.newest.treeSize) this.newest = { treeSize, rootHash: rootHash.slice() };
  }

  /** Signs the checkpoint of a durable tree. */
  sign(treeSize: number, rootHash: Uint8Array): string {
    const n = this.newest;
    if (n !== undefined && (treeSize < n.treeSize || (treeSize === n.treeSize && !bytesEqual(rootHash, n.rootHash)))) {
      throw new CunzhengError('LEDGER_SIGNING_REFUSED', treeSize < n.treeSize
        ? `refusing to sign a tree of ${treeSize} leaves: a tree of ${n.treeSize} was signed`
        : `refusing to sign root ${toBase64(rootHash)} for size ${treeSize}: root ${toBase64(n.rootHash)} was signed for it`);
    }
    const note = signCheckpoint({ origin: this.signer.name, treeSize, rootHash, extensions: [] }, this.signer, this.extra);
    this.remember(treeSize, rootHash);
    return note;
  }

  /** Writes `note` to the signed-checkpoint record; it may leave the process once this resolves. */
  release(note: string): Promise<void> {
    return this.record.write(note);
  }

  close(): Promise<void> {
    return this.record.close();
  }
}

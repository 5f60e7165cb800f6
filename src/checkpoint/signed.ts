/**
 * Signed checkpoints: a checkpoint body in a signed note, signed by the log's key (type 0x01, named after
 * the origin) and perhaps cosigned by witnesses (cosignature/v1, type 0x04).
 *
 * Opening one answers "did the log I trust publish this tree head?" — so a note that verifies only under a
 * witness key, or under a log key of another name, is not the log's checkpoint (CHECKPOINT_UNSIGNED_BY_LOG).
 */
import { CunzhengError } from '../errors.js';
import {
  KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, cosignatureTime, openNote, signNote,
  type NoteSigner, type NoteVerifier, type OpenedNote,
} from '../note/index.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';

export interface Cosignature {
  name: string;
  keyId: number;
  /** When the witness cosigned, in POSIX seconds. */
  time: number;
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  note: OpenedNote;
  /** Verified witness cosignatures (trusted cosigner keys only). */
  cosignatures: Cosignature[];
}

/** Signs `cp` with the log key `signer` (whose name must be the origin), then each of `extraSigners`. */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner, extraSigners: readonly NoteSigner[] = []): string {
  const body = formatCheckpoint(cp);
  if (signer.type !== KEY_TYPE_ED25519) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', `a log signs checkpoints with an Ed25519 (0x01) key, not type ${signer.type}`);
  }
  if (signer.name !== cp.origin) {
    throw new CunzhengError('CHECKPOINT_ORIGIN_MISMATCH', 'the log key must be named after the checkpoint origin', {
      details: { got: signer.name, want: cp.origin },
    });
  }
  return signNote(body, [signer, ...extraSigners]);
}

/**
 * Opens a signed checkpoint. `verifiers` are the trusted keys: the log's key (type 0x01, named after the
 * origin) and any witness keys (type 0x04) whose cosignatures should be reported. With `origin`, the
 * checkpoint must be that log's.
 */
export function openCheckpoint(
  signedNote: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  options: { origin?: string } = {},
): OpenedCheckpoint {
  const note = openNote(signedNote, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new CunzhengError('CHECKPOINT_ORIGIN_MISMATCH', 'the checkpoint is from another log', {
      details: { got: checkpoint.origin, want: options.origin },
    });
  }
  const byLog = note.verified.some((v) => v.verifier.type === KEY_TYPE_ED25519 && v.verifier.name === checkpoint.origin);
  if (!byLog) {
    throw new CunzhengError('CHECKPOINT_UNSIGNED_BY_LOG', `no trusted log key named ${checkpoint.origin} signed this checkpoint`, {
      details: { origin: checkpoint.origin, verifiedBy: note.verified.map((v) => v.verifier.name) },
    });
  }
  const cosignatures = note.verified
    .filter((v) => v.verifier.type === KEY_TYPE_COSIGNATURE_V1)
    .map((v) => ({ name: v.signature.name, keyId: v.signature.keyId, time: cosignatureTime(v.signature.signature) }));
  return { checkpoint, note, cosignatures };
}

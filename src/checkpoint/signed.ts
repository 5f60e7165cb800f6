/**
 * Signed checkpoints: a checkpoint body in a signed note, signed by the log's key(s) (Ed25519 type 0x01
 * and/or SM2 type 0xff, named after the origin) and perhaps cosigned by witnesses (cosignature/v1, 0x04).
 *
 * Opening one answers "did the log I trust publish this tree head?" — so a note that verifies only under a
 * witness key, or under a log key of another name, is not the log's checkpoint (CHECKPOINT_UNSIGNED_BY_LOG).
 */
import { CunzhengError } from '../errors.js';
import {
  KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, KEY_TYPE_SM2, cosignatureTime, openNote, signNote,
  type NoteSigner, type NoteVerifier, type OpenedNote,
} from '../note/index.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';

export interface Cosignature {
  name: string;
  keyId: number;
  /** When the witness cosigned, in POSIX seconds. */
  time: number;
}

/** A verified signature by a log key (named after the origin). */
export interface LogSignature {
  name: string;
  keyId: number;
  type: 'ed25519' | 'sm2';
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  note: OpenedNote;
  /** Verified signatures by trusted log keys named after the origin (at least one), in the order of the lines. */
  logSignatures: LogSignature[];
  /** Verified witness cosignatures (trusted cosigner keys only). */
  cosignatures: Cosignature[];
}

const isLogType = (type: number): boolean => type === KEY_TYPE_ED25519 || type === KEY_TYPE_SM2;

function checkLogSigner(signer: NoteSigner, origin: string): void {
  if (signer.name !== origin) {
    throw new CunzhengError('CHECKPOINT_ORIGIN_MISMATCH', 'the log key must be named after the checkpoint origin', {
      details: { got: signer.name, want: origin },
    });
  }
}

/**
 * Signs `cp` with the log key `signer` (Ed25519 or SM2, named after the origin), then each of `extraSigners`
 * — a second log key (an SM2 key beside the Ed25519 one; it too must be named after the origin) or cosigners.
 */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner, extraSigners: readonly NoteSigner[] = []): string {
  const body = formatCheckpoint(cp);
  if (!isLogType(signer.type)) {
    throw new CunzhengError('UNSUPPORTED_KEY_TYPE', `a log signs checkpoints with an Ed25519 (0x01) or SM2 (0xff) key, not type ${signer.type}`);
  }
  checkLogSigner(signer, cp.origin);
  for (const extra of extraSigners) if (extra.type === KEY_TYPE_SM2) checkLogSigner(extra, cp.origin);
  return signNote(body, [signer, ...extraSigners]);
}

/**
 * Opens a signed checkpoint. `verifiers` are the trusted keys: the log's key(s) (type 0x01 or 0xff, named
 * after the origin; one verified signature by any of them suffices, `logSignatures` says which) and any
 * witness keys (type 0x04) whose cosignatures should be reported. With `origin`, the checkpoint must be that
 * log's.
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
  const logSignatures: LogSignature[] = note.verified
    .filter((v) => isLogType(v.verifier.type) && v.verifier.name === checkpoint.origin)
    .map((v) => ({ name: v.verifier.name, keyId: v.verifier.keyId, type: v.verifier.type === KEY_TYPE_SM2 ? 'sm2' : 'ed25519' }));
  if (logSignatures.length === 0) {
    throw new CunzhengError('CHECKPOINT_UNSIGNED_BY_LOG', `no trusted log key named ${checkpoint.origin} signed this checkpoint`, {
      details: { origin: checkpoint.origin, verifiedBy: note.verified.map((v) => v.verifier.name) },
    });
  }
  const cosignatures = note.verified
    .filter((v) => v.verifier.type === KEY_TYPE_COSIGNATURE_V1)
    .map((v) => ({ name: v.signature.name, keyId: v.signature.keyId, time: cosignatureTime(v.signature.signature) }));
  return { checkpoint, note, logSignatures, cosignatures };
}

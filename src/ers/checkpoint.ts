/**
 * The evidence record of an anchored checkpoint: its data object is the checkpoint BODY (`origin\nsize\nroot\n…`,
 * the signed note's text without signature lines), the bytes whose SHA-256 (or SM3) the anchor's token stamps.
 */
import { utf8 } from '../crypto/index.js';
import { parseNote } from '../note/index.js';
import { buildEvidenceRecord } from './build.js';

/** The data object of a checkpoint's evidence record (NOTE_* codes when `note` is not a well-formed note). */
export function checkpointBody(note: string): Uint8Array {
  return utf8(parseNote(note).text);
}

/** The DER EvidenceRecord of signed checkpoint `note` from one anchor token (then its renewals, each over the one before). */
export function checkpointEvidenceRecord(note: string, chain: readonly Uint8Array[]): Uint8Array {
  return buildEvidenceRecord(checkpointBody(note), [chain]);
}

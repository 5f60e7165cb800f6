/**
 * What an RFC 3161 anchor token stamps: SHA-256 of a signed checkpoint's BODY (`origin\nsize\nroot\n…`),
 * the note's text without its signature lines, so cosignatures added later do not change the imprint.
 * The anchorer asks TSAs for tokens over it and the offline verifier checks tokens against it: one function,
 * so the two can never disagree.
 */
import { sha256, utf8 } from '../crypto/index.js';
import { parseNote } from '../note/index.js';

/** SHA-256 of the body of the signed checkpoint `note` (NOTE_* codes when it is not a well-formed note). */
export function checkpointImprint(note: string): Uint8Array {
  return sha256(utf8(parseNote(note).text));
}

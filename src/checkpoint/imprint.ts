/**
 * What an RFC 3161 anchor token stamps: SHA-256 of a signed checkpoint's BODY (`origin\nsize\nroot\n…`),
 * the note's text without its signature lines, so cosignatures added later do not change the imprint.
 * The anchorer asks TSAs for tokens over it and the offline verifier checks tokens against it: one function,
 * so the two can never disagree. A TSA that stamps only SM3 digests (as Chinese TSAs may) stamps
 * `checkpointImprintSm3`, the SM3 of the same body.
 */
import { sha256, sm3, utf8 } from '../crypto/index.js';
import { parseNote } from '../note/index.js';

/** SHA-256 of the body of the signed checkpoint `note` (NOTE_* codes when it is not a well-formed note). */
export function checkpointImprint(note: string): Uint8Array {
  return sha256(utf8(parseNote(note).text));
}

/** SM3 of the body of the signed checkpoint `note`: the imprint of a token whose messageImprint is SM3. */
export function checkpointImprintSm3(note: string): Uint8Array {
  return sm3(utf8(parseNote(note).text));
}

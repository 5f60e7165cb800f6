/**
 * C2SP signed notes, verifier and signer keys, and tlog-cosignature (cosignature/v1) lines.
 * Error codes are listed in README.md beside this file.
 */
export {
  KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, MAX_KEY_NAME_LENGTH, assertKeyName, isValidKeyName, keyId, keyIdHex,
} from './key-id.js';
export { ed25519Verifier, formatVerifierKey, parseVerifierKey, type NoteVerifier } from './verifier-key.js';
export type { NoteSigner } from './signer.js';
export { formatSignerKey, generateSigner, parseSignerKey, signerFromSeed } from './signer-key.js';
export {
  COSIGNATURE_V1_HEADER, COSIGNATURE_V1_SIZE, cosignatureTime, cosignatureVerifier, cosignedMessage, cosignerFromSeed,
} from './cosignature.js';
export {
  MAX_NOTE_SIGNATURES, MAX_NOTE_SIZE, addSignatures, checkNoteText, parseNote, signNote, type NoteSignature, type ParsedNote,
} from './note.js';
export { openNote, type OpenedNote, type VerifiedSignature } from './open-note.js';
export { KEY_TYPE_SM2 } from './key-id.js';
export {
  SM2_NOTE_ALG_ID, SM2_NOTE_KEY_SIZE, formatSm2SignerKey, formatSm2VerifierKey, generateSm2Signer, sm2PublicKeyOf, sm2SignerFromPrivate, sm2Verifier,
} from './sm2.js';

/**
 * The parsed form of a C2SP tlog-policy file (see README.md beside this file), shared by the parser, the
 * quorum check and their callers (the verifier, the CLI, the log's witness client).
 */
import { KEY_TYPE_SM2, type NoteVerifier } from '../note/index.js';

/** Signature type 0xff: the SM2-with-SM3 note signature (src/note/README.md), accepted for log keys. */
export const KEY_TYPE_SM2_NOTE: number = KEY_TYPE_SM2;

export interface PolicyLog {
  /** Type 0x01 (Ed25519) or 0xff (SM2); its key name is the log's origin. */
  verifier: NoteVerifier;
  vkey: string;
  url?: string;
  /** The line it was defined on (1-based). */
  line: number;
}

export interface PolicyWitness {
  /** The policy-local name (see README: opaque octets, shown as UTF-8). */
  name: string;
  /** The name's octets as written in the file; names are equal iff these are. */
  nameBytes: Uint8Array;
  /** Type 0x04 (cosignature/v1); its key name is the one on the witness's cosignature lines. */
  verifier: NoteVerifier;
  vkey: string;
  url?: string;
  line: number;
}

export interface PolicyGroup {
  name: string;
  nameBytes: Uint8Array;
  /** k: the group witnesses iff at least k members witness (1 ≤ k ≤ members.length). */
  threshold: number;
  /** Names of witnesses and groups defined on earlier lines, each at most once. */
  members: string[];
  line: number;
}

export interface Policy {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  /** A witness, a group, or 'none'. */
  quorum: string;
  /** Extension line `log-quorum all`: every listed log key named after the origin must sign. Default 'any'. */
  logQuorum: 'any' | 'all';
  /** The file as text (UTF-8; an invalid sequence, possible only in a comment or name, shows as U+FFFD). */
  text: string;
  /** The file's octets exactly as given. */
  bytes: Uint8Array;
}

/** Bounds on what parsePolicy accepts (the spec asks for at least 32 of each). */
export const POLICY_LIMITS = Object.freeze({
  maxBytes: 1024 * 1024,
  maxLogs: 256,
  maxWitnesses: 256,
  maxGroups: 256,
});

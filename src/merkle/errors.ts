/**
 * The merkle package's error codes. Each is stable (part of the public contract, see README.md) and names
 * one thing a caller can act on; `details` carries the evidence (got/want).
 */
import { CunzhengError } from '../errors.js';

export type MerkleErrorCode =
  | 'BAD_TREE_SIZE'
  | 'BAD_LEAF_INDEX'
  | 'BAD_NODE_ID'
  | 'INDEX_OUT_OF_RANGE'
  | 'NODE_NOT_IN_TREE'
  | 'TREE_TOO_LARGE'
  | 'BAD_PROOF'
  | 'PROOF_TOO_SHORT'
  | 'PROOF_TOO_LONG'
  | 'BAD_HASH_LENGTH'
  | 'BAD_NODE_COUNT'
  | 'ROOT_MISMATCH'
  | 'CONSISTENCY_SIZE_ORDER'
  | 'CONSISTENCY_NONEMPTY_PROOF'
  | 'OLD_ROOT_MISMATCH'
  | 'NEW_ROOT_MISMATCH'
  | 'BAD_COMPACT_RANGE'
  | 'BAD_TILE'
  | 'BAD_TILE_PATH'
  | 'BAD_TILE_DATA';

export type MerkleError = CunzhengError<MerkleErrorCode>;

export function merkleError(code: MerkleErrorCode, message: string, details?: Record<string, unknown>): MerkleError {
  return new CunzhengError(code, message, details === undefined ? undefined : { details });
}

/** Describes a hostile value for an error message without echoing it (it may be huge). */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `bigint ${value.toString().slice(0, 40)}`;
  if (typeof value === 'string') return `string of length ${value.length}`;
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `Uint8Array of length ${value.length}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return typeof value;
}

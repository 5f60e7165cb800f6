/**
 * The closed set of error codes of RFC 4998 evidence records. Each names one fact a caller can act on; they
 * are part of the public contract (the CLI's output and the HTTP error body carry them).
 */
import { CunzhengError } from '../errors.js';

export type ErsErrorCode =
  // the bytes are not an EvidenceRecord (DER, RFC 4998 §3), or exceed a bound (size, depth, counts)
  | 'ERS_MALFORMED'
  // a hash algorithm other than SHA-256 or SM3, or an encrypted data object (encryptionInfo)
  | 'ERS_UNSUPPORTED'
  // an ArchiveTimeStamp's hash algorithm is missing from the record's digestAlgorithms
  | 'ERS_ALGORITHM_NOT_LISTED'
  // the first ArchiveTimeStamp does not cover the hash of the data object given
  | 'ERS_DATA_MISMATCH'
  // a reduced hash tree does not lead to the hash its timestamp stamps
  | 'ERS_HASH_TREE_MISMATCH'
  // a renewal does not cover what it renews (RFC 4998 §5), or its time or algorithm breaks the chain
  | 'ERS_CHAIN_BROKEN'
  // an ArchiveTimeStamp's RFC 3161 token does not verify (details.tsaCode names the anchor's code)
  | 'ERS_TIMESTAMP_INVALID'
  // at the verifier's time the last timestamp's TSA certificate has expired: the record needed a renewal before
  | 'ERS_EXPIRED'
  // there is no anchor (no RFC 3161 token) to build a record from
  | 'ERS_NO_ANCHOR'
  // an argument of the caller is invalid (not hostile input: a programming error)
  | 'ERS_BAD_ARGUMENT';

export type ErsError = CunzhengError<ErsErrorCode>;

export function ersError(code: ErsErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): ErsError {
  return new CunzhengError(code, message, {
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** RFC 4998 evidence records (README.md). Pure: no I/O, no clock. */
export { type ErsHash } from './algorithms.js';
export { buildEvidenceRecord } from './build.js';
export { checkpointBody, checkpointEvidenceRecord } from './checkpoint.js';
export { MAX_RECORD_BYTES } from './der.js';
export type { ErsError, ErsErrorCode } from './errors.js';
export { renewalImprint, renewEvidenceRecord, type RenewalImprint } from './renew.js';
export { ERS_LIMITS, parseEvidenceRecord, type AlgorithmId, type ArchiveTimeStamp, type EvidenceRecord } from './record.js';
export { verifyEvidenceRecord, type ArchiveTimeStampVerification, type EvidenceRecordVerification, type VerifyEvidenceRecordOptions } from './verify.js';

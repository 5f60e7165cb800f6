/**
 * The local half of `cunzheng deposit`: list the files (walk), hash them on every core (hash-pool),
 * and manage their receipts on disk (receipt-files). No network here: documents never leave this machine.
 */
export { walkFiles, type WalkItem, type WalkedFile, type WalkSkipped, type WalkFollowed, type WalkProblem, type WalkOptions, type WalkErrorCode } from './walk.js';
export { compileGlob, matchGlob, GlobSet, type GlobPattern, type GlobErrorCode } from './glob.js';
export {
  hashFiles, hashFile, isHashError, HASH_CHUNK_BYTES,
  type HashFilesOptions, type HashProgress, type HashInput, type HashResult, type FileDigest, type FileHashError, type HashErrorCode,
} from './hash-pool.js';
export {
  RECEIPT_SUFFIX, isReceiptFileName, receiptPath, receiptConflicts, readExistingReceipt, writeReceiptAtomic,
  planDeposit, needsDeposit, type DepositPlan, type DepositStatus, type ReceiptFileErrorCode,
} from './receipt-files.js';
export {
  locateReceipt, keepPreviousReceipt, saveReceipt, documentForShortReceipt, shortReceiptPath, versionPath, nameHash, rescueDir, type SavedReceipt,
} from './receipt-store.js';

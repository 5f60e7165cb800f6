export { Ledger, DEFAULT_ORIGIN, type AppendOptions, type LeafKey, type Appended, type AppendedRun, type LedgerOptions, type LedgerStats } from './ledger.js';
export { fsck, fsckStore, type FsckProblem, type FsckReport } from './fsck.js';
export { loadOrCreateLogKey, type LogKey } from './log-key.js';
export { LedgerRecords, type Pair } from './records.js';
export { DepositIndex, parseStoredEntry, storeCorrupt, type Indexed, type IndexedEntry } from './deposit-index.js';
export { DigestFilter } from './digest-filter.js';
export * as recordKeys from './record-keys.js';
export { DocumentIndex, idBytes, type DocId, type DocumentPlanEntry, type DocumentWrites } from './document-index.js';

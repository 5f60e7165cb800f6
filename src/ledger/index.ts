export { Ledger, DEFAULT_ORIGIN, type Appended, type AppendedRun, type ExtraWrites, type LedgerOptions, type LedgerStats } from './ledger.js';
export { fsck, fsckStore, type FsckProblem, type FsckReport } from './fsck.js';
export { loadOrCreateLogKey, type LogKey } from './log-key.js';

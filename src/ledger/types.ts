/** The ledger's public types: options, append results, statistics. */

export interface LedgerOptions {
  /** The data directory: LevelDB in `<dataDir>/ledger`, the log key in `<dataDir>/log.key`. */
  dataDir: string;
  /** The log's origin (and key name); used when the log is created, checked when it is reopened. */
  origin?: string;
  /**
   * An SM2 log key file (`serve --sm2`: `<dataDir>/log-sm2.key`): loaded, or created (0600, O_EXCL) named
   * after the origin; every checkpoint signed from then on carries an SM2 line after the Ed25519 one.
   */
  sm2KeyPath?: string;
  /** Entries per group commit (default 10,000: queued batches share one fsync; a larger run is a group alone). */
  maxGroup?: number;
  /** Entries waiting beyond which appends are refused with LEDGER_BUSY (default 100,000). */
  maxQueue?: number;
  /** Milliseconds to wait for more entries before committing a group that is not full (default 0). */
  groupDelayMs?: number;
  /** Full tiles kept expanded in memory (default 4096 ≈ 64 MiB). */
  tileCacheTiles?: number;
  /** Where the ledger reports a failed write, its recovery, or a fault that keeps it fenced. */
  log?: LedgerLog;
}

export interface LedgerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** How a run is appended: with its inclusion proofs, and with the digest keys of its deposits (deposit-index.ts). */
export interface AppendOptions {
  /** Build each entry's inclusion proof in the tree of the group (computed once for the whole group). */
  proofs?: boolean;
  /** Per entry, its `x D` key (DepositIndex.digestKey) or undefined: written in the entry's batch, learned once durable. */
  digestKeys?: readonly (Uint8Array | undefined)[];
  /** A tenant's listing prefix (DepositIndex.listingPrefix): every entry of the run is listed under it, in leaf order. */
  listing?: Uint8Array;
  /**
   * A tenant's roots prefix (DocumentIndex.rootsPrefix): every entry of the run is a document's root deposit,
   * written under it as `x N <tenant> 0x00 <leaf>` → its own id (the leaf hash's first 16 bytes, computed here once).
   */
  roots?: Uint8Array;
  /**
   * Per entry, the keys that name its leaf (or undefined): each [prefix, value] is written as prefix ‖ the
   * entry's leaf index (8, big-endian) → value, in the entry's batch. Prefixes of the document index only
   * (`x H`, `x N`: DocumentIndex.writesFor makes them).
   */
  leafKeys?: readonly (readonly LeafKey[] | undefined)[];
  /** Derived records the caller computed (`x R`, `x C`: DocumentIndex.writesFor), written as they are in the run's batch. */
  records?: readonly (readonly [Uint8Array, Uint8Array])[];
}

/** A key prefix and the value of the key it makes once the entry's leaf index is appended. */
export type LeafKey = readonly [prefix: Uint8Array, value: Uint8Array];

export interface Appended {
  leafIndex: number;
  leafHash: Uint8Array;
  /** The size of the tree whose checkpoint was committed with this entry. */
  treeSize: number;
  /** That checkpoint: a signed note. */
  checkpoint: string;
  /** With `{ proof: true }`: the entry's inclusion proof in that tree. */
  proof?: Uint8Array[];
}

/** A run of entries appended together: consecutive leaves, committed in one group. */
export interface AppendedRun {
  firstIndex: number;
  leafHashes: Uint8Array[];
  treeSize: number;
  checkpoint: string;
  /** With `{ proofs: true }`: each entry's inclusion proof in that tree. Nodes shared by several proofs
   *  are the same Uint8Array objects (callers may memoize their encodings by identity). */
  proofs?: Uint8Array[][];
}

export interface Pending {
  entries: readonly Uint8Array[];
  digestKeys: readonly (Uint8Array | undefined)[] | undefined;
  listing: Uint8Array | undefined;
  roots: Uint8Array | undefined;
  leafKeys: readonly (readonly LeafKey[] | undefined)[] | undefined;
  records: readonly (readonly [Uint8Array, Uint8Array])[] | undefined;
  proofs: boolean;
  resolve: (a: AppendedRun) => void;
  reject: (e: unknown) => void;
}

export interface LedgerStats {
  queueDepth: number;
  groupsCommitted: number;
  entriesCommitted: number;
  lastGroupSize: number;
  lastCommitMs: number;
  /** Group sizes and commit latencies, for /metrics histograms (kept since open). */
  groupSizes: number[];
  commitMs: number[];
  /** Writes that failed (each fenced the ledger until the store was reopened) and recoveries since. */
  writeFailures: number;
  /**
   * Main-thread milliseconds since open, by stage of the write path: hashing the entries and extending the
   * tree (`hash`), handing a group's batch to LevelDB (`write`: the puts, not the fsync, which runs on
   * LevelDB's thread), and building a group's inclusion proofs (`proofs`).
   */
  stageMs: { hash: number; write: number; proofs: number };
  recoveries: number;
}

export interface Released {
  treeSize: number;
  note: string;
}

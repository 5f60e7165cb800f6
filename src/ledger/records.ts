/**
 * The records beside the entries (record-keys.ts has their layout): the ledger's one door to them for the
 * layers above, which never see LevelDB. Point reads are coalesced with the other reads of the event-loop
 * turn; writes are durable (`sync: true`) before they resolve and never delete; scans hand over chunks.
 * Keys of the `D` and `I` tables are written by the ledger itself, in the batch of the entries they name
 * (deposit-index.ts): `put` is for records that no entry implies (tenants, API keys, anchors).
 */
import type { LedgerStore } from '../storage/store.js';
import { TAG_ENTRY, numberedRange, readUint64 } from '../storage/keys.js';
import { tablePrefix, type TableName } from './record-keys.js';

export type Pair = [Uint8Array, Uint8Array];

export class LedgerRecords {
  constructor(private readonly store: () => LedgerStore) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store().getExtra(key);
  }

  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.store().getExtraMany(keys);
  }

  /** A durable write of records no entry implies (tenants, API keys, anchors). */
  put(pairs: Pair[]): Promise<void> {
    return this.store().putExtra(pairs);
  }

  /** Every record of a table, or of the keys starting with `prefix` (a full key made in record-keys.ts), in key order. */
  iterate(tableOrPrefix: TableName | Uint8Array): AsyncGenerator<Pair> {
    return this.store().iterateExtra(typeof tableOrPrefix === 'string' ? tablePrefix(tableOrPrefix) : tableOrPrefix);
  }

  /** Up to `limit` records of [gte, lt) in key order, or from the last backwards with `reverse` (keys made in record-keys.ts). */
  range(gte: Uint8Array, lt: Uint8Array, limit: number, reverse = false): Promise<Pair[]> {
    return this.store().readRange({ gte, lt }, limit, reverse);
  }

  /** Every key of a table, keys only, handed over in chunks (for in-memory indexes). */
  scanKeys(table: TableName | Uint8Array, onChunk: (keys: Uint8Array[]) => void): Promise<void> {
    return this.store().scanExtraKeys(typeof table === 'string' ? tablePrefix(table) : table, onChunk);
  }

  /** Every record of a table, keys and values, a thousand at a time (for fsck: an async iterator costs ~3 µs a record more). */
  scan(table: TableName, onChunk: (kv: Pair[]) => void): Promise<void> {
    const gte = tablePrefix(table);
    const lt = gte.slice();
    lt[1]!++;
    return this.store().scanRange({ gte, lt }, onChunk);
  }

  /** The entries [from, to) in index order, a thousand at a time, as [leaf index, bytes]. */
  scanEntries(from: number, to: number, onChunk: (entries: [number, Uint8Array][]) => void): Promise<void> {
    return this.store().scanRange(numberedRange(TAG_ENTRY, from, to), (kv) => onChunk(kv.map(([k, v]) => [readUint64(k, 1), v])));
  }

  /** The stored bytes of entry `index`, also beyond the released tree (a group landed, its callers not answered yet). */
  readEntry(index: number): Promise<Uint8Array | undefined> {
    return this.store().readEntry(index);
  }

  /** The size of the durable tree the store holds (undefined: not a ledger store). */
  async storedTreeSize(): Promise<number | undefined> {
    return (await this.store().readState())?.treeSize;
  }
}

/**
 * The repair door to a stopped store: the records derived from the entries (`x D`, `x I`, `x L`, `x R`,
 * `x H`, `x N`, `x C`) can be rewritten and deleted, nothing else — never an entry, a tile, a checkpoint or
 * the tree state (service/reindex.ts, `cunzheng fsck --reindex`). It opens the store itself, not a shadow:
 * a running service holds LevelDB's lock (STORE_LOCKED), and a damaged write-ahead log is refused as at any
 * open (STORE_WAL_CORRUPT). Every batch is synced before the next.
 */
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { LedgerStore } from '../storage/store.js';
import { DOCUMENTS_META } from './documents-backfill.js';
import { LISTINGS_META } from './listing-backfill.js';
import { DERIVED_TABLES, TABLE } from './record-keys.js';
import { TAG_EXTRA } from '../storage/keys.js';
import { LedgerRecords, type Pair } from './records.js';

const DERIVED_LETTERS = new Set<number>(DERIVED_TABLES.map((t) => TABLE[t]));

/** Operations per synced batch. */
export const REPAIR_BATCH = 10_000;

export class RepairRecords extends LedgerRecords {
  private constructor(private readonly repairStore: LedgerStore) {
    super(() => repairStore);
  }

  /** Opens `<dataDir>/ledger` for repair (STORE_LOCKED while a service runs on it). */
  static async open(dataDir: string): Promise<RepairRecords> {
    const store = await LedgerStore.open(join(dataDir, 'ledger'));
    if ((await store.readState()) === undefined) {
      await store.close();
      throw new CunzhengError('STORE_EMPTY', 'no ledger state: this is not a ledger store');
    }
    return new RepairRecords(store);
  }

  /**
   * Puts and deletes of derived records, in synced batches of REPAIR_BATCH operations (LEDGER_BAD_ENTRY for a
   * key of any other table, before anything is written).
   */
  async rewrite(puts: readonly Pair[], dels: readonly Uint8Array[]): Promise<void> {
    for (const k of [...puts.map(([key]) => key), ...dels]) {
      if (k.length < 3 || k[0] !== TAG_EXTRA || !DERIVED_LETTERS.has(k[1]!)) throw new CunzhengError('LEDGER_BAD_ENTRY', 'only records derived from the entries can be rewritten');
    }
    for (let i = 0; i < dels.length; i += REPAIR_BATCH) await this.repairStore.rewriteExtra([], dels.slice(i, i + REPAIR_BATCH));
    for (let i = 0; i < puts.length; i += REPAIR_BATCH) await this.repairStore.rewriteExtra(puts.slice(i, i + REPAIR_BATCH) as Pair[], []);
  }

  /** The derived tables cover every entry now: the open does not build them again. */
  async markComplete(): Promise<void> {
    await this.repairStore.writeMeta(LISTINGS_META, 'complete');
    await this.repairStore.writeMeta(DOCUMENTS_META, 'complete');
  }

  close(): Promise<void> {
    return this.repairStore.close();
  }
}

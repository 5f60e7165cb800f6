/**
 * Deposit inputs turned into entry bytes, one rule for every thread: the service's own path and the
 * worker pool's prepare job (workers/prepare-job.ts) both call `buildDepositEntries`, so an input gets the
 * same entry, or the same error (with `items[i]: ` and `details.item` in a batch), wherever it is built.
 * Nothing here writes; nothing here needs the ledger.
 */
import { CunzhengError } from '../errors.js';
import type { EntryBuilder, EntryMeta, HashedBy } from '../entry/index.js';

export interface DepositInput {
  sha256: string;
  sm3?: string;
  size?: number;
  meta?: Record<string, unknown>;
  prev?: string;
}

/** Validates each input and builds its entry (throws ENTRY_* / DEPOSIT_* codes). */
export function buildDepositEntries(builder: EntryBuilder, items: readonly DepositInput[], hashedBy: HashedBy, batch: boolean): Uint8Array[] {
  return items.map((input, i) => {
    try {
      return builder.build({
        digest: input.sm3 === undefined ? { sha256: input.sha256 } : { sha256: input.sha256, sm3: input.sm3 },
        hashedBy,
        ...(input.size === undefined ? {} : { size: input.size }),
        ...(input.meta === undefined ? {} : { meta: input.meta as EntryMeta }),
        ...(input.prev === undefined ? {} : { prev: input.prev }),
      }).bytes;
    } catch (e) {
      if (!batch || !(e instanceof CunzhengError)) throw e;
      throw new CunzhengError(e.code, `items[${i}]: ${e.message}`, { cause: e, details: { ...e.details, item: i } });
    }
  });
}

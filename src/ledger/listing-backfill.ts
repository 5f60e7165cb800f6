/**
 * The tenant listings (`x L`, record-keys.ts) of a store written before they existed are built once, at
 * open, from the entries themselves; afterwards every run writes its own in its batch. The meta key
 * `listings` = `complete` says the table covers every entry. A crash part-way leaves it unset: the next
 * open builds the table again from the start (the writes are idempotent). Entries that do not parse are
 * counted and logged (fsck names them); they have no tenant to be listed under.
 */
import { parseEntry } from '../entry/index.js';
import type { LedgerStore } from '../storage/store.js';
import { listingKey, listingPrefix, LISTING_VALUE } from './record-keys.js';
import type { LedgerLog } from './types.js';

export const LISTINGS_META = 'listings';
const CHUNK = 10_000;

export async function backfillListings(store: LedgerStore, treeSize: number, log?: LedgerLog): Promise<void> {
  if ((await store.readMeta(LISTINGS_META)) === 'complete') return;
  if (treeSize > 0) {
    log?.info({ treeSize }, 'building the tenant listings from the entries (once: the store was written before they existed)');
    const prefixes = new Map<string, Uint8Array>();
    let pairs: [Uint8Array, Uint8Array][] = [];
    let unparseable = 0;
    for await (const [index, bytes] of store.iterateEntries(0, treeSize)) {
      let tenant: string;
      try {
        const e = parseEntry(bytes);
        if (e.kind !== 'deposit') continue;
        tenant = e.tenant;
      } catch {
        unparseable++;
        continue;
      }
      let prefix = prefixes.get(tenant);
      if (prefix === undefined) prefixes.set(tenant, (prefix = listingPrefix(tenant)));
      pairs.push([listingKey(prefix, index).slice(), LISTING_VALUE]);
      if (pairs.length >= CHUNK) {
        await store.putExtra(pairs);
        pairs = [];
      }
    }
    if (pairs.length > 0) await store.putExtra(pairs);
    if (unparseable > 0) log?.warn({ unparseable }, 'entries that do not parse have no tenant listing: run cunzheng fsck on a copy of the data directory');
  }
  await store.writeMeta(LISTINGS_META, 'complete');
}

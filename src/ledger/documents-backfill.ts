/**
 * The document index (`x R`, `x H`, `x N`, `x C`; record-keys.ts) of a store written before it existed is built
 * once, at open, from the entries themselves (document-fold.ts); afterwards every run writes its own in its
 * batch. The meta key `documents` = `complete` says the tables cover every entry. A crash part-way leaves it
 * unset: the next open builds them again from the start (the writes are idempotent: the same keys, the same
 * values). Entries that cannot be joined are counted and logged (fsck names them one by one).
 */
import { encodeDocState } from '../lifecycle/index.js';
import { fromHex } from '../crypto/index.js';
import type { LedgerStore } from '../storage/store.js';
import { foldDocuments } from './document-fold.js';
import { docOfKey, docStateKey, historyKey, historyPrefix, HISTORY_VALUE, rootKey, rootsPrefix } from './record-keys.js';
import { LedgerRecords, type Pair } from './records.js';
import type { LedgerLog } from './types.js';

export const DOCUMENTS_META = 'documents';
const CHUNK = 10_000;

export async function backfillDocuments(store: LedgerStore, treeSize: number, log?: LedgerLog): Promise<void> {
  if ((await store.readMeta(DOCUMENTS_META)) === 'complete') return;
  if (treeSize > 0) {
    log?.info({ treeSize }, 'building the document index from the entries (once: the store was written before it existed)');
    const roots = new Map<string, Uint8Array>();
    let pairs: Pair[] = [];
    let writing = Promise.resolve();
    let failed: unknown;
    // Chunks are written one after the other while the scan goes on; the scan's callback cannot wait.
    const flush = (): void => {
      if (pairs.length === 0) return;
      const out = pairs;
      pairs = [];
      writing = writing.then(() => (failed === undefined ? store.putExtra(out) : undefined)).catch((e: unknown) => {
        failed ??= e;
      });
    };
    const problems = new Map<string, number>();
    const states = await foldDocuments(new LedgerRecords(() => store), treeSize, {
      root(tenant, id, leaf) {
        let prefix = roots.get(tenant);
        if (prefix === undefined) roots.set(tenant, (prefix = rootsPrefix(tenant)));
        pairs.push([rootKey(prefix, leaf), id]);
        if (pairs.length >= CHUNK) flush();
      },
      member(tenant, id, doc, leaf) {
        pairs.push([docOfKey(id), doc], [historyKey(historyPrefix(tenant, doc), leaf), HISTORY_VALUE]);
        if (pairs.length >= CHUNK) flush();
      },
      problem(_leaf, code) {
        problems.set(code, (problems.get(code) ?? 0) + 1);
      },
    });
    for (const s of states.values()) {
      pairs.push([docStateKey(s.tenant, fromHex(s.doc, 16)), encodeDocState(s)]);
      if (pairs.length >= CHUNK) flush();
    }
    flush();
    await writing;
    if (failed !== undefined) throw failed;
    if (problems.size > 0) log?.warn(Object.fromEntries(problems), 'entries that cannot join a document were left out of the document index: run cunzheng fsck on a copy of the data directory');
  }
  await store.writeMeta(DOCUMENTS_META, 'complete');
}

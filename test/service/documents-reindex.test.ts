/**
 * `fsck --reindex` (service/reindex.ts): on a store seeded through the service and given lifecycle events,
 * every derived table damaged every way — records deleted, strays added, values flipped — is rewritten from
 * the entries so that fsck passes again, while every other byte of the store (entries, tiles, checkpoints,
 * state, meta, tenants, API keys) stays as it was; a second run changes nothing; a running ledger locks it out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, LedgerRecords, recordKeys } from '../../src/ledger/index.js';
import { fromHex, toHex } from '../../src/crypto/index.js';
import { checkDocuments } from '../../src/service/fsck-documents.js';
import { reindex } from '../../src/service/reindex.js';
import type { LedgerStore } from '../../src/storage/store.js';
import { rejectionCode } from '../ledger/helpers.js';
import { Model, built, deposit, event } from '../ledger/documents-model.js';
import { check, codes, flipBit, openStore, records, seedStore, type Problem, type Seeded } from './corrupt-helpers.js';

let s: Seeded;

beforeEach(async () => {
  s = await seedStore(12, 4);
  // Events and a version on two of A's documents, as the write path records them.
  const ledger = await Ledger.open({ dataDir: s.dir });
  const model = new Model();
  const roots = await Promise.all([0, 1].map(async (i) => built((await ledger.entry(i))!)));
  model.learn(roots.slice(0, 1), 0);
  model.learn(roots.slice(1), 1);
  await model.append(ledger, s.a.id, [event(roots[0]!, 'classify', { level: '核心商密', period: '2029-06-30' })]);
  await model.append(ledger, s.a.id, [deposit(s.a.id, roots[0]!.id)]);
  await model.append(ledger, s.a.id, [event(roots[1]!, 'access-grant', { who: 'E2048' })]);
  await ledger.close();
});

afterEach(() => s.cleanup());

async function allProblems(store: LedgerStore): Promise<Problem[]> {
  const problems = [...(await check(store)).problems];
  await checkDocuments(new LedgerRecords(() => store), (where, code, message) => problems.push({ where, code, message }));
  return problems;
}

/** Every key and value of the store but the derived tables, as hex. */
async function untouched(store: LedgerStore): Promise<string[]> {
  const derived = new Set<number>(recordKeys.DERIVED_TABLES.map((t) => recordKeys.TABLE[t]));
  const out: string[] = [];
  for await (const [k, v] of store.db.iterator()) if (!(k[0] === 0x78 && derived.has(k[1]!))) out.push(`${toHex(k)}=${toHex(v)}`);
  return out;
}

async function damage(store: LedgerStore): Promise<void> {
  const db = store.db;
  for (const table of ['D', 'I', 'L', 'R', 'H', 'N', 'C']) {
    const rows = await records(store, table);
    expect(rows.length, table).toBeGreaterThan(0);
    await db.del(rows[0]![0]); //                                       missing
    const [k, v] = rows[rows.length - 1]!;
    if (v.length > 0) await db.put(k, flipBit(v, 8 * v.length - 3)); // another value
    else await db.put(k, Uint8Array.of(7));
    await db.put(flipBit(k, 8 * k.length - 1), v); //                  stray
  }
  await db.put(recordKeys.docOfKey(fromHex('ab'.repeat(16), 16)), fromHex(s.idsA[3]!, 16));
}

describe('cunzheng fsck --reindex', () => {
  it('rewrites every derived table from the entries and touches nothing else; fsck passes after; a second run changes nothing', async () => {
    let store = await openStore(s.dir);
    expect(await allProblems(store)).toEqual([]);
    const before = await untouched(store);
    await damage(store);
    const found = await allProblems(store);
    expect(new Set(codes(found))).toEqual(new Set(['INDEX_MISSING', 'INDEX_STRAY', 'INDEX_MISMATCH', 'DOC_INDEX_MISSING', 'DOC_INDEX_STRAY', 'DOC_INDEX_MISMATCH', 'DOC_STATE_CORRUPT']));
    await store.close();

    const summary = await reindex(s.dir);
    expect(summary.treeSize).toBe(19);
    for (const table of recordKeys.DERIVED_TABLES) {
      expect(summary.tables[table]!.put, table).toBeGreaterThanOrEqual(2); // the missing one and the changed one
      expect(summary.tables[table]!.deleted, table).toBeGreaterThanOrEqual(1);
    }
    expect(summary.tables['docOf']!.deleted).toBe(2);

    store = await openStore(s.dir);
    expect(await allProblems(store)).toEqual([]);
    expect(await untouched(store)).toEqual(before);
    await store.close();

    const again = await reindex(s.dir);
    expect([again.put, again.deleted]).toEqual([0, 0]);

    // The service reads its documents back as before.
    const ledger = await Ledger.open({ dataDir: s.dir });
    try {
      expect(await ledger.documents.state(s.a.id, s.idsA[0]!)).toMatchObject({ status: 'classified', versions: 2 });
      expect(await ledger.documents.history(s.a.id, s.idsA[1]!, undefined, 10)).toEqual([18]);
    } finally {
      await ledger.close();
    }
  });

  it('refuses a store a running ledger holds (STORE_LOCKED), changing nothing', async () => {
    const ledger = await Ledger.open({ dataDir: s.dir });
    try {
      expect(await rejectionCode(reindex(s.dir))).toBe('STORE_LOCKED');
    } finally {
      await ledger.close();
    }
  });
});

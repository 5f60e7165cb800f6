/**
 * fsck of the document index (service/fsck-documents.ts): every `x R`, `x H`, `x N`, `x C` record recomputed
 * from the entries and compared both ways — one test per kind of damage (missing, stray, another value, a
 * state failing its check under every bit flipped, a flipped key), the entries that join no document, and the
 * build at open for a store written before the index (v1 deposits with prev are versions).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Ledger, LedgerRecords, recordKeys } from '../../src/ledger/index.js';
import { buildEntry } from '../../src/entry/index.js';
import { fromHex, utf8 } from '../../src/crypto/index.js';
import { encodeDocState } from '../../src/lifecycle/index.js';
import { checkDocuments } from '../../src/service/fsck-documents.js';
import type { LedgerStore } from '../../src/storage/store.js';
import { tempDir } from '../ledger/helpers.js';
import { Model, SUBJECT, deposit, event, type Built } from '../ledger/documents-model.js';
import { codes, flipBit, openStore, records, type Problem } from './corrupt-helpers.js';

const T = 'tn_alpha';
const U = 'tn_beta';
const k16 = (hex: string): Uint8Array => fromHex(hex, 16);

let t: ReturnType<typeof tempDir>;
let model: Model;
let docs: { a: Built; b: Built; c: Built; u: Built; a2: Built };
let store: LedgerStore;

async function check(s: LedgerStore = store): Promise<{ problems: Problem[]; documents: number; changed: number; records: number }> {
  const problems: Problem[] = [];
  const summary = await checkDocuments(new LedgerRecords(() => s), (where, code, message) => problems.push({ where, code, message }));
  return { problems, ...summary };
}

beforeEach(async () => {
  t = tempDir('cunzheng-docfsck-');
  model = new Model();
  const ledger = await Ledger.open({ dataDir: t.dir });
  const [a, b, c] = [deposit(T), deposit(T), deposit(T)];
  await model.append(ledger, T, [a, b, c]); //                                      leaves 0-2
  const u = deposit(U);
  await model.append(ledger, U, [u]); //                                            leaf 3
  await model.append(ledger, T, [event(a, 'classify', { level: '核心商密', period: '长期' })]); // 4
  await model.append(ledger, T, [event(a, 'access-grant', { who: 'E1024', role: '研发' })]); //   5
  const a2 = deposit(T, a.id);
  await model.append(ledger, T, [a2]); //                                           leaf 6
  await model.append(ledger, T, [event(a2, 'conceal', { measures: ['encryption'] }), event(b, 'classify', { level: '普通商密', period: '2030-12-31' })]); // 7, 8
  await model.append(ledger, U, [event(u, 'destroy', { reason: '到期', method: '碎纸' })]); // 9
  await ledger.close();
  docs = { a, b, c, u, a2 };
  store = await openStore(t.dir);
});

afterEach(async () => {
  await store.close().catch(() => undefined);
  t.cleanup();
});

describe('fsck of the document index', () => {
  it('passes the index the write path made, and counts it', async () => {
    const r = await check();
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ documents: 4, changed: 3 }); // a, b, u changed; c is its root alone
    expect(r.records).toBe(4 + 6 + 6 + 3); // N + R + H + C
  });

  it('a deleted record of each table: DOC_INDEX_MISSING naming it', async () => {
    const { a, b, a2 } = docs;
    await store.db.del(recordKeys.docOfKey(k16(a2.id)));
    await store.db.del(recordKeys.historyKey(recordKeys.historyPrefix(T, k16(a.id)), 5));
    await store.db.del(recordKeys.rootKey(recordKeys.rootsPrefix(T), 1));
    await store.db.del(recordKeys.docStateKey(T, k16(b.id)));
    const { problems } = await check();
    expect(codes(problems)).toEqual(Array(4).fill('DOC_INDEX_MISSING'));
    expect(problems.map((p) => p.where).sort()).toEqual([
      `document C ${T}/${b.id}`, `document H ${T}/${a.id}/5`, `document N ${T}/1`, `document R ${a2.id}`,
    ].sort());
  });

  it('a record no entry implies: DOC_INDEX_STRAY (a state that fails its check: DOC_STATE_CORRUPT)', async () => {
    const { a, c, u } = docs;
    await store.db.put(recordKeys.docOfKey(k16(c.id)), k16(c.id)); // a root has no R
    await store.db.put(recordKeys.historyKey(recordKeys.historyPrefix(T, k16(a.id)), 99), new Uint8Array(0)); // beyond the tree
    await store.db.put(recordKeys.rootKey(recordKeys.rootsPrefix(T), 3), k16(u.id)); // U's root under T
    await store.db.put(recordKeys.docStateKey(T, k16(c.id)), encodeDocState(model.stateOf(c.id))); // c has only its root
    await store.db.put(recordKeys.docStateKey(U, k16(c.id)), utf8('{"not":"a state"}'));
    const { problems } = await check();
    expect(codes(problems)).toEqual(['DOC_INDEX_STRAY', 'DOC_INDEX_STRAY', 'DOC_INDEX_STRAY', 'DOC_INDEX_STRAY', 'DOC_STATE_CORRUPT']);
    expect(problems.find((p) => p.code === 'DOC_STATE_CORRUPT')!.where).toBe(`document C ${U}/${c.id}`);
  });

  it('a record under its key with another value: DOC_INDEX_MISMATCH', async () => {
    const { a, b, a2 } = docs;
    await store.db.put(recordKeys.docOfKey(k16(a2.id)), k16(b.id));
    await store.db.put(recordKeys.rootKey(recordKeys.rootsPrefix(T), 0), k16(b.id));
    await store.db.put(recordKeys.historyKey(recordKeys.historyPrefix(T, k16(b.id)), 8), Uint8Array.of(0));
    // A state that passes its own check but is not what the entries give: one event fewer.
    const fewer = model.stateOf(a.id);
    await store.db.put(recordKeys.docStateKey(T, k16(a.id)), encodeDocState({ ...fewer, events: fewer.events - 1 }));
    const { problems } = await check();
    expect(codes(problems)).toEqual(Array(4).fill('DOC_INDEX_MISMATCH'));
    const c = problems.find((p) => p.where.startsWith('document C'))!;
    expect(c.message).toContain('2 events');
    expect(c.message).toContain('3 events');
  });

  it('a state value with a single bit flipped (every 29th bit across the value): DOC_STATE_CORRUPT, and nothing else', async () => {
    const key = recordKeys.docStateKey(T, k16(docs.a.id));
    const good = (await store.db.get(key))!;
    for (let bit = 0; bit < 8 * good.length; bit += 29) {
      await store.db.put(key, flipBit(good, bit));
      const { problems } = await check();
      expect(codes(problems), `bit ${bit}`).toEqual(['DOC_STATE_CORRUPT']);
      expect(problems[0]!.where).toBe(`document C ${T}/${docs.a.id}`);
    }
    await store.db.put(key, good);
    expect((await check()).problems).toEqual([]);
  });

  it('a history key with a bit flipped: the record is missing and the flipped one is stray', async () => {
    const key = recordKeys.historyKey(recordKeys.historyPrefix(T, k16(docs.a.id)), 4);
    for (const bit of [17, 8 * (key.length - 12) + 3, 8 * key.length - 1]) {
      const flipped = flipBit(key, bit);
      await store.db.del(key);
      await store.db.put(flipped, new Uint8Array(0));
      expect(codes((await check()).problems), `bit ${bit}`).toEqual(['DOC_INDEX_MISSING', 'DOC_INDEX_STRAY']);
      await store.db.del(flipped);
      await store.db.put(key, new Uint8Array(0));
    }
    expect((await check()).problems).toEqual([]);
  });
});

describe('entries that join no document', () => {
  it('are named: a prev naming nothing, an event without prev, an entry the rules refuse', async () => {
    await store.close();
    const ledger = await Ledger.open({ dataDir: t.dir });
    const dangling = deposit(T, randomBytes(16).toString('hex'));
    const orphan = buildEntry({ kind: 'classify', tenant: T, subject: SUBJECT, digest: docs.c.entry.digest, hashedBy: 'client' }).bytes; // v1
    const refused = event(docs.c, 'declassify', { reason: '未定密' }); // c was never classified
    const first = (await ledger.appendRun([dangling.bytes, orphan, refused.bytes])).firstIndex;
    await ledger.close();
    store = await openStore(t.dir);
    const { problems } = await check();
    const byEntry = problems.filter((p) => p.where.startsWith('entry '));
    expect(byEntry.map((p) => [p.where, p.code])).toEqual([
      [`entry ${first + 1}`, 'DOC_ORPHAN_EVENT'], [`entry ${first}`, 'DOC_PREV_DANGLING'], [`entry ${first + 2}`, 'DOC_RULE_VIOLATION'],
    ]);
    // The refused entry still belongs to c (its R and H are implied), and c's state is the one before it.
    expect(codes(problems.filter((p) => !p.where.startsWith('entry ')))).toEqual(['DOC_INDEX_MISSING', 'DOC_INDEX_MISSING', 'DOC_INDEX_MISSING']);
    expect(problems.find((p) => p.where.startsWith('document C'))!.message).toContain('unclassified, 1 versions, 0 events');
  });
});

describe('a store written before the document index', () => {
  it('gets it from its entries at open, once (v1 deposits with prev are versions); fsck is clean after', async () => {
    // v1 deposits and versions, appended without any document records, as the old write path did.
    await store.close();
    let ledger = await Ledger.open({ dataDir: t.dir });
    const root = deposit(T, undefined, true);
    await ledger.append(root.bytes);
    const v2 = deposit(T, root.id, true);
    const v3 = deposit(T, v2.id, true);
    const vFirst = (await ledger.appendRun([v2.bytes, v3.bytes])).firstIndex;
    await ledger.close();
    store = await openStore(t.dir);
    expect(codes((await check()).problems)).toEqual(Array(6).fill('DOC_INDEX_MISSING')); // N; R, H ×2; C
    for (const table of ['R', 'H', 'N', 'C']) for (const [k] of await records(store, table)) await store.db.del(k);
    await store.db.del(new Uint8Array([0x6d, ...utf8('documents')]));
    await store.close();

    ledger = await Ledger.open({ dataDir: t.dir });
    try {
      expect((await ledger.documents.roots(T, undefined, 10)).map((r) => r.doc)).toEqual([docs.a.id, docs.b.id, docs.c.id, root.id]);
      expect(await ledger.documents.history(T, root.id, undefined, 10)).toEqual([vFirst, vFirst + 1]);
      expect(await ledger.documents.docOf(v3.id)).toBe(root.id);
      expect(await ledger.documents.state(T, root.id)).toMatchObject({ versions: 3, events: 0, status: 'unclassified', latest: { id: v3.id } });
      expect(await ledger.documents.state(T, docs.a.id)).toEqual(model.stateOf(docs.a.id));
      expect(await ledger.documents.state(U, docs.u.id)).toMatchObject({ status: 'destroyed' });
    } finally {
      await ledger.close();
    }
    store = await openStore(t.dir);
    expect((await check()).problems).toEqual([]);
  });
});

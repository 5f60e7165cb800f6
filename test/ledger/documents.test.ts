/**
 * The document index in the ledger: AppendOptions.leafKeys and records checked and written in the run's
 * batch (also by a group whose write was in doubt and landed), DocumentIndex's writesFor, and its reads —
 * docOf, state, roots, history, newest — against a naive model, with every damaged value read refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import { Ledger, recordKeys } from '../../src/ledger/index.js';
import { fromHex, utf8 } from '../../src/crypto/index.js';
import { encodeDocState } from '../../src/lifecycle/index.js';
import { rejectionCode, tempDir, waitUnfenced } from './helpers.js';
import { Model, deposit, event, type Built } from './documents-model.js';

const T = 'tn_alpha';
const U = 'tn_beta';
let t: ReturnType<typeof tempDir>;
let ledger: Ledger;
let model: Model;

beforeEach(async () => {
  t = tempDir();
  ledger = await Ledger.open({ dataDir: t.dir });
  model = new Model();
});
afterEach(async () => {
  await ledger.close();
  t.cleanup();
});

async function corruptCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CunzhengError && e.code === 'STORE_CORRUPT') return String((e.details as { problem: string }).problem);
    throw e;
  }
  return 'NO_ERROR';
}

/** Three documents of T (one classified, granted and versioned), one of U. */
async function seed(): Promise<{ a: Built; b: Built; c: Built; u: Built; a2: Built }> {
  const [a, b, c] = [deposit(T), deposit(T), deposit(T)];
  await model.append(ledger, T, [a, b, c]);
  const u = deposit(U);
  await model.append(ledger, U, [u]);
  await model.append(ledger, T, [event(a, 'classify', { level: '核心商密', period: '长期' })]);
  await model.append(ledger, T, [event(a, 'access-grant', { who: 'E1024' })]);
  const a2 = deposit(T, a.id);
  await model.append(ledger, T, [a2]);
  await model.append(ledger, T, [event(a2, 'conceal', { measures: ['encryption', 'marking'] }), event(b, 'classify', { level: '普通商密', period: '2030-12-31' })]);
  return { a, b, c, u, a2 };
}

describe('AppendOptions.leafKeys and records', () => {
  it('refuses what is not one list per entry, or keys outside the document tables, and writes nothing', async () => {
    const a = deposit(T);
    const roots = recordKeys.rootsPrefix(T);
    const bad: Parameters<Ledger['appendRun']>[1][] = [
      { leafKeys: [] },
      { leafKeys: [undefined, undefined] },
      { leafKeys: ['x' as never] },
      { leafKeys: [[[roots] as never]] },
      { leafKeys: [[[Uint8Array.of(0x65), new Uint8Array(16)]]] }, // an entry key
      { leafKeys: [[[recordKeys.listingPrefix(T), new Uint8Array(0)]]] }, // x L is the ledger's own
      { leafKeys: [[[roots, new Uint8Array(1024 * 1024 + 1)]]] },
      { roots: recordKeys.listingPrefix(T) }, // roots must be an x N prefix
      { roots: 'x' as never },
      { records: 'x' as never },
      { records: [[recordKeys.tenantKey(T), utf8('{}')]] },
      { records: [[Uint8Array.of(0x73), new Uint8Array(8)]] }, // the tree state
      { records: [[recordKeys.docOfKey(new Uint8Array(16)).subarray(0, 10), new Uint8Array(16)]] },
      { records: [[recordKeys.docStateKey(T, new Uint8Array(16)), 'v' as never]] },
    ];
    for (const opts of bad) expect(await rejectionCode(ledger.appendRun([a.bytes], opts)), JSON.stringify(opts)).toBe('LEDGER_BAD_ENTRY');
    expect(ledger.treeSize).toBe(0);
  });

  it('are written in the run\'s batch: a root is listed, a version and an event join its document, the state is the model\'s', async () => {
    const { a, b, c, u, a2 } = await seed();
    expect(await ledger.documents.roots(T, undefined, 10)).toEqual([{ leaf: 0, doc: a.id }, { leaf: 1, doc: b.id }, { leaf: 2, doc: c.id }]);
    expect(await ledger.documents.roots(U, undefined, 10)).toEqual([{ leaf: 3, doc: u.id }]);
    expect(await ledger.documents.roots(T, 0, 1)).toEqual([{ leaf: 1, doc: b.id }]);
    expect(await ledger.documents.history(T, a.id, undefined, 10)).toEqual([4, 5, 6, 7]);
    expect(await ledger.documents.history(T, a.id, 5, 10)).toEqual([6, 7]);
    expect(await ledger.documents.history(T, b.id, undefined, 10)).toEqual([8]);
    expect(await ledger.documents.history(T, c.id, undefined, 10)).toEqual([]);
    expect(await ledger.documents.history(U, a.id, undefined, 10)).toEqual([]); // another tenant's document
    for (const x of [a, a2]) expect(await ledger.documents.docOf(x.id)).toBe(a.id);
    expect(await ledger.documents.docOf(fromHex(c.id, 16))).toBe(c.id);
    expect(await ledger.documents.docOf('0'.repeat(32))).toBeUndefined();
    const sa = (await ledger.documents.state(T, a.id))!;
    expect(sa).toEqual(model.stateOf(a.id));
    expect(sa).toMatchObject({ status: 'classified', level: '核心商密', versions: 2, events: 3, measures: ['encryption', 'marking'] });
    expect(sa.latest.id).toBe(a2.id);
    expect(sa.people.map((p) => p.who)).toEqual(['E1024']);
    expect(await ledger.documents.state(T, c.id)).toEqual(model.stateOf(c.id)); // its root alone, no record
    expect(await ledger.records.get(recordKeys.docStateKey(T, fromHex(c.id, 16)))).toBeUndefined();
    expect(await ledger.documents.state(U, a.id)).toBeUndefined(); // another tenant's: nothing
    expect(await ledger.documents.state(T, a2.id)).toBeUndefined(); // a version is not a document
  });

  it('land with their group when a write in doubt did land (the recovery applies it)', async () => {
    const a = deposit(T);
    await model.append(ledger, T, [a]);
    const level = ledger['store'].db as unknown as { batch: () => unknown };
    const original = level.batch.bind(level) as () => { write: (o: unknown) => Promise<void> };
    let once = true;
    level.batch = () => {
      const b = original();
      if (!once) return b;
      once = false;
      const write = b.write.bind(b);
      b.write = async (o: unknown) => {
        await write(o);
        throw new Error('EIO: the write landed but was reported failed');
      };
      return b;
    };
    const e = event(a, 'classify', { level: '重要商密', period: '2031-01-01' });
    const { entries, states } = model.plan([e]);
    const w = ledger.documents.writesFor(T, entries, states);
    expect(await rejectionCode(ledger.appendRun([e.bytes], { leafKeys: w.leafKeys, records: w.records }))).toBe('LEDGER_WRITE_FAILED');
    await waitUnfenced(ledger);
    expect(ledger.treeSize).toBe(2);
    model.learn([e], 1);
    expect(await ledger.documents.history(T, a.id, undefined, 10)).toEqual([1]);
    expect(await ledger.documents.docOf(e.id)).toBe(a.id);
    expect(await ledger.documents.state(T, a.id)).toEqual(model.stateOf(a.id));
  });
});

describe('writesFor', () => {
  it('asks for exactly one new state per document the run adds to, of the run\'s tenant', async () => {
    const { a, b } = await seed();
    const e = event(a, 'declassify', { reason: '已公开' });
    const { entries, states } = model.plan([e]);
    const other = model.stateOf(b.id);
    expect(() => ledger.documents.writesFor(T, entries, [])).toThrow(/needs its new state/);
    expect(() => ledger.documents.writesFor(T, entries, [...states, ...states])).toThrow(/one state/);
    expect(() => ledger.documents.writesFor(T, entries, [...states, other])).toThrow(/one state/);
    expect(() => ledger.documents.writesFor(U, entries, states)).toThrow(/belongs to tenant/);
    expect(() => ledger.documents.writesFor(T, [{ id: a.id, doc: b.id, root: true }], [])).toThrow(/its own document/);
    expect(() => ledger.documents.writesFor(T, [{ id: 'AB', doc: a.id, root: false }], [])).toThrow(/32 lowercase hex/);
    const w = ledger.documents.writesFor(T, entries, states);
    expect(w.leafKeys).toHaveLength(1);
    expect(w.records.map(([k]) => k[1])).toEqual([0x52, 0x43]); // x R, x C
  });
});

describe('newest', () => {
  it('is the listing read backwards, page by page, within the released tree', async () => {
    for (let i = 0; i < 5; i++) await model.append(ledger, i % 2 === 0 ? T : U, [deposit(i % 2 === 0 ? T : U), deposit(i % 2 === 0 ? T : U)]);
    const forward = await ledger.index.list(T, undefined, 100);
    expect(forward).toEqual([0, 1, 4, 5, 8, 9]);
    const pages: number[] = [];
    for (let before: number | undefined; ;) {
      const got = await ledger.documents.newest(T, before, 4);
      if (got.length === 0) break;
      pages.push(...got);
      before = got[got.length - 1];
    }
    expect(pages).toEqual([...forward].reverse());
    expect(await ledger.documents.newest(T, 5, 10)).toEqual([4, 1, 0]);
    expect(await ledger.documents.newest(T, 0, 10)).toEqual([]);
    expect(await ledger.documents.newest('tn_nobody', undefined, 10)).toEqual([]);
    expect(await rejectionCode(ledger.documents.newest(T, -1, 10))).toBe('LEDGER_BAD_INDEX');
    expect(await rejectionCode(ledger.documents.newest(T, undefined, 0))).toBe('LEDGER_BAD_INDEX');
  });
});

describe('damaged document records read back', () => {
  it('are STORE_CORRUPT with their problem, never another document', async () => {
    const { a, b, c, a2 } = await seed();
    const db = ledger['store'].db;
    const stateKey = recordKeys.docStateKey(T, fromHex(a.id, 16));
    const good = (await db.get(stateKey))!;
    const flipped = new Uint8Array(good);
    flipped[40]! ^= 0x04;
    await db.put(stateKey, flipped);
    expect(await corruptCode(ledger.documents.state(T, a.id))).toBe('DOC_STATE_CORRUPT');
    await db.put(stateKey, encodeDocState(model.stateOf(b.id))); // a valid state, of another document
    expect(await corruptCode(ledger.documents.state(T, a.id))).toBe('DOC_INDEX_MISMATCH');
    await db.del(stateKey); // history without a state: found when asked (writers), else the root alone
    expect(await corruptCode(ledger.documents.state(T, a.id, { history: true }))).toBe('DOC_INDEX_MISSING');
    expect(await ledger.documents.state(T, a.id)).toMatchObject({ doc: a.id, versions: 1, events: 0 });
    expect(await ledger.documents.state(T, c.id, { history: true })).toEqual(model.stateOf(c.id));
    await db.put(stateKey, good);
    expect(await ledger.documents.state(T, a.id)).toEqual(model.stateOf(a.id));

    const rKey = recordKeys.docOfKey(fromHex(a2.id, 16));
    await db.put(rKey, new Uint8Array(15));
    expect(await corruptCode(ledger.documents.docOf(a2.id))).toBe('DOC_INDEX_MISMATCH');
    await db.put(rKey, fromHex(a2.id, 16)); // names a version, not a root
    expect(await corruptCode(ledger.documents.docOf(a2.id))).toBe('DOC_INDEX_MISMATCH');
    await db.del(rKey);
    expect(await corruptCode(ledger.documents.docOf(a2.id))).toBe('DOC_INDEX_MISSING');
    await db.put(recordKeys.docOfKey(new Uint8Array(16)), fromHex(a.id, 16)); // for an id no entry has
    expect(await corruptCode(ledger.documents.docOf(new Uint8Array(16)))).toBe('DOC_INDEX_MISMATCH');

    const nKey = recordKeys.rootKey(recordKeys.rootsPrefix(T), 2);
    await db.put(nKey, fromHex(b.id, 16)); // leaf 2 is c
    expect(await corruptCode(ledger.documents.roots(T, undefined, 10))).toBe('DOC_INDEX_MISMATCH');
    await db.put(nKey, new Uint8Array(3));
    expect(await corruptCode(ledger.documents.roots(T, undefined, 10))).toBe('DOC_INDEX_MISMATCH');
    await db.put(nKey, fromHex(c.id, 16));
    expect(await ledger.documents.roots(T, 1, 10)).toEqual([{ leaf: 2, doc: c.id }]);

    const hKey = recordKeys.historyKey(recordKeys.historyPrefix(T, fromHex(a.id, 16)), 4);
    await db.put(hKey, Uint8Array.of(1));
    expect(await corruptCode(ledger.documents.history(T, a.id, undefined, 10))).toBe('DOC_INDEX_MISMATCH');
  });
});

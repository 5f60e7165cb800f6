/**
 * The events service and the document writes of deposits, below HTTP: concurrent events on one document are
 * serialised (the ledger's order replays to the stored state, and no two accepted events were decided on
 * the same state), events on different documents share group commits, a batch mixes new versions of
 * several documents, and every entry names its operator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import { fromBase64, fromHex, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { applyEntry, startDocument, type DocState } from '../../src/lifecycle/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { closeService, openService } from '../../src/service/open.js';
import type { ServiceContext } from '../../src/service/context.js';
import type { Tenant } from '../../src/service/tenants.js';
import { Events } from '../../src/service/events.js';
import { foundingOfficerId } from '../../src/service/users.js';

let dir: string;
let ctx: ServiceContext;
let tenant: Tenant;
let events: Events;
let n = 0;
const digest = (label: string): string => toHex(sha256(utf8(`events-service:${label}`)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-events-'));
  ctx = await openService({ dataDir: dir, origin: 'test.example/events' });
  tenant = (await ctx.tenants.create({ name: '长沙示例科技有限公司', uscc: completeUscc('91430100MA4L16JJ') })).tenant;
  events = new Events(ctx.deposits, (id) => ctx.tenants.levels(id));
});
afterAll(async () => {
  await closeService(ctx);
  rmSync(dir, { recursive: true, force: true });
});

async function newDocument(): Promise<string> {
  return (await ctx.deposits.deposit(tenant, { sha256: digest(`doc-${n++}`) })).receipt.id;
}

/** The document's state replayed from its entries in leaf order (root first, then x H). */
async function replay(doc: string): Promise<{ state: DocState; entries: number }> {
  const docs = ctx.ledger.documents;
  const rootFound = await ctx.ledger.index.findId(fromHex(doc, 16), doc);
  if (rootFound === undefined || rootFound === 'committing') throw new Error('no root');
  let state = startDocument(rootFound.entry, doc);
  const leaves = await docs.history(tenant.id, doc, undefined, 100_000);
  for (const leaf of leaves) {
    const bytes = (await ctx.ledger.entry(leaf))!;
    state = applyEntry(state, parseEntry(bytes), toHex(hashLeaf(bytes).subarray(0, 16)));
  }
  return { state, entries: leaves.length };
}

const people = ['E1', 'E2', 'E3'];
const eventArb = fc.oneof(
  fc.constantFrom(...people).map((who) => ({ kind: 'access-grant', who })),
  fc.constantFrom(...people).map((who) => ({ kind: 'access-revoke', who })),
  fc.constant({ kind: 'classify', level: '核心商密', period: '长期' }),
  fc.constant({ kind: 'reclassify', level: '普通商密' }),
  fc.constant({ kind: 'declassify', reason: '已公开' }),
  fc.constantFrom('marking', 'encryption', 'sealing').map((m) => ({ kind: 'conceal', measures: [m] })),
);

describe('concurrent events on one document', () => {
  it('are serialised: what was accepted replays, in ledger order, to the stored state', async () => {
    await fc.assert(fc.asyncProperty(fc.array(eventArb, { minLength: 2, maxLength: 30 }), async (bodies) => {
      const doc = await newDocument();
      const size0 = ctx.ledger.treeSize;
      const settled = await Promise.allSettled(bodies.map((b) => events.record(tenant, undefined, doc, b)));
      let accepted = 0;
      for (const s of settled) {
        if (s.status === 'fulfilled') accepted++;
        else expect((s.reason as CunzhengError).code).toMatch(/^LIFECYCLE_/);
      }
      await ctx.ledger.flush();
      expect(ctx.ledger.treeSize - size0).toBe(accepted); // a refused event wrote nothing
      const r = await replay(doc);
      expect(r.entries).toBe(accepted);
      expect(await ctx.ledger.documents.state(tenant.id, doc)).toEqual(r.state);
    }), { numRuns: 15 });
  });
});

describe('a damaged document state', () => {
  it('is STORE_CORRUPT for the next event and the next version, and nothing is written', async () => {
    const doc = await newDocument();
    await events.record(tenant, undefined, doc, { kind: 'access-grant', who: 'E5' });
    const key = ctx.ledger.documents.stateKey(tenant.id, doc);
    const good = (await ctx.ledger.records.get(key))!;
    const bad = new Uint8Array(good);
    bad[bad.length >> 1]! ^= 1;
    await ctx.ledger.records.put([[key, bad]]);
    const size = ctx.ledger.treeSize;
    await expect(events.record(tenant, undefined, doc, { kind: 'access-revoke', who: 'E5' })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await expect(ctx.deposits.deposit(tenant, { sha256: digest('on-damaged'), prev: doc })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(ctx.ledger.treeSize).toBe(size);
    await ctx.ledger.records.put([[key, good]]);
    expect(await events.record(tenant, undefined, doc, { kind: 'access-revoke', who: 'E5' })).toBeDefined();
  });
});

describe('events on different documents', () => {
  it('share group commits (far fewer fsyncs than events)', async () => {
    const docs = await Promise.all(Array.from({ length: 40 }, () => newDocument()));
    const g0 = ctx.ledger.stats.groupsCommitted;
    const done = await Promise.all(docs.map((d) => events.record(tenant, undefined, d, { kind: 'classify', level: '重要商密', period: '2031-01-01' })));
    expect(done.every((r) => r !== undefined && r.state.status === 'classified')).toBe(true);
    expect(ctx.ledger.stats.groupsCommitted - g0).toBeLessThan(docs.length / 2);
  });
});

describe('deposits and documents', () => {
  it('a batch mixing new versions of several documents and new roots writes each document once, in order', async () => {
    const a = await newDocument();
    const b = await newDocument();
    const [x, a2, b2, a3] = await ctx.deposits.depositBatch(tenant, [
      { sha256: digest('mix-root') }, { sha256: digest('mix-a2'), prev: a }, { sha256: digest('mix-b2'), prev: b }, { sha256: digest('mix-a3'), prev: a },
    ]);
    const docs = ctx.ledger.documents;
    expect(await docs.state(tenant.id, a)).toMatchObject({ versions: 3, latest: { id: a3!.receipt.id } });
    expect(await docs.state(tenant.id, b)).toMatchObject({ versions: 2, latest: { id: b2!.receipt.id } });
    expect(await docs.docOf(a2!.receipt.id)).toBe(a);
    expect(await docs.docOf(x!.receipt.id)).toBe(x!.receipt.id);
    expect((await docs.history(tenant.id, a, undefined, 10)).length).toBe(2);
    expect((await replay(a)).state).toEqual(await docs.state(tenant.id, a));
    // A version of a version belongs to the same document.
    const a4 = await ctx.deposits.deposit(tenant, { sha256: digest('mix-a4'), prev: a3!.receipt.id });
    expect(await docs.docOf(a4.receipt.id)).toBe(a);
    // A digest deposited before writes nothing, also as an item with a prev.
    const size = ctx.ledger.treeSize;
    const again = await ctx.deposits.depositBatch(tenant, [{ sha256: digest('mix-a2'), prev: a }]);
    expect(again[0]!.created).toBe(false);
    expect(ctx.ledger.treeSize).toBe(size);
    expect(await docs.state(tenant.id, a)).toMatchObject({ versions: 4 });
  });

  it('refuses a prev that names an event (not a deposit) with DEPOSIT_PREV_NOT_FOUND', async () => {
    const d = await newDocument();
    const ev = await events.record(tenant, undefined, d, { kind: 'conceal', measures: ['other'] });
    await expect(ctx.deposits.deposit(tenant, { sha256: digest('prev-event'), prev: ev!.receipt.id })).rejects.toMatchObject({ code: 'DEPOSIT_PREV_NOT_FOUND' });
  });

  it('names the operator: the one given, else the founding officer', async () => {
    const given = 'u_0123456789abcdef';
    const mine = await ctx.deposits.deposit(tenant, { sha256: digest('op-given') }, 'client', given);
    const lib = await ctx.deposits.deposit(tenant, { sha256: digest('op-none') });
    const entryOf = (r: { entry: string }) => parseEntry(fromBase64(r.entry));
    expect(entryOf(mine.receipt)).toMatchObject({ v: 2, operator: given });
    expect(entryOf(lib.receipt)).toMatchObject({ v: 2, operator: foundingOfficerId(tenant.id) });
    const ev = await events.record(tenant, given, mine.receipt.id, { kind: 'access-grant', who: 'E9' });
    expect(entryOf(ev!.receipt)).toMatchObject({ v: 2, kind: 'access-grant', operator: given, prev: mine.receipt.id });
    // A depositor reads only their own; others read the tenant's.
    expect(await ctx.deposits.get(tenant, lib.receipt.id, { id: given, role: 'depositor' })).toBeUndefined();
    expect(await ctx.deposits.get(tenant, mine.receipt.id, { id: given, role: 'depositor' })).toBeDefined();
    expect(await ctx.deposits.get(tenant, lib.receipt.id, { id: given, role: 'viewer' })).toBeDefined();
  });
});

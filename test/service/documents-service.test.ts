/**
 * The document index the service writes (service/document-writes.ts, events.ts, the deposit path) against the
 * one the entries imply (fsck-documents.ts' fold): a document's whole life recorded through the service —
 * deposits, events, a new version, destroy and a departure audit — leaves a store that both fsck checks pass
 * and that `--reindex` leaves byte for byte as it is.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS } from '../../src/entry/index.js';
import { LedgerRecords } from '../../src/ledger/index.js';
import { closeService, openService } from '../../src/service/open.js';
import { Events } from '../../src/service/events.js';
import { checkDocuments } from '../../src/service/fsck-documents.js';
import { reindex } from '../../src/service/reindex.js';
import { ADMIN, ORIGIN, USCC_A, check, digests, openStore, type Problem } from './corrupt-helpers.js';
import { tempDir } from '../ledger/helpers.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir('cunzheng-docsvc-');
});
afterEach(() => t.cleanup());

describe('the document index the service writes', () => {
  it('is the one the entries imply: fsck passes, and reindex changes nothing', async () => {
    const ctx = await openService({ dataDir: t.dir, origin: ORIGIN, adminToken: ADMIN });
    try {
      const { tenant } = await ctx.tenants.create({ name: '甲方科技有限公司', uscc: USCC_A });
      const events = new Events(ctx.deposits, () => DEFAULT_LEVELS);
      const ids = (await ctx.deposits.depositBatch(tenant, digests(4).map((sha256) => ({ sha256 })))).map((r) => r.receipt.id);
      const rec = async (id: string, body: Record<string, unknown>): Promise<void> => {
        expect(await events.record(tenant, undefined, id, body)).toBeDefined();
      };
      await rec(ids[0]!, { kind: 'classify', level: '核心商密', period: '2031-12-31' });
      await rec(ids[0]!, { kind: 'access-grant', who: 'E1001', role: '研发' });
      await rec(ids[0]!, { kind: 'conceal', measures: ['encryption', 'access-limit'] });
      const v2 = (await ctx.deposits.deposit(tenant, { sha256: digests(1)[0]!, prev: ids[0]! })).receipt.id;
      await rec(v2, { kind: 'reclassify', level: '重要商密' });
      await rec(v2, { kind: 'access-revoke', who: 'E1001' });
      await ctx.deposits.deposit(tenant, { sha256: digests(1)[0]!, prev: v2 });
      await rec(ids[1]!, { kind: 'destroy', reason: '项目终止', method: '粉碎' });
      await rec(ids[1]!, { kind: 'departure-audit', who: 'E1001', returned: [ids[2]!] });
      const s = (await ctx.ledger.documents.state(tenant.id, ids[0]!))!;
      expect(s).toMatchObject({ versions: 3, events: 5, level: '重要商密', people: [] });
      expect(await ctx.ledger.documents.history(tenant.id, ids[0]!, undefined, 100)).toHaveLength(7);
    } finally {
      await closeService(ctx);
    }
    const store = await openStore(t.dir);
    const problems: Problem[] = [...(await check(store)).problems];
    const summary = await checkDocuments(new LedgerRecords(() => store), (where, code, message) => problems.push({ where, code, message }));
    await store.close();
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ documents: 4, changed: 2 });
    const again = await reindex(t.dir);
    expect([again.put, again.deleted]).toEqual([0, 0]);
  });
});

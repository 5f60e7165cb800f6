/**
 * Root deposits write their x N key valued with their own id, whichever thread hashed it: a body large
 * enough for the worker pool (ids hashed there), a small one (main thread), a library batch. The document
 * index's own reader (roots: every value checked against the id index) must accept them all, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { closeService, openService } from '../../src/service/open.js';
import type { ServiceContext } from '../../src/service/context.js';
import type { Tenant } from '../../src/service/tenants.js';
import { prepareDeposits, POOL_BODY_BYTES } from '../../src/http/deposit-prepare.js';
import { parseReceipt } from '../../src/receipt/index.js';

let dir: string;
let ctx: ServiceContext;
let tenant: Tenant;
const digest = (label: string): string => toHex(sha256(utf8(`deposits-documents:${label}`)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-deposit-docs-'));
  ctx = await openService({ dataDir: dir, origin: 'test.example/deposit-docs', workers: 1 });
  tenant = (await ctx.tenants.create({ name: '长沙示例科技有限公司', uscc: completeUscc('91430100MA4L16JJ') })).tenant;
});
afterAll(async () => {
  await closeService(ctx);
  rmSync(dir, { recursive: true, force: true });
});

describe('root deposits in the document index', () => {
  it('are listed in x N with their own ids, from the pool, the main thread and the library alike', async () => {
    const ids: string[] = [];
    const big = utf8(JSON.stringify({ items: Array.from({ length: 300 }, (_, i) => ({ sha256: digest(`pool-${i}`) })) }));
    expect(big.length).toBeGreaterThanOrEqual(POOL_BODY_BYTES);
    const small = utf8(JSON.stringify({ items: [{ sha256: digest('main-0') }, { sha256: digest('main-1') }] }));
    for (const body of [big, small]) {
      const prepared = await prepareDeposits(ctx.pool, body, tenant, ctx.deposits.operatorFor(tenant, undefined));
      const reply = JSON.parse(new TextDecoder().decode((await ctx.deposits.depositPrepared(tenant, prepared)).json)) as { receipts: unknown[] };
      ids.push(...reply.receipts.map((r) => parseReceipt(r).id));
    }
    const lib = await ctx.deposits.depositBatch(tenant, [{ sha256: digest('lib-0') }, { sha256: digest('lib-1') }]);
    ids.push(...lib.map((r) => r.receipt.id));
    const roots = await ctx.ledger.documents.roots(tenant.id, undefined, 1000);
    expect(roots.map((r) => r.doc)).toEqual(ids);
    // Deposited again: nothing more is written.
    const size = ctx.ledger.treeSize;
    const again = await prepareDeposits(ctx.pool, big, tenant, ctx.deposits.operatorFor(tenant, undefined));
    await ctx.deposits.depositPrepared(tenant, again);
    expect(ctx.ledger.treeSize).toBe(size);
    expect((await ctx.ledger.documents.roots(tenant.id, undefined, 1000)).length).toBe(ids.length);
  });
});

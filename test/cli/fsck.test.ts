import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService } from '../../src/service/open.js';
import { completeUscc } from '../../src/entry/index.js';
import { LedgerStore } from '../../src/storage/store.js';
import { entryKey } from '../../src/storage/keys.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { hashLeaf as hashLeafOf } from '../../src/merkle/index.js';
import { cli, ROOT } from './run-cli.js';
import { Ledger, recordKeys } from '../../src/ledger/index.js';
import { Model, SUBJECT, built, event } from '../ledger/documents-model.js';

describe('cunzheng fsck', () => {
  it('passes an intact store (exit 0), and finds a flipped byte and says where (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-fsck-cli-'));
    try {
      copyFileSync(join(ROOT, 'fixtures/log.key'), join(dir, 'log.key'));
      const ctx = await openService({ dataDir: dir, maxGroup: 10, adminToken: 'fsck-admin-token-0123456789abcdef' });
      const { tenant } = await ctx.tenants.create({ name: '自检测试有限公司', uscc: completeUscc('91430100MA4L16JJ') });
      for (let i = 0; i < 300; i += 30) {
        await ctx.deposits.depositBatch(tenant, Array.from({ length: 30 }, (_, k) => ({ sha256: toHex(sha256(utf8(`document ${i + k}`))) })));
      }
      await ctx.anchorer.stop();
      await ctx.ledger.close();
      const ok = cli(['fsck', '--data', dir]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^✔ .*: 300 entries, 3 tiles and \d+ checkpoints checked, \d+ derived records, 1 tenants and 300 documents; tree size 300/);

      const store = await LedgerStore.open(join(dir, 'ledger'));
      const v = (await store.db.get(entryKey(270)))!;
      v[3]! ^= 0x20;
      await store.db.put(entryKey(270), v);
      await store.close();
      const bad = cli(['fsck', '--data', dir, '--json']);
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.stdout);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ where: 'tile 0/1', code: 'TILE_MISMATCH' });
      expect(report.problems[0].message).toContain('hash 14'); // 270 = 256 + 14

      // A flipped byte in the tree state: the service refuses to serve a tree that does not match its checkpoint.
      const s2 = await LedgerStore.open(join(dir, 'ledger'));
      const state = (await s2.db.get(Uint8Array.of(0x73)))!;
      state[20]! ^= 0x01;
      await s2.db.put(Uint8Array.of(0x73), state);
      await s2.close();
      const serve = cli(['serve', '--data', dir, '--port', '0', '--admin-token', 'x'.repeat(40)]);
      expect(serve.code).toBe(3); // damaged data, not a usage mistake: one line, exit 3
      expect(serve.stderr).toContain('LEDGER_CORRUPT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--reindex rewrites the derived records a damaged store lost or garbled, and then passes (exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-fsck-reindex-'));
    try {
      const ctx = await openService({ dataDir: dir, adminToken: 'fsck-admin-token-0123456789abcdef' });
      const { tenant } = await ctx.tenants.create(SUBJECT); // the subject the test's events carry
      await ctx.deposits.depositBatch(tenant, Array.from({ length: 20 }, (_, k) => ({ sha256: toHex(sha256(utf8(`document ${k}`))) })));
      await ctx.anchorer.stop();
      await ctx.ledger.close();
      // A classified document, recorded with its document index as the write path does.
      const ledger = await Ledger.open({ dataDir: dir });
      const model = new Model();
      const root = built((await ledger.entry(3))!);
      model.learn([root], 3);
      await model.append(ledger, tenant.id, [event(root, 'classify', { level: '重要商密', period: '2030-01-01' })]);
      await ledger.close();
      const clean = cli(['fsck', '--data', dir]);
      expect(clean.code, clean.stdout).toBe(0);

      const store = await LedgerStore.open(join(dir, 'ledger'));
      const stateKey = recordKeys.docStateKey(tenant.id, Buffer.from(root.id, 'hex'));
      const state = (await store.db.get(stateKey))!;
      state[state.length - 5]! ^= 0x01;
      await store.db.put(stateKey, state);
      await store.db.del(recordKeys.rootKey(recordKeys.rootsPrefix(tenant.id), 7));
      await store.db.del(recordKeys.idKey(hashLeafOf((await store.readEntry(11))!)));
      await store.close();
      const bad = cli(['fsck', '--data', dir, '--json']);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).problems.map((p: { code: string }) => p.code).sort()).toEqual(['DOC_INDEX_MISSING', 'DOC_STATE_CORRUPT', 'INDEX_MISSING']);

      const fixed = cli(['fsck', '--reindex', '--data', dir]);
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(fixed.stdout).toMatch(/^reindexed .*: 3 derived records written, 0 stray ones deleted \(id \+1 -0, roots \+1 -0, docState \+1 -0\); entries, tree and checkpoints untouched\n✔ .*21 entries/);
      const after = cli(['fsck', '--data', dir, '--reindex', '--json']);
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, problems: [], reindex: { put: 0, deleted: 0, treeSize: 21 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is a usage error (exit 2) on a folder without a ledger', () => {
    const r = cli(['fsck', '--data', tmpdir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no ledger');
  });
});

/**
 * `cunzheng serve --tile-cache`: bad values are usage errors (exit 2) from the flag and from its env twin,
 * and a given size reaches the ledger: with a cache of 2 tiles over a log of 5 full tiles, /metrics never
 * shows more than 2 cached, and proofs for leaves in evicted tiles (read back from LevelDB) still verify.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { completeUscc } from '../../src/entry/index.js';
import { fromBase64, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { hashLeaf, verifyInclusion } from '../../src/merkle/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunzheng-serve-flags-'));
  dirs.push(d);
  return d;
}

describe('cunzheng serve --tile-cache', () => {
  it.each([['0'], ['-1'], ['abc'], ['1.5'], [String(2 ** 21)]])('refuses %s as a usage error (exit 2), from the flag and from CUNZHENG_TILE_CACHE', (value) => {
    const flag = cli(['serve', '--data', dataDir(), '--port', '0', '--tile-cache', value]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--tile-cache');
    const env = cli(['serve', '--data', dataDir(), '--port', '0'], { env: { CUNZHENG_TILE_CACHE: value } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--tile-cache');
  });

  it('bounds the cache it is given, and proofs from evicted tiles still verify', async () => {
    const server = new ServerProcess(dataDir(), await freePort(), 'x'.repeat(40), ['--tile-cache', '2']);
    try {
      await server.start();
      const admin = { authorization: `Bearer ${'x'.repeat(40)}`, 'content-type': 'application/json' };
      const t = await (await fetch(`${server.url}/v1/admin/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: '缓存测试有限公司', uscc: completeUscc('91430100MA4L0C0C') }) })).json() as { apiKey: string };
      const tenant = { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' };
      // 5 full level-0 tiles and a partial one, in batches; the entries' leaf hashes, by index.
      const leafHashes = new Map<number, Uint8Array>();
      for (let b = 0; b < 4; b++) {
        const items = Array.from({ length: 350 }, (_, i) => ({ sha256: toHex(sha256(utf8(`tile cache ${b} ${i}`))) }));
        const res = await fetch(`${server.url}/v1/deposits`, { method: 'POST', headers: tenant, body: JSON.stringify({ items }) });
        expect(res.status).toBe(201);
        for (const r of ((await res.json()) as { receipts: { index: number; entry: string }[] }).receipts) leafHashes.set(r.index, hashLeaf(fromBase64(r.entry)));
      }
      const log = await (await fetch(`${server.url}/v1/log`)).json() as { key: string; origin: string };
      const note = await (await fetch(`${server.url}/checkpoint`)).text();
      const cp = openCheckpoint(note, [parseVerifierKey(log.key)], { origin: log.origin }).checkpoint;
      expect(cp.treeSize).toBe(1400);
      // Leaves in every tile, oldest first, so tiles are evicted and read back.
      for (const index of [0, 300, 600, 900, 1200, 5, 1399]) {
        const res = await fetch(`${server.url}/v1/proof/inclusion?index=${index}&size=${cp.treeSize}`);
        expect(res.status).toBe(200);
        const body = await res.json() as { proof: string[] };
        verifyInclusion(index, cp.treeSize, leafHashes.get(index)!, body.proof.map((h) => fromBase64(h, 32)), cp.rootHash);
      }
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const cached = Number(/^cunzheng_tile_cache_tiles (\d+)$/m.exec(metrics)![1]);
      expect(cached).toBeGreaterThan(0);
      expect(cached).toBeLessThanOrEqual(2);
    } finally {
      await server.kill('SIGTERM');
    }
  });
});

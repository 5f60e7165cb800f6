/**
 * A full disk: the data directory is a small tmpfs. Deposits that cannot be written answer 503 with
 * Retry-After (never a 500, never a crash); every deposit acknowledged before is intact after the disk
 * grows and the server restarts. Needs root for `mount -t tmpfs` (the test machines run as root).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';

describe('when the disk fills up', () => {
  it('answers 503 with Retry-After and loses nothing acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-diskfull-'));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
    const admin = 'disk-full-admin-token-0123456789';
    const server = new ServerProcess(join(mnt, 'data'), await freePort(), admin);
    try {
      await server.start();
      const vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
      const t = await fetch(`${server.url}/v1/admin/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '磁盘测试有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
      });
      const apiKey = ((await t.json()) as { apiKey: string }).apiKey;
      const acknowledged: Receipt[] = [];
      const statuses = new Map<number, number>();
      let retryAfter: string | null = null;
      const meta = { note: 'x'.repeat(1000) };
      for (let i = 0; i < 20_000 && (statuses.get(503) ?? 0) < 20; i += 50) {
        const items = Array.from({ length: 50 }, (_, k) => ({ sha256: toHex(sha256(utf8(`fill ${i + k}`))), meta }));
        const r = await fetch(`${server.url}/v1/deposits`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ items }),
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acknowledged.push(...((await r.json()) as { receipts: Receipt[] }).receipts);
        else if (r.status === 503) retryAfter = r.headers.get('retry-after');
        else throw new Error(`unexpected ${r.status}: ${await r.text()}`);
      }
      expect(statuses.get(503)).toBeGreaterThan(0); // the disk did fill up
      expect(retryAfter).toMatch(/^\d+$/);
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(server.child!.exitCode).toBeNull(); // still running
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      // More space, a restart: every acknowledged deposit is there, and deposits flow again.
      await server.kill('SIGKILL');
      execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
      await server.start();
      for (const r of acknowledged) await verifyReceipt(r, [vkey]);
      for (const r of acknowledged.filter((_, i) => i % 25 === 0)) {
        const inc = await fetch(`${server.url}/v1/proof/inclusion?index=${r.index}&size=${Number(((await (await fetch(`${server.url}/v1/log`)).json()) as { treeSize: number }).treeSize)}`);
        expect(inc.status).toBe(200);
      }
      const again = await fetch(`${server.url}/v1/deposits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sha256: toHex(sha256(utf8('after the disk grew'))) }),
      });
      expect(again.status).toBe(201);
    } finally {
      await server.kill('SIGKILL');
      execFileSync('umount', ['-l', mnt]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

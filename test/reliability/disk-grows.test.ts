/**
 * A full disk that frees up while the server runs. The data directory is a small tmpfs: deposits fill it
 * (503s), the tmpfs is grown under the running server, deposits flow again, the server is stopped
 * gracefully and started again. Every deposit ever answered 201 must still be there, or the server must
 * refuse to start and say why — never serve a shorter tree, and never sign a second tree at a size it
 * has signed. Needs root for `mount -t tmpfs` (the test machines run as root).
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

async function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('when the disk fills up and then frees up while the server runs', () => {
  it('keeps every acknowledged deposit across a graceful restart, and the log never forks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-diskgrow-'));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
    const admin = 'disk-grows-admin-token-0123456789abcdef';
    const server = new ServerProcess(join(mnt, 'data'), await freePort(), admin);
    try {
      await server.start();
      const vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
      const t = await post(`${server.url}/v1/admin/tenants`, admin, { name: '磁盘增长测试有限公司', uscc: completeUscc('91430100MA4L16JJ') });
      const apiKey = ((await t.json()) as { apiKey: string }).apiKey;
      const acknowledged: Receipt[] = [];
      const checkpoints = new Map<number, string>(); // every signed checkpoint seen in a reply, by size
      const meta = { note: 'x'.repeat(1000) };
      let n = 0;
      const batch = async (): Promise<number> => {
        const items = Array.from({ length: 50 }, () => ({ sha256: toHex(sha256(utf8(`grow ${n++}`))), meta }));
        const r = await post(`${server.url}/v1/deposits`, apiKey, { items });
        if (r.status === 201) {
          for (const rc of ((await r.json()) as { receipts: Receipt[] }).receipts) {
            acknowledged.push(rc);
            checkpoints.set(Number(rc.checkpoint.split('\n')[1]), rc.checkpoint);
          }
        } else if (r.status === 503) {
          expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
          await r.arrayBuffer();
        } else throw new Error(`unexpected ${r.status}: ${await r.text()}`);
        return r.status;
      };
      let refused = 0;
      for (let i = 0; i < 400 && refused < 5; i++) if ((await batch()) === 503) refused++;
      expect(refused).toBe(5); // the disk did fill up
      const beforeGrow = acknowledged.length;

      // Space again, under the running server: deposits must flow again (after the store has recovered).
      execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
      let accepted = 0;
      for (let i = 0; i < 200 && accepted < 20; i++) {
        const status = await batch();
        if (status === 201) accepted++;
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(accepted).toBe(20);
      expect(acknowledged.length).toBe(beforeGrow + 20 * 50);

      // A graceful stop, a start: the tree holds every acknowledged leaf.
      expect(await server.kill('SIGTERM')).toBe(0);
      await server.start();
      const log = (await (await fetch(`${server.url}/v1/log`)).json()) as { treeSize: number };
      const maxIndex = Math.max(...acknowledged.map((r) => r.index));
      expect(log.treeSize).toBeGreaterThan(maxIndex);
      for (const r of acknowledged.filter((_, i) => i % 10 === 0 || i >= acknowledged.length - 60)) {
        const got = await fetch(`${server.url}/v1/deposits/${r.id}`, { headers: { authorization: `Bearer ${apiKey}` } });
        expect(got.status, `deposit ${r.id} at index ${r.index}`).toBe(200);
        await verifyReceipt((await got.json()) as Receipt, [vkey]);
      }
      // Every checkpoint a client was given is the one the log now has at that size: no second tree.
      for (const [size, note] of checkpoints) {
        const cp = await fetch(`${server.url}/v1/checkpoints/${size}`);
        expect(cp.status).toBe(200);
        expect(((await cp.json()) as { checkpoint: string }).checkpoint, `checkpoint at size ${size}`).toBe(note);
      }
      const again = await post(`${server.url}/v1/deposits`, apiKey, { sha256: toHex(sha256(utf8('after the restart'))) });
      expect(again.status).toBe(201);
      expect(((await again.json()) as Receipt).index).toBe(log.treeSize);
    } finally {
      await server.kill('SIGKILL');
      execFileSync('umount', ['-l', mnt]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

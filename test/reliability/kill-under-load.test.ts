/**
 * kill -9 under load: concurrent HTTP clients deposit while the server is SIGKILLed and restarted K times.
 * Every receipt any client received must verify against the final checkpoint (consistency from its own
 * checkpoint), no index may hold two entries, and the log never shrinks. The figures are printed and
 * written to test/reliability/results/kill-under-load.json.
 *
 * CUNZHENG_RELIABILITY=full runs K = 20 kills over longer periods; the default (CI) runs K = 5.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { verifyConsistency } from '../../src/merkle/index.js';
import { fromBase64, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';

const FULL = process.env.CUNZHENG_RELIABILITY === 'full';
const KILLS = FULL ? 20 : 5;
const CLIENTS = 16;
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

describe('when the server is SIGKILLed under load and restarted', () => {
  it(`loses no acknowledged deposit over ${KILLS} kills`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-kill-load-'));
    const admin = 'reliability-admin-token-0123456789';
    const server = new ServerProcess(join(dir, 'data'), await freePort(), admin);
    try {
      await server.start();
      const vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
      const verifier = parseVerifierKey(vkey);
      const t = await fetch(`${server.url}/v1/admin/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '可靠性测试有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
      });
      const apiKey = ((await t.json()) as { apiKey: string }).apiKey;

      const receipts: Receipt[] = [];
      let attempts = 0;
      let refused = 0;
      let seq = 0;
      let stop = false;
      const client = async (c: number): Promise<void> => {
        while (!stop) {
          const digest = toHex(sha256(utf8(`client ${c} deposit ${seq++}`)));
          attempts++;
          try {
            const r = await fetch(`${server.url}/v1/deposits`, {
              method: 'POST',
              headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
              body: JSON.stringify({ sha256: digest, meta: { title: `doc ${c}` } }),
            });
            if (r.status === 201) receipts.push((await r.json()) as Receipt);
            else refused++;
          } catch {
            refused++; // connection refused or reset while the server was down: never acknowledged
            await new Promise((res) => setTimeout(res, 10));
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

      const recoveries: number[] = [];
      const sizes: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, (FULL ? 400 : 150) + Math.random() * (FULL ? 1200 : 300)));
        await server.kill('SIGKILL');
        recoveries.push(await server.start());
        const cp = openCheckpoint(await (await fetch(`${server.url}/checkpoint`)).text(), [verifier]).checkpoint;
        sizes.push(cp.treeSize);
      }
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await Promise.all(clients);

      // The log never shrinks: each restart's tree holds every receipt acknowledged before the kill.
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]!);
      const finalNote = await (await fetch(`${server.url}/checkpoint`)).text();
      const final = openCheckpoint(finalNote, [verifier]).checkpoint;
      const byIndex = new Map<number, string>();
      const consistencyChecked = new Set<number>();
      let verified = 0;
      for (const r of receipts) {
        const v = await verifyReceipt(r, [vkey]);
        expect(byIndex.get(v.leafIndex) ?? v.id, `index ${v.leafIndex} holds two entries`).toBe(v.id);
        byIndex.set(v.leafIndex, v.id);
        expect(v.leafIndex).toBeLessThan(final.treeSize);
        if (!consistencyChecked.has(v.treeSize)) {
          consistencyChecked.add(v.treeSize);
          const old = openCheckpoint(r.checkpoint, [verifier]).checkpoint;
          const p = (await (await fetch(`${server.url}/v1/proof/consistency?from=${old.treeSize}&to=${final.treeSize}`)).json()) as { proof: string[] };
          verifyConsistency(old.treeSize, final.treeSize, p.proof.map((h) => fromBase64(h, 32)), old.rootHash, final.rootHash);
        }
        // and the entry is still the same one, at the same index, in the final tree
        const inc = (await (await fetch(`${server.url}/v1/proof/inclusion?index=${v.leafIndex}&size=${final.treeSize}`)).json()) as { proof: string[] };
        await verifyReceipt({ ...r, proof: inc.proof, checkpoint: finalNote }, [vkey]);
        verified++;
      }
      expect(receipts.length).toBeGreaterThan(KILLS * 10);
      const figures = {
        kills: KILLS,
        clients: CLIENTS,
        requests: attempts,
        acknowledged: receipts.length,
        lost: receipts.length - verified,
        refusedOrFailedWhileDown: refused,
        finalTreeSize: final.treeSize,
        recoveryMs: { median: recoveries.sort((a, b) => a - b)[recoveries.length >> 1], max: Math.max(...recoveries) },
      };
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, `kill-under-load${FULL ? '-full' : ''}.json`), JSON.stringify(figures, null, 2) + '\n');
      console.log('kill -9 under load:', JSON.stringify(figures));
    } finally {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

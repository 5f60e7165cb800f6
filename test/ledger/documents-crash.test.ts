/**
 * kill -9 between an entry and its index, for real: a child process (documents-child.mjs) appends runs of root
 * deposits, events and new versions with their document writes and reports every acknowledged run; the parent
 * SIGKILLs it at random moments. After each kill the store is reopened and checked: every acknowledged entry is
 * there, and the derived records and the entries match exactly both ways (fsck of the document index and of
 * the deposit index) — no entry without its records, no record without its entry. Runs from the build.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ledger, LedgerRecords } from '../../src/ledger/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { toHex } from '../../src/crypto/index.js';
import { checkDocuments } from '../../src/service/fsck-documents.js';
import { checkDerivedRecords } from '../../src/service/fsck-records.js';
import { LedgerStore } from '../../src/storage/store.js';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./documents-child.mjs', import.meta.url));
const CYCLES = Number(process.env.CUNZHENG_CRASH_CYCLES ?? 8);
const TENANT = 'tn_crash';

interface Ack { i: number; ids: string[] }

function runAndKill(dataDir: string, killAfterMs: number): Promise<{ acks: Ack[]; ready: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, TENANT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let ready = -1;
    let stderr = '';
    const acks: Ack[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as Ack | { ready: number };
        buf = buf.slice(nl + 1);
        if ('ready' in msg) {
          ready = msg.ready;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else acks.push(msg);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (${signal ?? code}): ${stderr}`));
      else resolve({ acks, ready }); // a line cut by the kill was never acknowledged to anyone
    });
  });
}

describe('when the process is killed with SIGKILL while appending runs with their document index', () => {
  it(`never leaves an entry and its derived records apart, over ${CYCLES} kill cycles`, async () => {
    const t = tempDir('cunzheng-doccrash-');
    try {
      const acked = new Map<number, string>();
      let joined = 0;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const { acks, ready } = await runAndKill(t.dir, 150 + Math.floor(Math.random() * 500));
        expect(ready).toBeGreaterThanOrEqual(acked.size);
        for (const a of acks) a.ids.forEach((id, j) => acked.set(a.i + j, id));
        const ledger = await Ledger.open({ dataDir: t.dir });
        try {
          for (const [i, id] of acked) expect(toHex(hashLeaf((await ledger.entry(i))!).subarray(0, 16)), `entry ${i}`).toBe(id);
          if (cycle === CYCLES - 1) {
            for (let i = 0; i < ledger.treeSize; i++) {
              const id = toHex(hashLeaf((await ledger.entry(i))!).subarray(0, 16));
              const doc = await ledger.documents.docOf(id);
              expect(doc, `entry ${i}`).toBeDefined();
              if (doc !== id) joined++;
            }
          }
        } finally {
          await ledger.close();
        }
        const store = await LedgerStore.open(join(t.dir, 'ledger'));
        try {
          const problems: string[] = [];
          const report = (where: string, code: string, message: string): void => void problems.push(`${where}: ${code}: ${message}`);
          const records = new LedgerRecords(() => store);
          const docs = await checkDocuments(records, report);
          await checkDerivedRecords(records, (where, code, message) => {
            if (code !== 'TENANT_MISSING') report(where, code, message); // the child writes entries alone, no tenant record
          });
          expect(problems, `cycle ${cycle}`).toEqual([]);
          expect(docs.documents).toBeGreaterThan(0);
        } finally {
          await store.close();
        }
      }
      expect(acked.size).toBeGreaterThan(50);
      expect(joined).toBeGreaterThan(10); // entries that joined a document (events, versions), not only roots
    } finally {
      t.cleanup();
    }
  }, 240_000);
});

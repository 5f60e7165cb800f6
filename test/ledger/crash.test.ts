/**
 * kill -9 for real: a child process appends in a loop and reports every acknowledged append; the parent
 * SIGKILLs it at random moments. After each reopen every acknowledged entry must be at its index with its
 * leaf hash, every checkpoint ever returned must be consistent with the current tree, and appending goes on.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../src/ledger/index.js';
import { hashLeaf, verifyConsistency } from '../../src/merkle/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { toBase64 } from '../../src/crypto/index.js';

const CHILD = fileURLToPath(new URL('./append-child.mjs', import.meta.url));
const CYCLES = Number(process.env.CUNZHENG_CRASH_CYCLES ?? 20);

interface Ack { i: number; h: string; n: number; c: string }

function runAndKill(dataDir: string, tag: string, killAfterMs: number): Promise<{ acks: Ack[]; ready: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let ready = -1;
    let stderr = '';
    const acks: Ack[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as Ack | { ready: number };
        if ('ready' in msg) {
          ready = msg.ready;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else acks.push(msg);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (${signal ?? _code}): ${stderr}`));
      else resolve({ acks, ready }); // a line cut by the kill was never acknowledged to anyone
    });
  });
}

describe('when the process is killed with SIGKILL while appending', () => {
  it(`loses nothing acknowledged over ${CYCLES} kill cycles, and every checkpoint stays consistent`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-crash-'));
    try {
      const acked = new Map<number, string>();
      const checkpoints: string[] = [];
      let lastSize = 0;
      let verifier;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const t0 = performance.now();
        const { acks, ready } = await runAndKill(dir, `c${cycle}`, 20 + Math.floor(Math.random() * 200));
        expect(ready).toBeGreaterThanOrEqual(lastSize); // the log never shrinks
        for (const a of acks) {
          expect(acked.has(a.i)).toBe(false); // no index handed out twice
          acked.set(a.i, a.h);
          checkpoints.push(a.c);
        }
        // Reopen in this process and check everything acknowledged so far.
        const ledger = await Ledger.open({ dataDir: dir });
        try {
          verifier ??= parseVerifierKey(ledger.verifierKey);
          const now = openCheckpoint(ledger.checkpoint, [verifier]).checkpoint;
          expect(now.treeSize).toBe(ledger.treeSize);
          // Every entry acknowledged since the last check, and a sample of the older ones.
          for (const [i, h] of acked) {
            if (i < lastSize && i % 13 !== cycle % 13) continue;
            expect(i).toBeLessThan(ledger.treeSize);
            const entry = await ledger.entry(i);
            expect(entry, `entry ${i}`).toBeDefined();
            expect(toBase64(hashLeaf(entry!))).toBe(h);
          }
          // Every checkpoint ever returned is consistent with the current tree (sampled to keep it fast,
          // always including the newest of this cycle).
          const sample = checkpoints.filter((_, k) => k % 97 === 0 || k === checkpoints.length - 1);
          for (const note of sample) {
            const old = openCheckpoint(note, [verifier]).checkpoint;
            const proof = await ledger.consistencyProof(old.treeSize, now.treeSize);
            verifyConsistency(old.treeSize, now.treeSize, proof, old.rootHash, now.rootHash);
          }
          lastSize = ledger.treeSize;
          // Appending continues after the crash.
          const a = await ledger.append(new TextEncoder().encode(`after-crash-${cycle}`));
          expect(a.leafIndex).toBe(lastSize);
          acked.set(a.leafIndex, toBase64(a.leafHash));
          checkpoints.push(a.checkpoint);
          lastSize = a.treeSize;
          if (process.env.CUNZHENG_CRASH_VERBOSE) console.log(cycle, acks.length, lastSize, Math.round(performance.now() - t0));
        } finally {
          await ledger.close();
        }
      }
      expect(acked.size).toBeGreaterThan(CYCLES); // the children really acknowledged appends
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

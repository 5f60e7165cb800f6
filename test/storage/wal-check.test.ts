/**
 * The write-ahead-log check against real LevelDB logs: clean logs pass, a torn tail (a write that never
 * returned) passes as LevelDB's reader treats it, and any flipped bit LevelDB would silently drop with
 * its block is found. CRC-32C against the RFC 3720 vectors and a bitwise reference.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Level } from 'level';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../src/storage/crc32c.js';
import { checkLogBytes, checkWriteAheadLogs } from '../../src/storage/wal-check.js';
import { tempDir } from '../ledger/helpers.js';

function bitwiseCrc32c(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('matches the RFC 3720 test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('equals a bitwise reference on any bytes and any sub-range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (data, a, b) => {
      const start = data.length === 0 ? 0 : a % data.length;
      const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
      expect(crc32c(data, start, end)).toBe(bitwiseCrc32c(data.subarray(start, end)));
    }));
  });
});

async function writeLog(dir: string, batches: number): Promise<Uint8Array> {
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  for (let i = 0; i < batches; i++) {
    const b = db.batch();
    for (let j = 0; j < 10; j++) b.put(`k${i}-${j}`, new Uint8Array(50 + ((i * 37 + j * 101) % 900)).fill(i & 0xff));
    await b.write({ sync: true });
  }
  await db.close();
  const name = readdirSync(dir).find((n) => n.endsWith('.log'))!;
  return readFileSync(join(dir, name));
}

describe('checkWriteAheadLogs', () => {
  it('passes clean logs and torn tails, and finds every flipped bit LevelDB would drop', async () => {
    const t = tempDir('cunzheng-wal-');
    try {
      const log = await writeLog(t.dir, 120);
      expect(log.length).toBeGreaterThan(3 * 32 * 1024); // several blocks, records spanning them
      expect(await checkWriteAheadLogs(t.dir)).toEqual([]);
      // A write cut short by a crash: any prefix of the log is a torn tail, never a problem.
      fc.assert(fc.property(fc.integer({ min: 0, max: log.length }), (n) => {
        expect(checkLogBytes('x.log', log.subarray(0, n))).toEqual([]);
      }), { numRuns: 200 });
      // A flipped bit: either found, or LevelDB itself recovers every batch but perhaps the last (damage
      // that makes the last record look cut short, which the signed-checkpoint record catches instead).
      const copy = tempDir('cunzheng-wal-copy-');
      try {
        const name = readdirSync(t.dir).find((n) => n.endsWith('.log'))!;
        await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: log.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
          const damaged = log.slice();
          damaged[at]! ^= 1 << bit;
          const problems = checkLogBytes(name, damaged);
          if (problems.length > 0) {
            expect(problems[0]!.offset).toBeLessThanOrEqual(at);
            return;
          }
          rmSync(copy.dir, { recursive: true, force: true });
          cpSync(t.dir, copy.dir, { recursive: true });
          writeFileSync(join(copy.dir, name), damaged);
          const db = new Level<string, Uint8Array>(copy.dir, { valueEncoding: 'view' });
          await db.open();
          const keys = await db.keys().all();
          await db.close();
          expect(keys.length).toBeGreaterThanOrEqual(120 * 10 - 10);
        }), { numRuns: 60 });
      } finally {
        copy.cleanup();
      }
    } finally {
      t.cleanup();
    }
  });
});

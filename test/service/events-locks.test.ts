/**
 * DocumentLocks: mutual exclusion per key, FIFO per key, and no deadlock when callers take overlapping sets
 * of keys in any order (they are taken sorted) — checked against random workloads with fast-check.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DocumentLocks } from '../../src/service/document-locks.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('DocumentLocks', () => {
  it('never lets two holders share a key, and every caller finishes (no deadlock)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ keys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 5 }), work: fc.nat({ max: 3 }) }), { minLength: 1, maxLength: 40 }),
      async (jobs) => {
        const locks = new DocumentLocks();
        const holding = new Set<string>();
        let clash = false;
        await Promise.all(jobs.map((job) => locks.with(job.keys, async () => {
          for (const k of job.keys) {
            if (holding.has(k)) clash = true;
            holding.add(k);
          }
          for (let i = 0; i < job.work; i++) await tick();
          for (const k of job.keys) holding.delete(k);
        })));
        expect(clash).toBe(false);
        expect(locks.size).toBe(0);
      },
    ), { numRuns: 100 });
  });

  it('serves the waiters of one key first come, first served, and releases once only', async () => {
    const locks = new DocumentLocks();
    const order: number[] = [];
    const first = await locks.acquire(['k']);
    const waiting = [1, 2, 3].map((i) => locks.acquire(['k']).then((release) => {
      order.push(i);
      release();
      release(); // a second call gives back nothing more
    }));
    await tick();
    expect(order).toEqual([]);
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(locks.size).toBe(0);
  });

  it('gives the keys back when the work throws', async () => {
    const locks = new DocumentLocks();
    await expect(locks.with(['x', 'y'], async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(locks.size).toBe(0);
    expect(await locks.with(['y', 'x'], async () => 'again')).toBe('again');
  });
});

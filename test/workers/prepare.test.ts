/**
 * The prepare job (a deposit body → entries) answers the same on a worker as on the main thread: the same
 * items and entry bytes (up to each entry's time and nonce), or the same error code, message and details;
 * and a large batch over HTTP is prepared on the pool.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../src/crypto/index.js';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { WorkerPool, workerScript } from '../../src/workers/pool.js';
import { runPrepareJob, unpackPrepared, type PreparedPayload } from '../../src/workers/prepare-job.js';
import { POOL_BODY_BYTES } from '../../src/http/deposit-prepare.js';
import { createTenant, openTestService } from '../http/helpers.js';

const pool = new WorkerPool(workerScript(), 1);
afterAll(() => pool.close());
const tenant = { id: 'tn_0123456789abcdef01234567', name: '湘江新材料科技有限公司', uscc: completeUscc('91430100MA4L16JJ') };
/** The requesting user: every entry the job builds names them (format v2). */
const operator = 'u_0123456789abcdef';

type Answer = { ok: true; items: unknown; kinds: unknown } | { ok: false; code: string; message: string; details: unknown };

function answerOf(p: PreparedPayload): Answer {
  const u = unpackPrepared(p);
  // Time and nonce differ from one build to the next: compare everything else of each entry.
  const kinds = u.entries.map((e) => {
    const x = parseEntry(e) as unknown as Record<string, unknown>;
    expect([x.v, x.operator]).toEqual([2, operator]);
    return { ...x, time: undefined, nonce: undefined };
  });
  return { ok: true, items: { batch: u.batch, items: u.items }, kinds };
}

function failed(e: unknown): Answer {
  if (!(e instanceof CunzhengError)) throw e;
  return { ok: false, code: e.code, message: e.message, details: e.details };
}

const sha = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const item = fc.record({
  sha256: fc.oneof(sha, sha.map((s) => s.toUpperCase()), fc.string({ maxLength: 70 })),
  size: fc.option(fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.double()), { nil: undefined }),
  meta: fc.option(fc.dictionary(fc.oneof(fc.constantFrom('title', 'level', 'labels', 'version', 'x.y', '1bad'), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.integer())), { nil: undefined }),
}, { requiredKeys: ['sha256'] });
const bodyArb = fc.oneof(
  item.map((i) => JSON.stringify(i)),
  fc.array(item, { minLength: 0, maxLength: 6 }).map((items) => JSON.stringify({ items })),
  fc.string({ maxLength: 40 }),
  fc.constant('{"__proto__":{"x":1},"sha256":"' + 'a'.repeat(64) + '"}'),
);

describe('the prepare job', () => {
  it('answers a body on a worker exactly as on the main thread (fast-check: valid, refused and broken bodies)', async () => {
    await fc.assert(fc.asyncProperty(bodyArb, async (text) => {
      const bytes = new TextEncoder().encode(text);
      let inline: Answer;
      try {
        inline = answerOf(runPrepareJob({ body: bytes, tenant, operator }));
      } catch (e) {
        inline = failed(e);
      }
      const copy = new Uint8Array(bytes);
      let pooled: Answer;
      try {
        pooled = answerOf(await pool.run<PreparedPayload>({ kind: 'prepare', payload: { body: copy, tenant, operator }, transfer: [copy.buffer] }));
      } catch (e) {
        pooled = failed(e);
      }
      expect(pooled).toEqual(inline);
    }), { numRuns: 300 });
  });
});

describe('over HTTP', () => {
  it('prepares a large batch on the pool and a single deposit on the main thread; both are answered with receipts', async () => {
    const s = await openTestService();
    try {
      const a = await createTenant(s.app, 'Prepare Co.', completeUscc('91430100MA4L16JJ'));
      const items = Array.from({ length: 300 }, () => ({ sha256: toHex(randomBytes(32)), meta: { title: '研发记录 R&D notebook' } }));
      const payload = JSON.stringify({ items });
      expect(payload.length).toBeGreaterThan(POOL_BODY_BYTES);
      const jobs = s.ctx.pool!.stats.jobs;
      const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: { ...a.auth, 'content-type': 'application/json' }, payload });
      expect(res.statusCode, res.body).toBe(201);
      expect((res.json() as { receipts: unknown[] }).receipts).toHaveLength(300);
      expect(s.ctx.pool!.stats.jobs).toBeGreaterThanOrEqual(jobs + 2); // the prepare job and the receipts job
      const metrics = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^cunzheng_workers 1$/m);
      expect(metrics).toMatch(new RegExp(`^cunzheng_worker_jobs_total ${s.ctx.pool!.stats.jobs}$`, 'm'));
      expect(metrics).toMatch(/^cunzheng_replies_written_total\{by="pool"\} 1$/m);
      const bad = JSON.stringify({ items: [...items.slice(0, 299), { sha256: 'no' }] });
      const refused = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: { ...a.auth, 'content-type': 'application/json' }, payload: bad.padEnd(POOL_BODY_BYTES + 10, ' ') });
      expect(refused.statusCode).toBe(400);
      expect(s.ctx.ledger.treeSize).toBe(300);
    } finally {
      await s.close();
    }
  });
});

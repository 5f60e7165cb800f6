/**
 * The lifecycle and reading routes against generated input: event bodies of any shape (valid kinds with
 * generated fields among them), generated ids, and generated query strings for history, the listing and
 * the inventory. Never a 5xx, always the error shape, and a refused event writes nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ENTRY_KINDS } from '../../src/entry/index.js';
import { USCC_A, createTenant, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';
import { deposit, event, snapshot } from './events-helpers.js';

const RUNS = process.env.CUNZHENG_RELIABILITY === 'full' ? 1000 : 120;
let s: TestService;
let a: TestTenant;
let doc: string;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '生成事件测试有限公司', USCC_A);
  doc = (await deposit(s.app, a.auth, 'hostile-doc')).id;
});
afterAll(async () => {
  await s?.close();
});

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('核心商密', '长期', '2030-12-31', 'E1024', '110101199003071234', '13800138000', '张三'));
const value = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 4 }), fc.record({ sha256: text, size: fc.integer() }, { requiredKeys: [] }));
const field = fc.constantFrom('level', 'period', 'basis', 'measures', 'reason', 'method', 'who', 'role', 'returned', 'destroyed', 'record', 'kind', 'extra');
const body = fc.oneof(
  fc.tuple(fc.constantFrom(...ENTRY_KINDS, 'unknown'), fc.dictionary(field, value, { maxKeys: 5 })).map(([kind, rest]) => ({ ...rest, kind })),
  fc.anything({ maxDepth: 2 }),
);

describe('generated input', () => {
  it(`POST /v1/deposits/:id/events: 201, or a 4xx that writes nothing; never a 5xx (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const before = await snapshot(s.ctx);
      const res = await event(s.app, a.auth, doc, b as Record<string, unknown>);
      expect(res.statusCode, `${JSON.stringify(b)} → ${res.body}`).toBeLessThan(500);
      if (res.statusCode !== 201) {
        expectErrorBody(res);
        expect(await snapshot(s.ctx)).toBe(before);
      }
    }), { numRuns: RUNS });
  });

  it(`events, history and receipts of generated ids: a 4xx, never a 5xx (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 100 }), fc.constantFrom('events', 'history', ''), async (id, what) => {
      const url = `/v1/deposits/${encodeURIComponent(id)}${what === '' ? '' : `/${what}`}`;
      const res = await s.app.inject({ method: what === 'events' ? 'POST' : 'GET', url, headers: a.auth, payload: what === 'events' ? { kind: 'destroy', reason: 'r', method: 'm' } : undefined });
      expect(res.statusCode, `${url} → ${res.body}`).toBeLessThan(500);
      if (res.statusCode >= 400) expectErrorBody(res);
    }), { numRuns: RUNS });
  });

  it(`history, listing and inventory with generated query strings: 200 or a 4xx, never a 5xx (${RUNS} runs)`, async () => {
    const key = fc.constantFrom('cursor', 'limit', 'since', 'until', 'level', 'status', 'label', 'lang', 'sha256', 'x');
    const query = fc.array(fc.tuple(key, text), { maxLength: 4 });
    const route = fc.constantFrom(`/v1/deposits/${doc}/history`, '/v1/deposits', '/v1/inventory');
    await fc.assert(fc.asyncProperty(route, query, async (path, q) => {
      const url = `${path}?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
      const res = await s.app.inject({ method: 'GET', url, headers: a.auth });
      expect(res.statusCode, `${url} → ${res.body}`).toBeLessThan(500);
      if (res.statusCode !== 200) expectErrorBody(res);
    }), { numRuns: RUNS });
  });
});

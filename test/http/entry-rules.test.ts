/**
 * The request schemas state the entry's rules (src/entry/rules.ts) and the API answers as the entry does:
 * a generated metadata key, metadata text or tenant name is accepted by the API exactly when the entry's
 * rule accepts it, and refused with the entry's code (ENTRY_BAD_FIELD, TENANT_BAD_NAME, USCC_*) whether the
 * schema or the entry notices first. The OpenAPI document carries the entry's patterns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { META_KEY_RULE, SUBJECT_NAME_RULE, TEXT_RULE, USCC_PATTERN, normalizeMeta } from '../../src/entry/index.js';
import { CunzhengError } from '../../src/errors.js';
import { ADMIN_TOKEN, USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
beforeAll(async () => {
  s = await openTestService({ docs: true });
  a = await createTenant(s.app, 'Entry Rules Co.', USCC_A);
});
afterAll(async () => s?.close());

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
let n = 0;
const deposit = (meta: unknown, batch = false) => {
  const item = { sha256: digestOf(`entry rules ${n++}`), meta };
  return s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: batch ? { items: [{ sha256: digestOf(`entry rules ${n++}`) }, item] } : item });
};

function entryAccepts(meta: unknown): boolean {
  try {
    normalizeMeta(meta);
    return true;
  } catch (e) {
    if (e instanceof CunzhengError) return false;
    throw e;
  }
}

const EDGE = [...'aZ09_-.@ $', '\u0000', '\n', '\u007f', '\u0085', '\u2028', '\u202e', '\u2067', '\ud800', '\udc00', '😀', '长', '\u200d'];
const near = fc.string({ unit: fc.constantFrom(...EDGE), minLength: 1, maxLength: 12 });

describe('metadata, as the entry takes it', () => {
  it('accepts a generated key or value exactly when the entry does, else answers ENTRY_BAD_FIELD', async () => {
    const metas = fc.oneof(
      near.map((k) => ({ [k]: 1 })),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,4}$/).map((k) => ({ [k]: 'x' })),
      near.map((v) => ({ title: v })),
      near.map((v) => ({ labels: ['ok', v] })),
      near.map((v) => ({ custom: [v] })),
      fc.constantFrom<unknown>({ title: 5 }, { labels: 'a' }, { version: true }, { a: null }, { a: { b: 1 } }, { n: 'x'.repeat(1025) }),
    );
    await fc.assert(fc.asyncProperty(metas, fc.boolean(), async (meta, batch) => {
      const res = await deposit(meta, batch);
      if (entryAccepts(meta)) {
        expect(res.statusCode, `${JSON.stringify(meta)} → ${res.body}`).toBe(201);
      } else {
        const body = expectErrorBody(res, 400, 'ENTRY_BAD_FIELD');
        if (batch) expect(body.message).toMatch(/^items\[1\]: entry field meta/);
        else expect(body.message).toMatch(/^entry field meta/);
      }
    }), { numRuns: 150 });
  });

  it('refuses a dotted key, which the entry refuses, with the entry\'s message', async () => {
    const body = expectErrorBody(await deposit({ 'a.b': 1 }), 400, 'ENTRY_BAD_FIELD');
    expect(body.message).toContain('"a.b"');
  });

  it('answers upload metadata in the query as the entry does', async () => {
    for (const q of ['title=%00', 'note=a%E2%80%A8b', `note=${'x'.repeat(1025)}`, 'filename=x%E2%80%AEfdp.exe']) {
      const res = await s.app.inject({ method: 'POST', url: `/v1/documents?${q}`, headers: { ...a.auth, 'content-type': 'application/pdf' }, payload: Buffer.from(q) });
      expectErrorBody(res, 400, 'ENTRY_BAD_FIELD');
    }
    const res = await s.app.inject({ method: 'POST', url: '/v1/documents?unknown=1', headers: { ...a.auth, 'content-type': 'application/pdf' }, payload: Buffer.from('x') });
    expectErrorBody(res, 400, 'BAD_REQUEST');
  });
});

describe('tenant names and codes, as the entry takes them', () => {
  it('answers a refused name TENANT_BAD_NAME and a refused code its USCC code, whichever layer refuses', async () => {
    const names = fc.oneof(near, near.map((x) => ` ${x}`), fc.constantFrom('', 'x'.repeat(257), 'A\u202eB'));
    await fc.assert(fc.asyncProperty(names, async (name) => {
      const res = await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: { name, uscc: USCC_A, allowDuplicateUscc: true } });
      if (name.length <= 256 && new RegExp(SUBJECT_NAME_RULE.pattern, 'u').test(name)) expect(res.statusCode, res.body).toBe(201);
      else expectErrorBody(res, 400, 'TENANT_BAD_NAME');
    }), { numRuns: 60 });
    for (const [uscc, code] of [['9143', 'USCC_BAD_LENGTH'], [`${USCC_A}0`.repeat(4), 'USCC_BAD_LENGTH'], [USCC_A.toLowerCase(), 'USCC_BAD_CHARACTER'], [`91${'A'.repeat(16)}`, 'USCC_BAD_DIVISION']]) {
      expectErrorBody(await s.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: admin, payload: { name: 'Code Co.', uscc } }), 400, code);
    }
  });
});

describe('the OpenAPI document', () => {
  it('states the entry\'s patterns for what the entry holds', async () => {
    const doc = JSON.stringify((await s.app.inject({ method: 'GET', url: '/docs/json' })).json());
    for (const pattern of [META_KEY_RULE.pattern, TEXT_RULE.pattern, SUBJECT_NAME_RULE.pattern, USCC_PATTERN]) {
      expect(doc.includes(JSON.stringify(pattern).slice(1, -1)), pattern).toBe(true);
    }
    expect(doc.includes('A-Za-z0-9_.-')).toBe(false);
  });
});

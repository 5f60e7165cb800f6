/**
 * Hostile input, case by case: malformed JSON, wrong content types and field types, oversize bodies,
 * huge numbers, unicode edge cases and metadata beyond its bounds all end in a 4xx with a code and write
 * nothing. Afterwards the ledger passes fsck and every receipt acknowledged on the way still verifies.
 * (hostile-fuzz.test.ts throws generated input at every route.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEntry } from '../../src/entry/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { ADMIN_TOKEN, USCC_A, USCC_B, createTenant, digestOf, openTestService, type TestService, type TestTenant } from './helpers.js';
import { HostileClient, expectClientError, expectNoServerError } from './hostile-client.js';

let s: TestService;
let a: TestTenant;
let c: HostileClient;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, 'Hostile Input Co.', USCC_A);
  c = new HostileClient(s, a);
});
afterAll(async () => s?.close());

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const deposit = (payload: unknown, headers?: Record<string, string>) => c.deposit(payload, headers);
const send: HostileClient['send'] = (opts) => c.send(opts);
const valid = (): Record<string, unknown> => ({ sha256: digestOf(`valid ${Math.random()}`) });

describe('when the JSON is malformed or of the wrong content type', () => {
  it('answers 400 MALFORMED_JSON for broken JSON', async () => {
    const bodies = [
      '{',
      '{"sha256":',
      '[',
      'nul',
      '{"sha256":"' + digestOf('x') + '"}{"b":2}',
      '\u0000',
      "{'sha256':'x'}",
      '{"sha256":"\\x41"}',
      '{"sha256":"abc\u0000"',
      '',
    ];
    for (const body of bodies) expectClientError(await deposit(body), JSON.stringify(body), 'MALFORMED_JSON');
  });

  it('answers 4xx for deep nesting and prototype poisoning', async () => {
    for (const body of ['['.repeat(200_000) + ']'.repeat(200_000), `{"items":${'['.repeat(5000)}${']'.repeat(5000)}}`, `{"__proto__":{"admin":true},"sha256":"${digestOf('p')}"}`, `{"constructor":{"prototype":{"admin":true}},"sha256":"${digestOf('c')}"}`]) {
      expectClientError(await deposit(body), body.slice(0, 40));
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers 415 for content types other than JSON (400 for text, which is never an object), and no 5xx for odd ones', async () => {
    const body = JSON.stringify(valid());
    for (const ct of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream']) {
      expectClientError(await deposit(body, { 'content-type': ct }), ct, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expectClientError(await deposit(body, { 'content-type': 'text/plain' }), 'text/plain', 'BAD_REQUEST');
    for (const ct of ['application/json; charset=utf-16', 'application/jsonx', '', 'application/json\u0000']) {
      const res = await send({ method: 'POST', url: '/v1/deposits', headers: { ...a.auth, 'content-type': ct }, payload: body });
      expectNoServerError(res, ct);
    }
    const none = await send({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: Buffer.from(body) });
    expectNoServerError(none, 'no content type');
  });

  it('answers 413 BODY_TOO_LARGE for a JSON body over 32 MiB', async () => {
    const size = s.ctx.ledger.treeSize;
    const big = JSON.stringify({ items: [{ sha256: digestOf('big'), meta: { note: 'x'.repeat(1000) } }] }).padEnd(33 * 1024 * 1024, ' ');
    expectClientError(await deposit(big), '33 MiB', 'BODY_TOO_LARGE');
    expect(s.ctx.ledger.treeSize).toBe(size);
  });
});

describe('when a field has the wrong type or value', () => {
  const d = digestOf('typed');
  const cases: [string, unknown][] = [
    ['sha256 a number', { sha256: 1 }],
    ['sha256 null', { sha256: null }],
    ['sha256 an array', { sha256: [d] }],
    ['sha256 in mixed case with a non-hex letter', { sha256: d.slice(1).toUpperCase() + 'g' }],
    ['sha256 too short', { sha256: d.slice(2) }],
    ['sha256 too long', { sha256: d + '00' }],
    ['sha256 with a newline', { sha256: d.slice(1) + '\n' }],
    ['sm3 null', { sha256: d, sm3: null }],
    ['sm3 not hex', { sha256: d, sm3: 'z'.repeat(64) }],
    ['size a string', { sha256: d, size: '1' }],
    ['size negative', { sha256: d, size: -1 }],
    ['size fractional', { sha256: d, size: 1.5 }],
    ['size beyond 2^53', { sha256: d, size: 2 ** 53 }],
    ['size 1e400', `{"sha256":"${d}","size":1e400}`],
    ['size -1e400', `{"sha256":"${d}","size":-1e400}`],
    ['size with 400 digits', `{"sha256":"${d}","size":${'9'.repeat(400)}}`],
    ['meta a number with 1e400', `{"sha256":"${d}","meta":{"n":1e400}}`],
    ['meta an array', { sha256: d, meta: ['a'] }],
    ['meta a string', { sha256: d, meta: 'a' }],
    ['meta null', { sha256: d, meta: null }],
    ['prev a number', { sha256: d, prev: 1 }],
    ['prev uppercase, naming no deposit', { sha256: d, prev: 'A'.repeat(32) }],
    ['items an object', { items: { 0: { sha256: d } } }],
    ['items with a null', { items: [null] }],
    ['items and sha256 together', { items: [{ sha256: d }], sha256: d }],
    ['a top-level array', [{ sha256: d }]],
    ['a top-level string', '"hello"'],
    ['a top-level number', '42'],
    ['null', 'null'],
    ['an unknown field', { sha256: d, tenant: 'tn_000000000000000000000000' }],
    ['hashedBy smuggled in', { sha256: d, hashedBy: 'server' }],
  ];
  it.each(cases)('rejects %s with a 4xx and writes nothing', async (what, payload) => {
    const size = s.ctx.ledger.treeSize;
    expectClientError(await deposit(payload), what);
    expect(s.ctx.ledger.treeSize).toBe(size);
  });
});

describe('when metadata tests its bounds and unicode its edges', () => {
  const meta = (m: unknown, label: string) => ({ sha256: digestOf(`meta ${label}`), meta: m });
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it('accepts 32 keys, 1,024-character values and paired surrogates', async () => {
    expect((await deposit(meta(keys(32), '32 keys'))).statusCode).toBe(201);
    expect((await deposit(meta({ note: '长'.repeat(1024) }, '1024 chars'))).statusCode).toBe(201);
    expect((await deposit(meta({ title: '😀 合同' }, 'astral'))).statusCode).toBe(201);
    expect((await deposit(meta({ labels: Array.from({ length: 32 }, (_, i) => `l${i}`) }, '32 labels'))).statusCode).toBe(201);
  });

  const rejected: [string, string][] = [
    ['33 keys', JSON.stringify(meta(keys(33), '33'))],
    ['a 1,025-character value', JSON.stringify(meta({ note: 'x'.repeat(1025) }, '1025'))],
    ['a nested object', JSON.stringify(meta({ a: { b: 1 } }, 'nested'))],
    ['a nested array', JSON.stringify(meta({ a: [['b']] }, 'nested array'))],
    ['33 labels', JSON.stringify(meta({ labels: Array.from({ length: 33 }, () => 'l') }, '33 labels'))],
    ['labels of numbers', JSON.stringify(meta({ labels: [1, 2] }, 'label numbers'))],
    ['a null value', JSON.stringify(meta({ a: null }, 'null'))],
    ['a 65-character key', JSON.stringify(meta({ ['k'.repeat(65)]: 1 }, 'long key'))],
    ['an empty key', JSON.stringify(meta({ '': 1 }, 'empty key'))],
    ['a key starting with a digit', JSON.stringify(meta({ '1a': 1 }, 'digit key'))],
    ['a __proto__ key', `{"sha256":"${digestOf('proto key')}","meta":{"__proto__":"x"}}`],
    ['a key with a dot', JSON.stringify(meta({ 'a.b': 1 }, 'dot key'))],
    ['more than 8 KiB in all', JSON.stringify(meta(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(1000)])), '8k'))],
    ['a lone high surrogate (JSON escape)', `{"sha256":"${digestOf('lone hi')}","meta":{"title":"a\\ud800b"}}`],
    ['a lone low surrogate (JSON escape)', `{"sha256":"${digestOf('lone lo')}","meta":{"title":"\\udc00"}}`],
    ['a lone surrogate in a key', `{"sha256":"${digestOf('lone key')}","meta":{"a\\ud800":"x"}}`],
    ['a lone surrogate in labels', `{"sha256":"${digestOf('lone label')}","meta":{"labels":["\\udfff"]}}`],
    ['a right-to-left override', JSON.stringify(meta({ filename: 'invoice\u202Efdp.exe' }, 'rlo'))],
    ['a left-to-right isolate', JSON.stringify(meta({ title: 'a\u2066b' }, 'lri'))],
    ['a NUL character', JSON.stringify(meta({ title: 'a\u0000b' }, 'nul'))],
    ['a line separator', JSON.stringify(meta({ note: 'a\u2028b' }, 'ls'))],
    ['an escape sequence', JSON.stringify(meta({ note: 'a\u001b[31mred' }, 'esc'))],
    ['a negative zero', `{"sha256":"${digestOf('neg zero')}","meta":{"n":-0}}`],
  ];
  it.each(rejected)('rejects %s with a 4xx and writes nothing', async (what, body) => {
    const size = s.ctx.ledger.treeSize;
    expectClientError(await deposit(body), what);
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('rejects lone surrogates and bidi controls in tenant names', async () => {
    for (const name of ['"a\\ud800"', '"\\udc00x"', '"A\\u202eB"', '"a\\u2067b"']) {
      const res = await send({ method: 'POST', url: '/v1/admin/tenants', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"name":${name},"uscc":"${USCC_B}"}` });
      expectClientError(res, name);
    }
  });

  const upload = (q: string) => send({ method: 'POST', url: `/v1/documents?${q}`, headers: { ...a.auth, 'content-type': 'application/pdf' }, payload: Buffer.from(`%PDF-1.7 ${q}`) });

  it('rejects hostile upload metadata in the query string', async () => {
    const size = s.ctx.ledger.treeSize;
    for (const q of ['filename=x%E2%80%AEfdp.exe', 'title=%00', 'note=a%0Ab', `note=${'x'.repeat(1025)}`, 'labels=a,b&labels=c', 'unknown=1', 'prev=zz', `prev=${'0'.repeat(32)}`]) {
      expectClientError(await upload(q), q);
    }
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('hashes an empty upload as the empty document', async () => {
    const res = await send({ method: 'POST', url: '/v1/documents', headers: a.auth });
    expect(res.statusCode, res.body).toBe(201);
    expect(parseEntry(fromBase64(res.json().entry))).toMatchObject({
      digest: { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      size: 0,
    });
  });

  it('keeps undecodable percent-escapes in upload metadata as literal text, never as lone surrogates', async () => {
    for (const [q, title] of [['title=a%ED%A0%80b', 'a%ED%A0%80b'], ['title=%', '%'], ['title=%zz', '%zz']] as const) {
      const res = await upload(q);
      expect(res.statusCode, `${q} → ${res.body}`).toBe(201);
      expect(parseEntry(fromBase64(res.json().entry)).meta).toEqual({ title });
    }
  });
});


describe('after all that', () => {
  it('leaves a ledger that passes fsck, with every acknowledged receipt still verifying', async () => {
    expect(c.acknowledged.length).toBeGreaterThanOrEqual(8);
    await c.expectLedgerIntact();
  });
});

/**
 * Digests as Windows prints them: `certutil -hashfile doc.pdf SHA256` and `Get-FileHash` give uppercase hex.
 * Uppercase (and mixed case) sha256, sm3 and prev are accepted in single deposits, batch items, the
 * ?sha256= lookup and deposit ids, and lowercased before the service sees them: the entry holds lowercase,
 * and the same digest in either case is one deposit. Hex that is malformed is refused with ONE message
 * naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEntry } from '../../src/entry/index.js';
import { fromBase64, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import type { Receipt } from '../../src/receipt/index.js';
import { USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, 'Windows Users Co.', USCC_A);
});
afterAll(async () => {
  await s.close();
});

const sm3Of = (label: string): string => toHex(sha256(utf8(`sm3 stand-in ${label}`)));
const post = (payload: unknown) => s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: payload as object });
const entryOf = (r: Receipt) => parseEntry(fromBase64(r.entry));

describe('when a digest is given in uppercase', () => {
  it('deposits it, and the entry holds the lowercase digests', async () => {
    const d = digestOf('upper single');
    const res = await post({ sha256: d.toUpperCase(), sm3: sm3Of('single').toUpperCase() });
    expect(res.statusCode, res.body).toBe(201);
    expect(entryOf(res.json()).digest).toEqual({ sha256: d, sm3: sm3Of('single') });
  });

  it('is the same deposit as the lowercase digest (200 with the original receipt)', async () => {
    const d = digestOf('either case');
    const first = await post({ sha256: d });
    const again = await post({ sha256: d.slice(0, 10).toUpperCase() + d.slice(10) });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(first.json().id);
  });

  it('lowercases every item of a batch, and prev', async () => {
    const base = (await post({ sha256: digestOf('base') })).json() as Receipt;
    const items = [
      { sha256: digestOf('batch 0').toUpperCase() },
      { sha256: digestOf('batch 1'), sm3: sm3Of('batch 1').toUpperCase(), prev: base.id.toUpperCase() },
    ];
    const res = await post({ items });
    expect(res.statusCode, res.body).toBe(201);
    const [r0, r1] = (res.json() as { receipts: Receipt[] }).receipts;
    expect(entryOf(r0!).digest.sha256).toBe(digestOf('batch 0'));
    expect(entryOf(r1!).digest).toEqual({ sha256: digestOf('batch 1'), sm3: sm3Of('batch 1') });
    expect(entryOf(r1!).prev).toBe(base.id);
  });

  it('finds a deposit by an uppercase ?sha256= and an uppercase id', async () => {
    const d = digestOf('find upper');
    const created = (await post({ sha256: d })).json() as Receipt;
    const byDigest = await s.app.inject({ method: 'GET', url: `/v1/deposits?sha256=${d.toUpperCase()}`, headers: a.auth });
    expect(byDigest.statusCode, byDigest.body).toBe(200);
    expect(byDigest.json().id).toBe(created.id);
    const byId = await s.app.inject({ method: 'GET', url: `/v1/deposits/${created.id.toUpperCase()}`, headers: a.auth });
    expect(byId.statusCode, byId.body).toBe(200);
    expect(byId.json().id).toBe(created.id);
  });

  it('takes an uppercase ?prev= on an upload', async () => {
    const base = (await post({ sha256: digestOf('upload base') })).json() as Receipt;
    const res = await s.app.inject({ method: 'POST', url: `/v1/documents?prev=${base.id.toUpperCase()}`, headers: { ...a.auth, 'content-type': 'application/octet-stream' }, payload: Buffer.from('v2') });
    expect(res.statusCode, res.body).toBe(201);
    expect(entryOf(res.json()).prev).toBe(base.id);
  });
});

describe('when a digest is not hex of the right length', () => {
  it('answers one message naming the field and what is wrong', async () => {
    const size = s.ctx.ledger.treeSize;
    const single = expectErrorBody(await post({ sha256: digestOf('short').slice(1) }), 400, 'BAD_HEX_FIELD');
    expect(single.message).toBe('sha256 must be a SHA-256 digest: 64 hex characters; it has 63 characters');
    const item = expectErrorBody(await post({ items: [{ sha256: digestOf('ok') }, { sha256: digestOf('x').slice(1) + 'g' }] }), 400, 'BAD_HEX_FIELD');
    expect(item.message).toBe('items[1].sha256 must be a SHA-256 digest: 64 hex characters; it has a character that is not hex at position 63');
    const sm3 = expectErrorBody(await post({ sha256: digestOf('ok'), sm3: 'ab' }), 400, 'BAD_HEX_FIELD');
    expect(sm3.message).toMatch(/^sm3 must be an SM3 digest/);
    expect(sm3.message.split(/[,;]/).length).toBeLessThanOrEqual(2);
    await s.ctx.ledger.flush();
    expect(s.ctx.ledger.treeSize).toBe(size);
  });
});

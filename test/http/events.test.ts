/**
 * POST /v1/deposits/:id/events: an event is a v2 entry naming its operator, copying the deposit's digest
 * (its receipt verifies against the original file), written with the document index in one batch; every
 * refusal (the entry's codes, the tenant's levels and deposits, the lifecycle rules) writes nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../../src/receipt/index.js';
import { foundingOfficerId } from '../../src/service/users.js';
import { createTenant, digestOf, expectErrorBody, openTestService, USCC_A, USCC_B, type TestService, type TestTenant } from './helpers.js';
import { deposit, entryOf, event, recorded, snapshot, userOf } from './events-helpers.js';

let s: TestService;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, '长沙示例科技有限公司', USCC_A);
  b = await createTenant(s.app, '北京示例有限公司', USCC_B);
});
afterAll(() => s.close());

describe('recording an event', () => {
  it('answers 201 with a receipt of a v2 entry: the operator, prev, the deposit\'s digest, the event', async () => {
    const d = await deposit(s.app, a.auth, 'ev-1', { sm3: digestOf('ev-1-sm3') });
    const r = await recorded(s.app, a.auth, d.id, { kind: 'classify', level: '核心商密', period: '2030-12-31', basis: '技术秘密', record: { sha256: digestOf('form').toUpperCase(), size: 3 } });
    const e = entryOf(r);
    expect(e.v).toBe(2);
    expect(e.kind).toBe('classify');
    expect(e.operator).toBe(foundingOfficerId(a.id));
    expect(e.prev).toBe(d.id);
    expect(e.digest).toEqual(entryOf(d).digest);
    expect(e.size).toBe(10);
    expect(e.event).toEqual({ basis: '技术秘密', level: '核心商密', period: '2030-12-31', record: { sha256: digestOf('form'), size: 3 } });
    // The event's receipt verifies against the original document's digest alone.
    const v = await verifyReceipt(r, [s.ctx.ledger.verifierKey], { digest: { sha256: digestOf('ev-1') } });
    expect(v.id).toBe(r.id);
    const state = await s.ctx.ledger.documents.state(a.id, d.id);
    expect(state).toMatchObject({ status: 'classified', level: '核心商密', period: '2030-12-31', events: 1, versions: 1 });
  });

  it('names the user who asked: an officer made by the founding officer', async () => {
    const officer = await userOf(s.app, a, 'officer');
    const d = await deposit(s.app, officer.auth, 'ev-op');
    expect(entryOf(d).operator).toBe(officer.id);
    const r = await recorded(s.app, officer.auth, d.id, { kind: 'conceal', measures: ['encryption', 'marking'] });
    expect(entryOf(r).operator).toBe(officer.id);
  });

  it('refuses depositors and viewers (403 ROLE_FORBIDDEN), writing nothing', async () => {
    const d = await deposit(s.app, a.auth, 'ev-roles');
    for (const role of ['depositor', 'viewer'] as const) {
      const u = await userOf(s.app, a, role);
      const before = await snapshot(s.ctx);
      expectErrorBody(await event(s.app, u.auth, d.id, { kind: 'declassify', reason: 'x' }), 403, 'ROLE_FORBIDDEN');
      expect(await snapshot(s.ctx)).toBe(before);
    }
  });

  it("answers another tenant's deposit, an unknown id and an event's id as 404", async () => {
    const d = await deposit(s.app, a.auth, 'ev-404');
    expectErrorBody(await event(s.app, b.auth, d.id, { kind: 'conceal', measures: ['other'] }), 404, 'NOT_FOUND');
    expectErrorBody(await event(s.app, a.auth, '0'.repeat(32), { kind: 'conceal', measures: ['other'] }), 404, 'NOT_FOUND');
    const ev = await recorded(s.app, a.auth, d.id, { kind: 'conceal', measures: ['other'] });
    expectErrorBody(await event(s.app, a.auth, ev.id, { kind: 'conceal', measures: ['other'] }), 404, 'NOT_FOUND');
  });

  const refusals: [string, Record<string, unknown>, number, string][] = [
    ['an unknown kind', { kind: 'deposit' }, 400, 'EVENT_BAD_KIND'],
    ['no kind', { level: '核心商密' }, 400, 'EVENT_BAD_KIND'],
    ['a missing field', { kind: 'classify', level: '核心商密' }, 400, 'EVENT_MISSING_FIELD'],
    ['an unknown field', { kind: 'declassify', reason: 'x', level: '核心商密' }, 400, 'EVENT_UNKNOWN_FIELD'],
    ['a bad period', { kind: 'classify', level: '核心商密', period: '2030-02-30' }, 400, 'EVENT_BAD_PERIOD'],
    ['a bad measure', { kind: 'conceal', measures: ['hiding'] }, 400, 'EVENT_BAD_MEASURE'],
    ['a resident ID as who', { kind: 'access-grant', who: '11010519491231002X' }, 400, 'EVENT_PERSONAL_DATA'],
    ['a level the tenant has not', { kind: 'classify', level: '绝密', period: '长期' }, 400, 'EVENT_UNKNOWN_LEVEL'],
    ['an audit of an unknown deposit', { kind: 'departure-audit', who: 'E1001', returned: ['ab'.repeat(16)] }, 400, 'EVENT_UNKNOWN_DEPOSIT'],
    ['a revoke of someone never granted', { kind: 'access-revoke', who: 'E1001' }, 409, 'LIFECYCLE_NOT_GRANTED'],
    ['a declassify of an unclassified document', { kind: 'declassify', reason: 'public now' }, 409, 'LIFECYCLE_NOT_CLASSIFIED'],
    ['a reclassify of an unclassified document', { kind: 'reclassify', level: '普通商密' }, 409, 'LIFECYCLE_NOT_CLASSIFIED'],
  ];
  for (const [what, body, status, code] of refusals) {
    it(`refuses ${what} (${status} ${code}) and writes nothing`, async () => {
      const d = await deposit(s.app, a.auth, `ev-refuse-${what}`);
      const before = await snapshot(s.ctx);
      expectErrorBody(await event(s.app, a.auth, d.id, body), status, code);
      expect(await snapshot(s.ctx)).toBe(before);
    });
  }

  it('refuses a body that is not an object, or not JSON', async () => {
    const d = await deposit(s.app, a.auth, 'ev-shape');
    const before = await snapshot(s.ctx);
    expectErrorBody(await s.app.inject({ method: 'POST', url: `/v1/deposits/${d.id}/events`, headers: { ...a.auth, 'content-type': 'application/json' }, payload: '[1]' }), 400, 'EVENT_BAD_KIND');
    expectErrorBody(await s.app.inject({ method: 'POST', url: `/v1/deposits/${d.id}/events`, headers: { ...a.auth, 'content-type': 'application/json' }, payload: '{"kind":' }), 400);
    expect(await snapshot(s.ctx)).toBe(before);
  });

  it("refuses an audit naming another tenant's deposit", async () => {
    const d = await deposit(s.app, a.auth, 'ev-audit-a');
    const other = await deposit(s.app, b.auth, 'ev-audit-b');
    const before = await snapshot(s.ctx);
    expectErrorBody(await event(s.app, a.auth, d.id, { kind: 'departure-audit', who: 'E7', destroyed: [other.id] }), 400, 'EVENT_UNKNOWN_DEPOSIT');
    expect(await snapshot(s.ctx)).toBe(before);
    await recorded(s.app, a.auth, d.id, { kind: 'departure-audit', who: 'E7', returned: [d.id.toUpperCase()] });
  });

  it('follows the rules through a life: classify twice, grant twice, destroy, then only audits', async () => {
    const d = await deposit(s.app, a.auth, 'ev-life');
    await recorded(s.app, a.auth, d.id, { kind: 'classify', level: '重要商密', period: '长期' });
    let before = await snapshot(s.ctx);
    expectErrorBody(await event(s.app, a.auth, d.id, { kind: 'classify', level: '重要商密', period: '长期' }), 409, 'LIFECYCLE_ALREADY_CLASSIFIED');
    await recorded(s.app, a.auth, d.id, { kind: 'access-grant', who: 'E1001', role: 'engineer' });
    before = await snapshot(s.ctx);
    expectErrorBody(await event(s.app, a.auth, d.id, { kind: 'access-grant', who: 'E1001' }), 409, 'LIFECYCLE_ALREADY_GRANTED');
    expect(await snapshot(s.ctx)).toBe(before);
    await recorded(s.app, a.auth, d.id, { kind: 'destroy', reason: '到期', method: '粉碎' });
    before = await snapshot(s.ctx);
    for (const body of [{ kind: 'conceal', measures: ['sealing'] }, { kind: 'access-revoke', who: 'E1001' }, { kind: 'declassify', reason: 'x' }]) {
      expectErrorBody(await event(s.app, a.auth, d.id, body), 409, 'LIFECYCLE_DESTROYED');
    }
    // A new version of a destroyed document, alone or in a batch with a fine deposit: nothing of it is written.
    const newVersion = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: digestOf('ev-life-v2'), prev: d.id } });
    expectErrorBody(newVersion, 409, 'LIFECYCLE_DESTROYED');
    const batch = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { items: [{ sha256: digestOf('ev-life-fine') }, { sha256: digestOf('ev-life-v2'), prev: d.id }] } });
    expectErrorBody(batch, 409, 'LIFECYCLE_DESTROYED');
    expect(await snapshot(s.ctx)).toBe(before);
    await recorded(s.app, a.auth, d.id, { kind: 'departure-audit', who: 'E1001', destroyed: [d.id] });
    expect(await s.ctx.ledger.documents.state(a.id, d.id)).toMatchObject({ status: 'destroyed', events: 4 });
  });

  it('checks the level against the tenant\'s own names once configured', async () => {
    const put = await s.app.inject({ method: 'PUT', url: '/v1/tenant/levels', headers: b.auth, payload: { levels: ['A级', 'B级'] } });
    expect(put.statusCode, put.body).toBe(200);
    const d = await deposit(s.app, b.auth, 'ev-levels');
    expectErrorBody(await event(s.app, b.auth, d.id, { kind: 'classify', level: '核心商密', period: '长期' }), 400, 'EVENT_UNKNOWN_LEVEL');
    await recorded(s.app, b.auth, d.id, { kind: 'classify', level: 'A级', period: '长期' });
  });
});

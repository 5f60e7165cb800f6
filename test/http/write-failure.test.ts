/**
 * A failed write as the HTTP API shows it: the deposit in doubt and every deposit after it answer 503
 * with Retry-After and a code (LEDGER_WRITE_FAILED, LEDGER_FENCED) and no storage detail; /healthz says
 * "degraded" with a fixed sentence, /metrics counts the failure and the fence; once the store has been
 * reopened and proven, deposits flow again and /healthz is "ok".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService } from './helpers.js';
import { waitUnfenced } from '../ledger/helpers.js';

let s: TestService;
beforeEach(async () => (s = await openTestService()));
afterEach(async () => s.close());

describe('when a write fails under the service', () => {
  it('answers 503s with codes, reports the fence on /healthz and /metrics, and recovers', async () => {
    const tenant = await createTenant(s.app, '写入失败测试有限公司', USCC_A);
    const deposit = (label: string) => s.app.inject({
      method: 'POST', url: '/v1/deposits', headers: { authorization: `Bearer ${tenant.apiKey}` }, payload: { sha256: digestOf(label) },
    });
    expect((await deposit('before')).statusCode).toBe(201);
    const store = s.ctx.ledger['store'] as unknown as { hasRoomToReopen: () => Promise<boolean> };
    let room = false;
    store.hasRoomToReopen = async () => room;
    const level = s.ctx.ledger['store'].db as unknown as { batch: () => { put: () => void; write: () => Promise<void> } };
    level.batch = () => ({ put: () => undefined, write: async () => { throw new Error('ENOSPC: no space left on device, write /secret/path/000123.log'); } });

    const failed = await deposit('in doubt');
    expect(expectErrorBody(failed, 503, 'LEDGER_WRITE_FAILED').message).not.toMatch(/secret|ENOSPC/);
    expect(failed.headers['retry-after']).toMatch(/^\d+$/);
    const fenced = await deposit('after');
    expect(expectErrorBody(fenced, 503, 'LEDGER_FENCED').message).not.toMatch(/secret|ENOSPC/);

    const health = await s.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const h = health.json() as { status: string; writes: { code: string; message: string; since: string } };
    expect(h.status).toBe('degraded');
    expect(h.writes.code).toBe('LEDGER_FENCED');
    expect(h.writes.message).not.toMatch(/secret|ENOSPC/);
    expect(h.writes.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    const metrics = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^cunzheng_ledger_fenced 1$/m);
    expect(metrics).toMatch(/^cunzheng_ledger_write_failures_total 1$/m);
    // Reads go on while writes are refused.
    expect((await s.app.inject({ method: 'GET', url: '/checkpoint' })).statusCode).toBe(200);

    room = true;
    await waitUnfenced(s.ctx.ledger);
    expect((await deposit('after')).statusCode).toBe(201);
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    const after = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(after).toMatch(/^cunzheng_ledger_fenced 0$/m);
    expect(after).toMatch(/^cunzheng_ledger_recoveries_total 1$/m);
  });
});

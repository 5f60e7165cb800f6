/**
 * The admission rules on their own: a request is charged in bytes against its tenant's share and the
 * service's; beyond either it is refused (TENANT_BUSY / SERVICE_BUSY) and charged nothing; a tenant with
 * nothing else in flight is admitted while the service has room; a ticket is released once its handler
 * is done and its response closed, in either order, and only once.
 */
import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/http/admission.js';
import { CunzhengError } from '../../src/errors.js';

function codeOf(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof CunzhengError ? e.code : String(e);
  }
}

describe('Admission', () => {
  it('refuses beyond a tenant\'s share and beyond the service\'s, charging nothing for a refusal', () => {
    const a = new Admission({ maxTenantInFlightBytes: 100, maxInFlightBytes: 150 });
    const t1 = a.open('A');
    t1.add(80);
    const t2 = a.open('A');
    expect(codeOf(() => t2.add(30))).toBe('TENANT_BUSY');
    expect(a.stats.inFlightBytes).toBe(80);
    const t3 = a.open('B');
    t3.add(60);
    const t4 = a.open('C');
    expect(codeOf(() => t4.add(20))).toBe('SERVICE_BUSY');
    expect(a.stats).toMatchObject({ inFlightBytes: 140, inFlightRequests: 4, refused: { tenant: 1, service: 1 } });
    for (const t of [t1, t2, t3, t4]) t.release();
    expect(a.stats).toMatchObject({ inFlightBytes: 0, inFlightRequests: 0 });
  });

  it('admits a tenant\'s only request even beyond its share, while the service has room', () => {
    const a = new Admission({ maxTenantInFlightBytes: 100, maxInFlightBytes: 1000 });
    const big = a.open('A');
    big.add(500);
    big.add(200); // the same request growing (a chunked body, then its items)
    expect(big.bytes).toBe(700);
    expect(codeOf(() => a.open('A').add(1))).toBe('TENANT_BUSY');
    const alone = new Admission({ maxInFlightBytes: 10 }).open(undefined);
    alone.add(50); // alone in the whole service
    expect(alone.bytes).toBe(50);
  });

  it('releases once both the handler is done and the response closed, in either order, and once only', () => {
    const a = new Admission();
    for (const order of [['handled', 'closed'], ['closed', 'handled']] as const) {
      const t = a.open('A');
      t.add(10);
      const gate = t.releaseWhen();
      gate[order[0]]();
      expect(a.stats.inFlightBytes).toBe(10);
      gate[order[1]]();
      expect(a.stats.inFlightBytes).toBe(0);
      t.release();
      gate.handled();
      expect(a.stats).toMatchObject({ inFlightBytes: 0, inFlightRequests: 0 });
    }
  });

  it('refuses limits that are not positive whole numbers of bytes', () => {
    expect(codeOf(() => new Admission({ maxInFlightBytes: 0 }))).toBe('BAD_ADMISSION_LIMIT');
    expect(codeOf(() => new Admission({ maxTenantInFlightBytes: 1.5 }))).toBe('BAD_ADMISSION_LIMIT');
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { beijingTime, buildEntry, describeEntry } from '../../src/entry/index.js';
import { entryInputArb, FIXED_NONCE, FIXED_TIME, sampleInput, SAMPLE_USCC } from './fixtures.js';

describe('describeEntry', () => {
  it('names the depositor with its USCC and the receive time in Beijing time with the offset', () => {
    const { entry } = buildEntry(sampleInput({ prev: 'd-41' }), { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(describeEntry(entry)).toEqual([
      'Kind: deposit (存证)',
      `Depositor: 示例科技有限公司 (USCC ${SAMPLE_USCC})`,
      'Tenant: t-0001',
      'SHA-256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'SM3: 66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
      'Digest computed by: the depositor (client side)',
      'Size: 3 bytes',
      'Title: 配方说明书',
      'Classification level (密级): 核心商密',
      'Labels: 配方, R&D',
      'New version of deposit: d-41',
      'Received: 2026-11-21 16:30:00.123 +08:00 (Beijing time); 2026-11-21T08:30:00.123Z UTC',
    ]);
  });

  it('says which deposit a lifecycle event concerns, and groups large sizes', () => {
    const { entry } = buildEntry(sampleInput({ kind: 'declassify', prev: 'd-7', size: 1234567, meta: { reviewer: '李四' }, hashedBy: 'server' }), {
      nonce: FIXED_NONCE, time: FIXED_TIME,
    });
    const lines = describeEntry(entry);
    expect(lines[0]).toBe('Kind: declassify (解密)');
    expect(lines).toContain('Concerns deposit: d-7');
    expect(lines).toContain('Size: 1,234,567 bytes');
    expect(lines).toContain('meta.reviewer: 李四');
    expect(lines).toContain('Digest computed by: the service, from the uploaded document');
  });

  it('never produces a line break inside a line, whatever the entry holds', () => {
    fc.assert(
      fc.property(entryInputArb, (input) => {
        for (const line of describeEntry(buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry)) {
          expect(line).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('beijingTime', () => {
  it('adds eight hours across the date line and keeps the milliseconds', () => {
    expect(beijingTime('2026-12-31T16:00:00.000Z')).toBe('2027-01-01 00:00:00.000 +08:00');
    expect(beijingTime('2028-02-28T23:59:59.999Z')).toBe('2028-02-29 07:59:59.999 +08:00');
    expect(beijingTime('0000-01-01T00:00:00.000Z')).toBe('0000-01-01 08:00:00.000 +08:00');
  });
  it('agrees with the Intl time zone database for Asia/Shanghai', () => {
    const fmt = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    fc.assert(
      fc.property(fc.date({ min: new Date('1992-01-01T00:00:00.000Z'), max: new Date('9999-12-30T00:00:00.000Z'), noInvalidDate: true }), (d) => {
        expect(beijingTime(d.toISOString()).slice(0, 19)).toBe(fmt.format(d));
      }),
    );
  });
});

/** describeEntry on v2: the operator, each kind's facts in words, the record's digest, the version concerned. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildEntry, checkEvent, describeEntry, type EntryEvent, type EntryInput, type LifecycleKind } from '../../src/entry/index.js';
import { v2InputArb } from './event-arbs.js';
import { FIXED_NONCE, FIXED_TIME, SAMPLE_USCC } from './fixtures.js';

const S = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const P = '164e0b3bed0c2fea4f843324bc0fc48e';
const base = { tenant: 't-0001', subject: { name: '示例科技有限公司', uscc: SAMPLE_USCC }, operator: 'u_0123456789abcdef', digest: { sha256: S }, size: 3, hashedBy: 'client' as const };

function lines(kind: LifecycleKind, event: Record<string, unknown>): string[] {
  return describeEntry(buildEntry({ kind, ...base, prev: P, event: checkEvent(kind, event) as EntryEvent }, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry);
}

describe('describeEntry on v2', () => {
  it('a classify event, line by line', () => {
    expect(lines('classify', { level: '核心商密', period: '2030-12-31', basis: '定密审批表 2026-17', record: { sha256: S, size: 2048 } })).toEqual([
      'Kind: classify (定密)',
      `Depositor: 示例科技有限公司 (USCC ${SAMPLE_USCC})`,
      'Tenant: t-0001',
      'Operator (操作人): u_0123456789abcdef (the tenant\'s user who made the request)',
      `Document version concerned (deposit): ${P}`,
      'Recorded: the document was classified as a trade secret (定密)',
      'Classification level (密级): 核心商密 (core trade secret)',
      'Secrecy period (保密期限): until 2030-12-31 (Beijing date), inclusive',
      'Basis (定密依据): 定密审批表 2026-17',
      `Record of the measure, SHA-256: ${S}`,
      'Record of the measure, size: 2,048 bytes',
      'The document concerned, as deposited:',
      `SHA-256: ${S}`,
      'Digest computed by: the depositor (client side)',
      'Size: 3 bytes',
      'Received: 2026-11-21 16:30:00.123 +08:00 (Beijing time); 2026-11-21T08:30:00.123Z UTC',
    ]);
  });

  it('the other kinds: 长期, measures with terms and art. 6 items, who and role, reason, method, ids', () => {
    expect(lines('reclassify', { period: '长期' })).toContain('Secrecy period (保密期限): 长期 (long term: no end date)');
    expect(lines('reclassify', { level: '机密级' })).toContain('Classification level (密级): 机密级');
    const conceal = lines('conceal', { measures: ['encryption', 'device-limit', 'agreement'] });
    expect(conceal).toEqual(expect.arrayContaining([
      'Measures (隐密措施): 3', '  encryption 加密 (SPC 2020 art. 6 item 4)', '  device-limit 限制涉密设备使用 (SPC 2020 art. 6 item 5)', '  agreement 保密协议 (SPC 2020 art. 6 item 1)',
      'Record of the measure: none deposited with the event',
    ]));
    const grant = lines('access-grant', { who: 'E1024', role: '研发工程师' });
    expect(grant.some((l) => l.startsWith('Person (人员): E1024 '))).toBe(true);
    expect(grant).toContain('Role (岗位): 研发工程师');
    expect(lines('access-revoke', { who: 'E1024' })[5]).toBe('Recorded: a person was removed from its need-to-know scope (知悉范围撤销)');
    expect(lines('declassify', { reason: '技术已公开' })).toContain('Reason (理由): 技术已公开');
    const destroy = lines('destroy', { reason: '保密期满', method: '碎纸机粉碎' });
    expect(destroy).toEqual(expect.arrayContaining(['Reason (理由): 保密期满', 'Method (销毁方式): 碎纸机粉碎']));
    const ids = Array.from({ length: 5 }, (_, i) => String(i).repeat(32));
    const audit = lines('departure-audit', { who: 'E7', returned: ids, destroyed: [ids[0]!] });
    expect(audit).toEqual(expect.arrayContaining([
      'Returned (返还): 5 deposits', `  ${ids.slice(0, 4).join(' ')}`, `  ${ids[4]}`, 'Destroyed (销毁): 1 deposit', `  ${ids[0]}`,
    ]));
    expect(lines('departure-audit', { who: 'E7' })).toContain('Returned or destroyed: none listed');
  });

  it('a v2 deposit prints as v1 does, with the operator after the tenant', () => {
    const input: EntryInput = { kind: 'deposit', ...base, prev: 'd-41' };
    const { operator: _o, ...v1 } = input;
    const v2Lines = describeEntry(buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry);
    const v1Lines = describeEntry(buildEntry(v1, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry);
    expect(v2Lines.filter((l) => !l.startsWith('Operator'))).toEqual(v1Lines);
    expect(v2Lines[3]).toBe('Operator (操作人): u_0123456789abcdef (the tenant\'s user who made the request)');
  });

  it('never produces a line break inside a line, for any v2 entry', () => {
    fc.assert(
      fc.property(v2InputArb, (input) => {
        for (const line of describeEntry(buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry)) expect(line).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
      }),
      { numRuns: 300 },
    );
  });
});

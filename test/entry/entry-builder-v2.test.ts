/**
 * EntryBuilder against buildEntry for format v2 (a builder given an operator): the same bytes for every
 * valid item of any kind (deposits and events), and the same error (code, field, message) or the same
 * bytes for items changed in ways that may or may not stay valid.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import { buildEntry, EntryBuilder, parseEntry, type EntryInput, type EntryItem, type EntryKind, type EntrySubject } from '../../src/entry/index.js';
import { fuzzRuns } from '../support/fuzz.js';
import { depositIdArb, EVENT_ARBS, idArb, kindEventArb, recordArb } from './event-arbs.js';
import { FIXED_NONCE, FIXED_TIME, hex64Arb, SAMPLE_USCC, textArb, usccArb } from './fixtures.js';

type Outcome = { ok: true; bytes: string } | { ok: false; code: string; field: unknown; message: string };

function outcome(fn: () => Uint8Array): Outcome {
  try {
    return { ok: true, bytes: Buffer.from(fn()).toString('hex') };
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    return { ok: false, code: e.code, field: e.details?.field, message: e.message };
  }
}

interface Head { kind: EntryKind; tenant: string; subject: EntrySubject; operator: string }

const viaBuildEntry = (h: Head, item: Record<string, unknown>): Outcome =>
  outcome(() => buildEntry({ ...h, ...item } as unknown as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes);
const viaBuilder = (b: EntryBuilder, item: Record<string, unknown>): Outcome =>
  outcome(() => b.build(item as unknown as EntryItem, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes);

const subjectArb = fc.record({ name: textArb(1, 40).filter((s) => !/^\s|\s$/u.test(s)), uscc: usccArb });
const common = {
  digest: fc.record({ sha256: hex64Arb, sm3: hex64Arb }, { requiredKeys: ['sha256'] }),
  size: fc.maxSafeNat(),
  hashedBy: fc.constantFrom('client', 'server'),
};

/** A head and a valid item for it: a deposit with meta and prev optional, or an event with its prev. */
const headItemArb: fc.Arbitrary<{ head: Head; item: Record<string, unknown> }> = fc.oneof(
  fc.record({
    head: fc.record({ kind: fc.constant<EntryKind>('deposit'), tenant: idArb, subject: subjectArb, operator: idArb }),
    item: fc.record({ ...common, meta: fc.record({ title: textArb(0, 20), level: textArb(0, 8) }, { requiredKeys: [] }), prev: idArb }, { requiredKeys: ['digest', 'hashedBy'] }),
  }),
  fc.tuple(kindEventArb, fc.record({ tenant: idArb, subject: subjectArb, operator: idArb }), fc.record({ ...common, prev: depositIdArb }, { requiredKeys: ['digest', 'hashedBy', 'prev'] }))
    .map(([{ kind, event }, h, item]) => ({ head: { kind, ...h }, item: { ...item, event } })),
);

/** Changes that may break an item: a member dropped, replaced by anything, or a member of the other sort added. */
const mutationArb: fc.Arbitrary<(item: Record<string, unknown>) => void> = fc.oneof(
  fc.constantFrom('event', 'prev', 'digest', 'hashedBy', 'meta', 'size').map((k) => (item: Record<string, unknown>) => { delete item[k]; }),
  fc.tuple(fc.constantFrom('event', 'prev', 'meta', 'size', 'hashedBy'), fc.anything()).map(([k, v]) => (item: Record<string, unknown>) => { item[k] = v; }),
  fc.constantFrom({}, { title: 'x' }).map((meta) => (item: Record<string, unknown>) => { item.meta = meta; }),
  fc.constantFrom(...(Object.keys(EVENT_ARBS) as (keyof typeof EVENT_ARBS)[])).chain((k) => EVENT_ARBS[k]).map((event) => (item: Record<string, unknown>) => { item.event = event; }),
  fc.tuple(fc.constantFrom('level', 'period', 'who', 'measures', 'reason', 'record', 'returned', 'extra'), fc.oneof(fc.anything(), recordArb, fc.constantFrom('张三', '13912345678', '2030-02-30', '长期', ['encryption', 'encryption'])))
    .map(([k, v]) => (item: Record<string, unknown>) => {
      if (item.event !== null && typeof item.event === 'object' && !Array.isArray(item.event)) item.event = { ...(item.event as object), [k]: v };
    }),
);

describe('EntryBuilder with an operator writes what buildEntry writes (v2)', () => {
  it('byte for byte, for any valid head and items of its kind', () => {
    fc.assert(
      fc.property(headItemArb, fc.array(headItemArb, { maxLength: 3 }), ({ head, item }, more) => {
        const builder = new EntryBuilder(head.kind, head.tenant, head.subject, head.operator);
        expect(builder.v).toBe(2);
        // Several items through one builder: the extra ones of the same kind reuse this head.
        const items = [item, ...more.filter((m) => m.head.kind === head.kind).map((m) => m.item)];
        for (const it of items) {
          const got = viaBuilder(builder, it);
          expect(got.ok, JSON.stringify(got)).toBe(true);
          expect(got).toEqual(viaBuildEntry(head, it));
          if (got.ok) expect(parseEntry(Buffer.from(got.bytes, 'hex')).operator).toBe(head.operator);
        }
      }),
      { numRuns: fuzzRuns(400) },
    );
  });

  it('throws what buildEntry throws (or writes what it writes) for changed items', () => {
    fc.assert(
      fc.property(headItemArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), ({ head, item }, mutations) => {
        const changed: Record<string, unknown> = { ...item };
        for (const m of mutations) m(changed);
        const builder = new EntryBuilder(head.kind, head.tenant, head.subject, head.operator);
        const got = viaBuilder(builder, changed);
        expect(got).toEqual(viaBuildEntry(head, changed));
        if (!got.ok) expect(got.code).toMatch(/^(ENTRY|EVENT)_/);
      }),
      { numRuns: fuzzRuns(800) },
    );
  });

  it('refuses what v2 refuses, with the same field as buildEntry', () => {
    const subject = { name: '示例科技有限公司', uscc: SAMPLE_USCC };
    const sha = 'a'.repeat(64);
    const prev = 'b'.repeat(32);
    const cases: [EntryKind, Record<string, unknown>, string, string][] = [
      ['deposit', { digest: { sha256: sha }, hashedBy: 'client', event: { reason: 'r' } }, 'ENTRY_BAD_FIELD', 'event'],
      ['declassify', { digest: { sha256: sha }, hashedBy: 'client', prev }, 'ENTRY_BAD_FIELD', 'event'],
      ['declassify', { digest: { sha256: sha }, hashedBy: 'client', event: { reason: 'r' } }, 'ENTRY_BAD_FIELD', 'prev'],
      ['declassify', { digest: { sha256: sha }, hashedBy: 'client', prev, event: { reason: 'r' }, meta: { note: 'x' } }, 'ENTRY_BAD_FIELD', 'meta'],
      ['access-grant', { digest: { sha256: sha }, hashedBy: 'client', prev, event: { who: '张三' } }, 'EVENT_PERSONAL_DATA', 'event.who'],
      ['conceal', { digest: { sha256: sha }, hashedBy: 'client', prev, event: { measures: ['shredding'] } }, 'EVENT_BAD_MEASURE', 'event.measures[0]'],
    ];
    for (const [kind, item, code, field] of cases) {
      const head = { kind, tenant: 't-0001', subject, operator: 'u_0123456789abcdef' };
      const got = viaBuilder(new EntryBuilder(kind, head.tenant, subject, head.operator), item);
      expect(got, `${kind} ${field}`).toMatchObject({ ok: false, code, field });
      expect(got).toEqual(viaBuildEntry(head, item));
    }
  });

  it('without an operator writes v1, and refuses an event there as buildEntry does (operator missing)', () => {
    const subject = { name: '示例科技有限公司', uscc: SAMPLE_USCC };
    const builder = new EntryBuilder('declassify', 't-0001', subject);
    expect(builder.v).toBe(1);
    const item = { digest: { sha256: 'a'.repeat(64) }, hashedBy: 'client', prev: 'b'.repeat(32), event: { reason: 'r' } };
    const got = viaBuilder(builder, item);
    expect(got).toMatchObject({ ok: false, code: 'ENTRY_BAD_FIELD', field: 'operator' });
    const { operator: _o, ...v1head } = { kind: 'declassify' as EntryKind, tenant: 't-0001', subject, operator: '' };
    expect(got).toEqual(outcome(() => buildEntry({ ...v1head, ...item } as unknown as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes));
  });

  it('a malformed operator fails at construction with buildEntry\'s error', () => {
    const subject = { name: '示例科技有限公司', uscc: SAMPLE_USCC };
    for (const op of ['', ' x', 'x y', '用户', 'x'.repeat(129)]) {
      let code: string | undefined;
      let field: unknown;
      try {
        new EntryBuilder('deposit', 't-0001', subject, op);
      } catch (e) {
        code = (e as CunzhengError).code;
        field = (e as CunzhengError).details?.field;
      }
      expect([code, field], op).toEqual(['ENTRY_BAD_FIELD', 'operator']);
      expect(viaBuildEntry({ kind: 'deposit', tenant: 't-0001', subject, operator: op }, { digest: { sha256: 'a'.repeat(64) }, hashedBy: 'client' })).toMatchObject({ code, field });
    }
  });
});

/**
 * Generators of valid v2 events and entries, for the v2 tests. Each produces what checkEvent accepts by
 * construction (the bounds of src/entry/README.md), in any key order the caller may give.
 */
import fc from 'fast-check';
import {
  CONCEAL_MEASURE_CODES, ENTRY_KINDS, LIFECYCLE_KINDS, PERIOD_LONG_TERM, type EntryEvent, type EntryInput, type LifecycleKind,
} from '../../src/entry/index.js';
import { hex64Arb, textArb, usccArb } from './fixtures.js';

export const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/);
export const depositIdArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
/** Event text: TEXT_RULE, no white space at either end, JSON-escaped characters and CJK likely. */
export const eventTextArb = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      textArb(1, Math.min(max, 60)),
      fc.string({ unit: fc.constantFrom('"', '\\', '商', '密', '😀', 'é', 'a', ' ', '/', '<'), minLength: 1, maxLength: Math.min(max, 30) }),
    )
    .filter((s) => s.length >= 1 && s.length <= max && !/^\s|\s$/u.test(s));

const dateArb = fc
  .date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2199-12-31T00:00:00.000Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
export const periodArb = fc.oneof(dateArb, fc.constant(PERIOD_LONG_TERM));
export const levelArb = fc.oneof(fc.constantFrom('核心商密', '重要商密', '普通商密'), eventTextArb(32));
/** Employee numbers and user ids, never a personal number. */
export const personRefArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/),
  fc.stringMatching(/^u_[0-9a-f]{16}$/),
  fc.stringMatching(/^E[0-9]{1,8}$/),
);
export const recordArb = fc.record({ sha256: hex64Arb, sm3: hex64Arb, size: fc.maxSafeNat() }, { requiredKeys: ['sha256'] });
const idsArb = fc.uniqueArray(depositIdArb, { minLength: 1, maxLength: 5 });

const person = { who: personRefArb, role: eventTextArb(64), record: recordArb };

export const EVENT_ARBS: { readonly [K in LifecycleKind]: fc.Arbitrary<Record<string, unknown>> } = {
  classify: fc.record({ level: levelArb, period: periodArb, basis: eventTextArb(1024), record: recordArb }, { requiredKeys: ['level', 'period'] }),
  reclassify: fc
    .record({ level: levelArb, period: periodArb, basis: eventTextArb(1024), record: recordArb }, { requiredKeys: [] })
    .filter((e) => e.level !== undefined || e.period !== undefined),
  conceal: fc.record({ measures: fc.shuffledSubarray([...CONCEAL_MEASURE_CODES], { minLength: 1 }), record: recordArb }, { requiredKeys: ['measures'] }),
  declassify: fc.record({ reason: eventTextArb(1024), record: recordArb }, { requiredKeys: ['reason'] }),
  destroy: fc.record({ reason: eventTextArb(1024), method: eventTextArb(256), record: recordArb }, { requiredKeys: ['reason', 'method'] }),
  'access-grant': fc.record(person, { requiredKeys: ['who'] }),
  'access-revoke': fc.record(person, { requiredKeys: ['who'] }),
  'departure-audit': fc.record({ who: personRefArb, returned: idsArb, destroyed: idsArb, record: recordArb }, { requiredKeys: ['who'] }),
};

/** A lifecycle kind with a valid event for it. */
export const kindEventArb: fc.Arbitrary<{ kind: LifecycleKind; event: Record<string, unknown> }> = fc
  .constantFrom(...LIFECYCLE_KINDS)
  .chain((kind) => EVENT_ARBS[kind].map((event) => ({ kind, event })));

const subjectArb = fc.record({ name: textArb(1, 60).filter((s) => !/^\s|\s$/u.test(s)), uscc: usccArb });
const digestArb = fc.record({ sha256: hex64Arb, sm3: hex64Arb }, { requiredKeys: ['sha256'] });
const hashedByArb = fc.constantFrom('client' as const, 'server' as const);
const metaArb = fc.record({ title: textArb(0, 30), level: fc.constantFrom('核心商密', '普通商密'), labels: fc.array(textArb(0, 8), { maxLength: 3 }) }, { requiredKeys: [] });

/** Any valid v2 input: a deposit (meta, prev optional) or an event (prev required, no meta). */
export const v2InputArb: fc.Arbitrary<EntryInput> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('deposit' as const), tenant: idArb, subject: subjectArb, operator: idArb, digest: digestArb, size: fc.maxSafeNat(),
      meta: metaArb, prev: fc.oneof(idArb, depositIdArb), hashedBy: hashedByArb,
    },
    { requiredKeys: ['kind', 'tenant', 'subject', 'operator', 'digest', 'hashedBy'] },
  ),
  fc.tuple(kindEventArb, fc.record(
    { tenant: idArb, subject: subjectArb, operator: idArb, digest: digestArb, size: fc.maxSafeNat(), prev: depositIdArb, hashedBy: hashedByArb },
    { requiredKeys: ['tenant', 'subject', 'operator', 'digest', 'prev', 'hashedBy'] },
  )).map(([{ kind, event }, rest]) => ({ kind, ...rest, event: event as unknown as EntryEvent })),
);

export { ENTRY_KINDS };

/**
 * applyEntry against a naive reference written here from design §2 alone: a plain table of which kinds each
 * status allows, the people as a set, and the refusal codes. For random sequences of new versions and
 * events (from small pools of people and levels, so that every rule is met often), the two must accept and
 * refuse the same entries with the same codes, and end with the same status, level, period, people and
 * counts. Every state on the way also survives its stored form.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ConcealMeasure } from '../../src/entry/index.js';
import { isCunzhengError } from '../../src/errors.js';
import { applyEntry, decodeDocState, encodeDocState, startDocument, type DocState } from '../../src/lifecycle/index.js';
import { lifecycleEvent, newVersion, rootDeposit, type Made } from './helpers.js';

type Status = 'unclassified' | 'classified' | 'declassified' | 'destroyed';

const ALLOWED: Record<Status, string[]> = {
  unclassified: ['deposit', 'classify', 'conceal', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'],
  classified: ['deposit', 'reclassify', 'conceal', 'declassify', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'],
  declassified: ['deposit', 'classify', 'conceal', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'],
  destroyed: ['departure-audit'],
};

interface Ref {
  status: Status;
  level: string | undefined;
  period: string | undefined;
  people: Map<string, string | undefined>;
  measures: string[];
  versions: number;
  events: number;
}

type Op =
  | { kind: 'deposit' }
  | { kind: 'classify'; level: string; period: string }
  | { kind: 'reclassify'; level?: string; period?: string }
  | { kind: 'conceal'; measures: ConcealMeasure[] }
  | { kind: 'declassify' }
  | { kind: 'destroy' }
  | { kind: 'access-grant'; who: string; role?: string }
  | { kind: 'access-revoke'; who: string }
  | { kind: 'departure-audit'; who: string };

/** The code the reference refuses `op` with, or null; and its next state. */
function refStep(r: Ref, op: Op): string | null {
  if (!ALLOWED[r.status].includes(op.kind)) {
    if (r.status === 'destroyed') return 'LIFECYCLE_DESTROYED';
    return op.kind === 'classify' ? 'LIFECYCLE_ALREADY_CLASSIFIED' : 'LIFECYCLE_NOT_CLASSIFIED';
  }
  if (op.kind === 'access-grant' && r.people.has(op.who)) return 'LIFECYCLE_ALREADY_GRANTED';
  if (op.kind === 'access-revoke' && !r.people.has(op.who)) return 'LIFECYCLE_NOT_GRANTED';
  if (op.kind === 'deposit') r.versions++;
  else r.events++;
  if (op.kind === 'classify') Object.assign(r, { status: 'classified', level: op.level, period: op.period });
  if (op.kind === 'reclassify') {
    if (op.level !== undefined) r.level = op.level;
    if (op.period !== undefined) r.period = op.period;
  }
  if (op.kind === 'declassify') r.status = 'declassified';
  if (op.kind === 'destroy') r.status = 'destroyed';
  if (op.kind === 'conceal') for (const m of op.measures) if (!r.measures.includes(m)) r.measures.push(m);
  if (op.kind === 'access-grant') r.people.set(op.who, op.role);
  if (op.kind === 'access-revoke') r.people.delete(op.who);
  return null;
}

function made(op: Op, doc: string, step: number): Made {
  switch (op.kind) {
    case 'deposit': return newVersion(doc, step);
    case 'classify': return lifecycleEvent('classify', { level: op.level, period: op.period }, doc, step);
    case 'reclassify': return lifecycleEvent('reclassify', { ...(op.level === undefined ? {} : { level: op.level }), ...(op.period === undefined ? {} : { period: op.period }) }, doc, step);
    case 'conceal': return lifecycleEvent('conceal', { measures: op.measures }, doc, step);
    case 'declassify': return lifecycleEvent('declassify', { reason: '已公开' }, doc, step);
    case 'destroy': return lifecycleEvent('destroy', { reason: '到期', method: '粉碎' }, doc, step);
    case 'access-grant': return lifecycleEvent('access-grant', { who: op.who, ...(op.role === undefined ? {} : { role: op.role }) }, doc, step);
    case 'access-revoke': return lifecycleEvent('access-revoke', { who: op.who }, doc, step);
    case 'departure-audit': return lifecycleEvent('departure-audit', { who: op.who }, doc, step);
  }
}

const who = fc.constantFrom('E1001', 'E1002', 'u_00aa', 'ZH-7');
const level = fc.constantFrom('核心商密', '重要商密', '普通商密');
const period = fc.constantFrom('长期', '2027-06-30', '2030-12-31');
const measure = fc.constantFrom<ConcealMeasure>('marking', 'encryption', 'isolation', 'agreement');
// destroy is rare (it ends a document's life), the rest often.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'destroy' as const }), weight: 1 },
  fc.constant({ kind: 'deposit' as const }),
  fc.record({ kind: fc.constant('classify' as const), level, period }),
  fc.oneof(
    fc.record({ kind: fc.constant('reclassify' as const), level }),
    fc.record({ kind: fc.constant('reclassify' as const), period }),
    fc.record({ kind: fc.constant('reclassify' as const), level, period }),
  ),
  fc.record({ kind: fc.constant('conceal' as const), measures: fc.uniqueArray(measure, { minLength: 1, maxLength: 4 }) }),
  fc.constant({ kind: 'declassify' as const }),
  { arbitrary: fc.record({ kind: fc.constant('access-grant' as const), who, role: fc.option(fc.constantFrom('研发', '法务'), { nil: undefined }) }).map((o) => (o.role === undefined ? { kind: o.kind, who: o.who } : o)), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('access-revoke' as const), who }), weight: 3 },
  fc.record({ kind: fc.constant('departure-audit' as const), who }),
);

describe('applyEntry against a reference state machine', () => {
  it('accepts exactly what the reference accepts, refuses with its code, and ends in the same state', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const root = rootDeposit();
        let state: DocState = startDocument(root.entry, root.id);
        const ref: Ref = { status: 'unclassified', level: undefined, period: undefined, people: new Map(), measures: [], versions: 1, events: 0 };
        ops.forEach((op, i) => {
          const m = made(op, root.id, i + 1);
          const want = refStep(ref, op);
          let got: string | null = null;
          try {
            state = applyEntry(state, m.entry, m.id);
          } catch (err) {
            if (!isCunzhengError(err)) throw err;
            got = err.code;
          }
          expect(got, `${op.kind} at ${i}`).toBe(want);
          seen.set(got ?? `ok ${op.kind}`, (seen.get(got ?? `ok ${op.kind}`) ?? 0) + 1);
          const back = decodeDocState(encodeDocState(state));
          expect(back).toEqual({ ok: true, state });
        });
        expect(state.status).toBe(ref.status);
        expect(state.level).toBe(ref.level);
        expect(state.period).toBe(ref.period);
        expect(state.people.map((p) => [p.who, p.role])).toEqual([...ref.people]);
        expect(state.measures).toEqual(ref.measures);
        expect([state.versions, state.events]).toEqual([ref.versions, ref.events]);
      }),
      { numRuns: 400 },
    );
    // The sequences met every rule, allowed and refused, many times.
    for (const key of ['LIFECYCLE_DESTROYED', 'LIFECYCLE_ALREADY_CLASSIFIED', 'LIFECYCLE_NOT_CLASSIFIED', 'LIFECYCLE_ALREADY_GRANTED', 'LIFECYCLE_NOT_GRANTED', 'ok reclassify', 'ok declassify', 'ok access-revoke', 'ok deposit', 'ok classify', 'ok departure-audit']) {
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(10);
    }
  });
});

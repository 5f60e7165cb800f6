/**
 * The stored form of a document's state: a round trip for any valid state, every single-bit flip refused
 * (all of them for a rich state, random ones for random states), and hostile or out-of-bounds records
 * answered {ok:false, reason} without a throw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromUtf8, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { CONCEAL_MEASURE_CODES, ENTRY_KINDS } from '../../src/entry/index.js';
import { decodeDocState, DOC_STATE_MAX_BYTES, encodeDocState, MAX_PEOPLE, type DocState } from '../../src/lifecycle/index.js';

const DOC = '0123456789abcdef0123456789abcdef';
const TIME = '2026-12-02T08:30:00.000Z';

const rich: DocState = {
  doc: DOC, tenant: 'tn_0123456789abcdef01234567', created: TIME, createdBy: 'u_00112233445566aa',
  latest: { id: 'fedcba9876543210fedcba9876543210', time: '2026-12-03T01:02:03.456Z', sha256: 'ab'.repeat(32), title: '配方 "A" 说明书, 第2版', filename: 'recipe.docx', size: 123456, labels: ['配方', 'R&D', ''] },
  versions: 2, status: 'classified', level: '核心商密', period: '2030-12-31', basis: '定密审批表\\2026-17',
  measures: ['encryption', 'marking'], people: [{ who: 'E1001', role: '研发', since: TIME }, { who: 'u_00aa', since: TIME }],
  last: { kind: 'access-grant', id: '11'.repeat(16), time: TIME, operator: 'u_00112233445566aa' }, events: 3,
};

/** Re-encodes a record's text with its check recomputed: a record that is well formed but says something invalid. */
function rechecked(mutate: (o: Record<string, unknown>) => void, base: DocState = rich): Uint8Array {
  const o = JSON.parse(fromUtf8(encodeDocState(base))) as Record<string, unknown>;
  delete o.check;
  mutate(o);
  const body = JSON.stringify(o);
  return utf8(`${body.slice(0, -1)},"check":"${toHex(sha256(utf8(`cunzheng/doc-state/v1\n${body}`)))}"}`);
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const timeArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const textArb = (min: number, max: number) => fc.string({ unit: fc.constantFrom('a', '密', '"', '\\', ' ', '😀', ',', '=', 'Z'), minLength: min, maxLength: max });
const refArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,20}$/);

const stateArb: fc.Arbitrary<DocState> = fc.record({
  doc: hex(32), tenant: fc.stringMatching(/^tn_[0-9a-f]{24}$/), created: timeArb, createdBy: fc.option(fc.stringMatching(/^u_[0-9a-f]{16}$/), { nil: undefined }),
  latest: fc.record({ id: hex(32), time: timeArb, sha256: hex(64), title: fc.option(textArb(0, 40), { nil: undefined }), filename: fc.option(textArb(0, 20), { nil: undefined }), size: fc.option(fc.nat(), { nil: undefined }), labels: fc.option(fc.array(textArb(0, 10), { maxLength: 5 }), { nil: undefined }) }),
  versions: fc.integer({ min: 1, max: 1000 }), status: fc.constantFrom('unclassified', 'classified', 'declassified', 'destroyed'),
  level: textArb(1, 32), period: fc.oneof(fc.constant('长期'), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
  basis: fc.option(textArb(1, 50), { nil: undefined }), measures: fc.uniqueArray(fc.constantFrom(...CONCEAL_MEASURE_CODES), { maxLength: 10 }),
  people: fc.uniqueArray(fc.record({ who: refArb, role: fc.option(textArb(1, 10), { nil: undefined }), since: timeArb }), { selector: (p) => p.who, maxLength: 8 }),
  last: fc.record({ kind: fc.constantFrom(...ENTRY_KINDS), id: hex(32), time: timeArb, operator: fc.option(fc.stringMatching(/^u_[0-9a-f]{16}$/), { nil: undefined }) }),
  events: fc.integer({ min: 0, max: 100_000 }),
}).map((r) => {
  // Drop absent members, then meet the invariants a real state has.
  const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const s = strip({ ...r, latest: strip(r.latest), people: r.people.map(strip), last: strip(r.last) }) as DocState;
  if (s.events === 0) Object.assign(s, { status: 'unclassified', last: { ...s.last, kind: 'deposit' } });
  if (s.status === 'unclassified') {
    delete s.level;
    delete s.period;
    delete s.basis;
  }
  if (s.versions === 1) s.latest.id = s.doc;
  else if (s.latest.id === s.doc) s.versions = 1;
  if (s.versions === 1 && s.events === 0) s.last.id = s.doc;
  return s;
});

describe('encodeDocState / decodeDocState', () => {
  it('round-trips a rich state, with the members in the documented order', () => {
    const bytes = encodeDocState(rich);
    expect(decodeDocState(bytes)).toEqual({ ok: true, state: rich });
    const text = fromUtf8(bytes);
    expect(Object.keys(JSON.parse(text))).toEqual(['v', 'doc', 'tenant', 'created', 'createdBy', 'latest', 'versions', 'status', 'level', 'period', 'basis', 'measures', 'people', 'last', 'events', 'check']);
    expect(text.startsWith('{"v":1,"doc":"0123456789abcdef0123456789abcdef","tenant":')).toBe(true);
    expect(text).not.toMatch(/\s"|":\s/);
  });

  it('round-trips any valid state', () => {
    fc.assert(fc.property(stateArb, (s) => {
      expect(decodeDocState(encodeDocState(s))).toEqual({ ok: true, state: s });
    }), { numRuns: 500 });
  });

  it('refuses every single-bit flip of a rich state', () => {
    const bytes = encodeDocState(rich);
    let refused = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice();
        flipped[i]! ^= 1 << bit;
        const got = decodeDocState(flipped);
        if (got.ok) throw new Error(`byte ${i} bit ${bit} accepted`);
        refused++;
      }
    }
    expect(refused).toBe(bytes.length * 8);
  });

  it('refuses a random single-bit flip of any state', () => {
    fc.assert(fc.property(stateArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (s, at, bit) => {
      const bytes = encodeDocState(s);
      bytes[at % bytes.length]! ^= 1 << bit;
      expect(decodeDocState(bytes).ok).toBe(false);
    }), { numRuns: 1000 });
  });

  it('never throws, whatever the bytes', () => {
    const valid = encodeDocState(rich);
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.tuple(fc.nat(valid.length), fc.uint8Array({ maxLength: 4 })).map(([at, ins]) => {
      const b = new Uint8Array(valid.length + ins.length);
      b.set(valid.subarray(0, at));
      b.set(ins, at);
      b.set(valid.subarray(at), at + ins.length);
      return b;
    })), (bytes) => {
      const got = decodeDocState(bytes);
      const unchanged = bytes.length === valid.length && bytes.every((b, i) => b === valid[i]);
      if (unchanged) expect(got.ok).toBe(true);
      else expect(got.ok === false && got.reason.length > 0).toBe(true);
    }), { numRuns: 1000 });
    expect(decodeDocState('{}' as unknown as Uint8Array)).toEqual({ ok: false, reason: 'not bytes' });
  });

  it('refuses records that are not the canonical text, even with a matching check', () => {
    const text = fromUtf8(encodeDocState(rich));
    for (const bad of [
      text.replace('{"v":1,', '{ "v":1,'),
      text.replace('"doc":', '"doc" :'),
      `${text}\n`,
      text.replace('"v":1,', '"v":1,"v":1,'),
      text.replace('"versions":2', '"versions":2.0'),
      text.replace('"level":"核心商密"', '"level":"\\u6838心商密"'),
    ]) expect(decodeDocState(utf8(bad)).ok).toBe(false);
    // Members reordered, or one added, each with its check recomputed over the bytes as they stand.
    expect(decodeDocState(rechecked((o) => { const { doc } = o; delete o.doc; o.doc = doc; })).ok).toBe(false);
    expect(decodeDocState(rechecked((o) => { o.extra = 1; })).ok).toBe(false);
    expect(decodeDocState(rechecked(() => undefined))).toEqual({ ok: true, state: rich });
  });

  it('refuses well-formed records that say something no state can', () => {
    const cases: [string, (o: Record<string, unknown>) => void][] = [
      ['version', (o) => { o.v = 2; }],
      ['doc', (o) => { o.doc = DOC.toUpperCase(); }],
      ['status', (o) => { o.status = 'expired'; }],
      ['period', (o) => { o.period = '2026-02-30'; }],
      ['level', (o) => { o.level = 'x'.repeat(33); }],
      ['classified without level', (o) => { delete o.level; }],
      ['unknown measure', (o) => { o.measures = ['encryption', 'shredding']; }],
      ['measure twice', (o) => { o.measures = ['encryption', 'encryption']; }],
      ['person twice', (o) => { o.people = [{ who: 'E1', since: TIME }, { who: 'E1', since: TIME }]; }],
      ['an ID-card number as person', (o) => { o.people = [{ who: '11010519491231002X', since: TIME }]; }],
      ['a name as person', (o) => { o.people = [{ who: '张三', since: TIME }]; }],
      ['time form', (o) => { o.created = '2026-12-02T08:30:00Z'; }],
      ['negative versions', (o) => { o.versions = 0; }],
      ['last kind', (o) => { o.last = { kind: 'shred', id: DOC, time: TIME }; }],
      ['title control character', (o) => { (o.latest as Record<string, unknown>).title = 'a\u0007b'; }],
      ['root as latest of two versions', (o) => { (o.latest as Record<string, unknown>).id = DOC; }],
    ];
    for (const [what, mutate] of cases) {
      const got = decodeDocState(rechecked(mutate));
      expect(got.ok, what).toBe(false);
      if (!got.ok) expect(got.reason.length, what).toBeGreaterThan(5);
    }
  });

  it('holds the bounds: MAX_PEOPLE people decode, one more is refused; records above DOC_STATE_MAX_BYTES are not parsed', () => {
    const people = Array.from({ length: MAX_PEOPLE }, (_, i) => ({ who: `E${String(i).padStart(60, '0')}`, role: '研'.repeat(64), since: TIME }));
    const full: DocState = { ...rich, people };
    const bytes = encodeDocState(full);
    expect(bytes.length).toBeLessThan(DOC_STATE_MAX_BYTES);
    expect(decodeDocState(bytes)).toEqual({ ok: true, state: full });
    const over = decodeDocState(encodeDocState({ ...rich, people: [...people, { who: 'E-more', since: TIME }] }));
    expect(over).toEqual({ ok: false, reason: `people holds ${MAX_PEOPLE + 1} items, at most ${MAX_PEOPLE}` });
    expect(decodeDocState(new Uint8Array(DOC_STATE_MAX_BYTES + 1))).toEqual({ ok: false, reason: `${DOC_STATE_MAX_BYTES + 1} bytes, at most ${DOC_STATE_MAX_BYTES}` });
  });
});

/**
 * The fold and the diff against naive references (fast-check): random lives of documents — roots, versions,
 * events, some refused by the rules, some naming nothing — folded by foldDocuments give exactly the records
 * and states a per-document list of entries gives; and diffTable finds exactly the set differences a Map
 * comparison finds; the record keys parse back to what made them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { ExpectedRecords, diffTable, foldDocuments, recordKeys, type Pair } from '../../src/ledger/index.js';
import { toHex } from '../../src/crypto/index.js';
import { applyEntry, startDocument, type DocState } from '../../src/lifecycle/index.js';
import { deposit, event, type Built } from './documents-model.js';

type Op =
  | { t: 'root'; tenant: number }
  | { t: 'version'; doc: number }
  | { t: 'event'; doc: number; kind: number }
  | { t: 'dangling'; tenant: number };

const TENANTS = ['tn_a', 'tn_b'];
const EVENTS: [Exclude<Parameters<typeof event>[1], never>, Record<string, unknown>][] = [
  ['classify', { level: '核心商密', period: '长期' }],
  ['reclassify', { level: '普通商密' }],
  ['declassify', { reason: '已公开' }],
  ['conceal', { measures: ['isolation', 'agreement'] }],
  ['access-grant', { who: 'E7' }],
  ['access-revoke', { who: 'E7' }],
  ['destroy', { reason: '到期', method: '粉碎' }],
  ['departure-audit', { who: 'E7' }],
];

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('root' as const), tenant: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('version' as const), doc: fc.nat(20) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('event' as const), doc: fc.nat(20), kind: fc.nat(EVENTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dangling' as const), tenant: fc.nat(1) }) },
);

/** Entries of a life, and the naive reference: each document's entries in order, its state skipping what the rules refuse. */
function life(ops: Op[]): { entries: Built[]; docs: { tenant: string; root: Built; members: { b: Built; leaf: number }[]; state: DocState }[]; refused: number[]; dangling: number[] } {
  const entries: Built[] = [];
  const docs: { tenant: string; root: Built; members: { b: Built; leaf: number }[]; state: DocState }[] = [];
  const refused: number[] = [];
  const dangling: number[] = [];
  for (const o of ops) {
    const leaf = entries.length;
    if (o.t === 'root') {
      const b = deposit(TENANTS[o.tenant]!);
      docs.push({ tenant: TENANTS[o.tenant]!, root: b, members: [], state: startDocument(b.entry, b.id) });
      entries.push(b);
    } else if (o.t === 'dangling') {
      entries.push(deposit(TENANTS[o.tenant]!, toHex(randomBytes(16))));
      dangling.push(leaf);
    } else {
      const d = docs[o.doc % Math.max(docs.length, 1)];
      if (d === undefined) continue;
      const of = d.members.length > 0 && o.t === 'version' ? d.members[d.members.length - 1]!.b : d.root;
      const b = o.t === 'version' ? deposit(d.tenant, of.id) : event(d.root, EVENTS[o.kind]![0], EVENTS[o.kind]![1]);
      entries.push(b);
      d.members.push({ b, leaf });
      try {
        d.state = applyEntry(d.state, b.entry, b.id);
      } catch {
        refused.push(leaf);
      }
    }
  }
  return { entries, docs, refused, dangling };
}

describe('foldDocuments', () => {
  it('gives the records and states of a naive per-document fold', async () => {
    const seen = { refused: 0, dangling: 0, changed: 0 };
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
      const { entries, docs, refused, dangling } = life(ops);
      seen.refused += refused.length;
      seen.dangling += dangling.length;
      const source = {
        async scanEntries(from: number, to: number, onChunk: (c: [number, Uint8Array][]) => void): Promise<void> {
          for (let i = from; i < to; i += 7) onChunk(entries.slice(i, Math.min(to, i + 7)).map((b, j) => [i + j, b.bytes]));
        },
      };
      const roots: string[] = [];
      const members: string[] = [];
      const problems: [number, string][] = [];
      const states = await foldDocuments(source, entries.length, {
        root: (tenant, id, leaf) => roots.push(`${tenant}/${toHex(id)}/${leaf}`),
        member: (tenant, id, doc, leaf) => members.push(`${tenant}/${toHex(id)}/${toHex(doc)}/${leaf}`),
        problem: (leaf, code) => problems.push([leaf, code]),
      });
      expect(roots).toEqual(docs.map((d) => `${d.tenant}/${d.root.id}/${entries.indexOf(d.root)}`));
      expect(members.sort()).toEqual(docs.flatMap((d) => d.members.map((m) => `${d.tenant}/${m.b.id}/${d.root.id}/${m.leaf}`)).sort());
      expect(problems.filter(([, c]) => c === 'DOC_RULE_VIOLATION').map(([l]) => l)).toEqual(refused);
      expect(problems.filter(([, c]) => c === 'DOC_PREV_DANGLING').map(([l]) => l)).toEqual(dangling);
      expect(problems.length).toBe(refused.length + dangling.length);
      const changed = docs.filter((d) => d.members.length > 0);
      expect([...states.keys()].sort()).toEqual(changed.map((d) => d.root.id).sort());
      for (const d of changed) expect(states.get(d.root.id)).toEqual(d.state);
      seen.changed += changed.length;
    }), { numRuns: 60 });
    // The lives were lives: documents changed, some entries refused, some naming nothing.
    expect(Math.min(seen.refused, seen.dangling, seen.changed)).toBeGreaterThan(0);
  });
});

describe('diffTable', () => {
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 6 });
  it('finds exactly the missing, stray and differing records a Map comparison finds; of equal keys the first added counts', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(bytes, bytes), { maxLength: 40 }), fc.array(fc.tuple(bytes, bytes), { maxLength: 40 }), async (exp, sto) => {
      const key = (b: Uint8Array): string => toHex(Uint8Array.of(0x78, ...b));
      const want = new Map<string, string>();
      const e = new ExpectedRecords();
      for (const [k, v] of exp) {
        e.add(Uint8Array.of(0x78, ...k), v);
        if (!want.has(key(k))) want.set(key(k), toHex(v));
      }
      const stored = new Map<string, string>();
      for (const [k, v] of sto) stored.set(key(k), toHex(v));
      const sorted = [...stored].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')));
      const got = { missing: [] as string[], stray: [] as string[], differs: [] as string[] };
      const n = await diffTable(async (onChunk: (kv: Pair[]) => void) => {
        for (let i = 0; i < sorted.length; i += 3) onChunk(sorted.slice(i, i + 3).map(([k, v]) => [Buffer.from(k, 'hex'), Buffer.from(v, 'hex')]));
      }, e, {
        missing: (k, v) => got.missing.push(`${toHex(k)}=${toHex(v)}`),
        stray: (k) => got.stray.push(toHex(k)),
        differs: (k, s, w) => got.differs.push(`${toHex(k)}:${toHex(s)}>${toHex(w)}`),
      });
      expect(n).toBe(stored.size);
      expect(e.size + e.duplicates).toBe(exp.length);
      expect(got.missing.sort()).toEqual([...want].filter(([k]) => !stored.has(k)).map(([k, v]) => `${k}=${v}`).sort());
      expect(got.stray.sort()).toEqual([...stored.keys()].filter((k) => !want.has(k)).sort());
      expect(got.differs.sort()).toEqual([...want].filter(([k, v]) => stored.has(k) && stored.get(k) !== v).map(([k, v]) => `${k}:${stored.get(k)}>${v}`).sort());
    }), { numRuns: 300 });
  });
});

describe('the document record keys', () => {
  it('parse back to the tenant, ids and leaf that made them, and are told apart from each other', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(), (tenant, id, leaf) => {
      const hex = toHex(id);
      const h = recordKeys.historyKey(recordKeys.historyPrefix(tenant, id), leaf);
      const n = recordKeys.rootKey(recordKeys.rootsPrefix(tenant), leaf);
      const c = recordKeys.docStateKey(tenant, id);
      const r = recordKeys.docOfKey(id);
      expect(recordKeys.parseHistoryKey(h)).toEqual({ tenantId: tenant, doc: hex, leafIndex: leaf });
      expect(recordKeys.parseRootKey(n)).toEqual({ tenantId: tenant, leafIndex: leaf });
      expect(recordKeys.parseDocStateKey(c)).toEqual({ tenantId: tenant, doc: hex });
      expect(recordKeys.parseDocOfKey(r)).toEqual({ id: hex });
      for (const [k, parsers] of [[h, [recordKeys.parseRootKey, recordKeys.parseDocStateKey, recordKeys.parseDocOfKey]], [n, [recordKeys.parseHistoryKey, recordKeys.parseDocStateKey]], [c, [recordKeys.parseHistoryKey, recordKeys.parseRootKey]]] as const) {
        for (const p of parsers) expect(p(k)).toBeUndefined();
      }
    }), { numRuns: 300 });
  });
});

/**
 * Format v2: fixed vectors written out by hand (their leaf hashes pinned with node:crypto, not the code
 * under test), round trips of arbitrary valid v2 entries, one spelling per entry (any single-byte change
 * fails or parses to a different entry), the v2 member rules, and v1 read exactly as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CunzhengError } from '../../src/errors.js';
import { buildEntry, checkEvent, describeEntry, ENTRY_VERSIONS, parseEntry, type Entry, type EntryInput } from '../../src/entry/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { fuzzRuns } from '../support/fuzz.js';
import { v2InputArb } from './event-arbs.js';
import { FIXED_NONCE, FIXED_TIME } from './fixtures.js';

const U = '91440300000000000E';
const S = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const M = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
const P = '164e0b3bed0c2fea4f843324bc0fc48e';
const OP = 'u_0123456789abcdef';
const subject = { name: '示例科技有限公司', uscc: U };
const base = { tenant: 't-0001', subject, operator: OP, digest: { sha256: S, sm3: M }, size: 3, hashedBy: 'client' as const };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const leafHex = (bytes: Uint8Array | string): string => createHash('sha256').update(Buffer.from([0])).update(bytes).digest('hex');

function caught(fn: () => unknown): CunzhengError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CunzhengError) return e;
    throw e;
  }
  return undefined;
}

const HEAD = (kind: string): string =>
  `{"v":2,"kind":"${kind}","tenant":"t-0001","subject":{"name":"示例科技有限公司","uscc":"${U}"},"operator":"${OP}","digest":{"sha256":"${S}","sm3":"${M}"},"size":3`;
const TAIL = ',"hashedBy":"client","nonce":"000102030405060708090a0b0c0d0e0f","time":"2026-11-21T08:30:00.123Z"}';

/** Each: the input, the bytes it must write (by hand), their byte length and leaf hash (node:crypto, once). */
const VECTORS: { name: string; input: EntryInput; text: string; length: number; leaf: string }[] = [
  {
    name: 'a v2 deposit (operator after subject)',
    input: { kind: 'deposit', ...base, meta: { title: '配方说明书' } },
    text: `${HEAD('deposit')},"meta":{"title":"配方说明书"}${TAIL}`,
    length: 449,
    leaf: '09eb963df4db71e3507cd9d65ad97bd101935560e746f9958e23f737326e9faf',
  },
  {
    name: 'a classify event (keys ascending, record as sha256, sm3, size, quotes escaped)',
    input: {
      kind: 'classify', ...base, prev: P,
      event: checkEvent('classify', { record: { size: 1024, sm3: S, sha256: M }, period: '2030-12-31', level: '核心商密', basis: '《保密管理制度》第3条 "核心"' }),
    },
    text: `${HEAD('classify')},"event":{"basis":"《保密管理制度》第3条 \\"核心\\"","level":"核心商密","period":"2030-12-31","record":{"sha256":"${M}","sm3":"${S}","size":1024}},"prev":"${P}"${TAIL}`,
    length: 737,
    leaf: '4dc231d25d4d32115021c8ec5972a1a0f9406d452e9ec09666783885292390f3',
  },
  {
    name: 'a conceal event (measures in the order given)',
    input: { kind: 'conceal', ...base, prev: P, event: checkEvent('conceal', { measures: ['encryption', 'marking', 'access-limit'] }) },
    text: `${HEAD('conceal')},"event":{"measures":["encryption","marking","access-limit"]},"prev":"${P}"${TAIL}`,
    length: 517,
    leaf: 'a2c5685fe2620ae12c385a99853a872a5ab6c62d2c88e2f4a09c6083048442e9',
  },
  {
    name: 'a departure audit (ids as given, who last)',
    input: {
      kind: 'departure-audit', ...base, prev: P,
      event: checkEvent('departure-audit', { who: 'E1024', returned: ['a'.repeat(32), 'c'.repeat(32)], destroyed: ['b'.repeat(32)] }),
    },
    text: `${HEAD('departure-audit')},"event":{"destroyed":["${'b'.repeat(32)}"],"returned":["${'a'.repeat(32)}","${'c'.repeat(32)}"],"who":"E1024"},"prev":"${P}"${TAIL}`,
    length: 620,
    leaf: '49a64f33724db0a38e1928685581958a4aecc6a877264f68b6ebadadae2f7b6e',
  },
];

describe('v2 vectors', () => {
  for (const v of VECTORS) {
    it(`${v.name}: buildEntry writes exactly the hand-written bytes, and parseEntry reads them back`, () => {
      expect(leafHex(v.text)).toBe(v.leaf); // the vector itself is what was pinned
      const { entry, bytes } = buildEntry(v.input, { nonce: FIXED_NONCE, time: FIXED_TIME });
      expect(Buffer.from(bytes).toString('utf8')).toBe(v.text);
      expect(bytes.length).toBe(v.length);
      expect(Buffer.from(hashLeaf(bytes)).toString('hex')).toBe(v.leaf);
      expect(entry.v).toBe(2);
      expect(parseEntry(utf8(v.text))).toEqual(entry);
    });
  }
});

describe('v2 round trips', () => {
  it('any valid v2 input: built bytes parse to the same entry, and re-building that entry writes the same bytes', () => {
    fc.assert(
      fc.property(v2InputArb, (input) => {
        const { entry, bytes } = buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME });
        expect(entry.v).toBe(2);
        const parsed = parseEntry(bytes);
        expect(parsed).toEqual(entry);
        expect(Object.isFrozen(parsed)).toBe(true);
        if (parsed.event !== undefined) expect(Object.isFrozen(parsed.event)).toBe(true);
        const { v: _v, nonce: _n, time: _t, ...again } = parsed;
        expect(buildEntry(again as EntryInput, { nonce: FIXED_NONCE, time: FIXED_TIME }).bytes).toEqual(bytes);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('any single-byte change of a valid v2 entry fails to parse, or parses to a different entry', () => {
    fc.assert(
      fc.property(v2InputArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (input, at, delta) => {
        const { entry, bytes } = buildEntry(input, { nonce: FIXED_NONCE, time: FIXED_TIME });
        const mutated = bytes.slice();
        const i = at % mutated.length;
        mutated[i] = (mutated[i]! + delta) & 0xff;
        let parsed: Entry | undefined;
        try {
          parsed = parseEntry(mutated);
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
          expect((e as CunzhengError).code).toMatch(/^(ENTRY|EVENT)_/);
          return;
        }
        expect(parsed).not.toEqual(entry);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('hostile values in any member of a v2 event entry answer an ENTRY_* or EVENT_* code, nothing else', () => {
    const good = JSON.parse(VECTORS[1]!.text) as Record<string, unknown>;
    const keys = ['operator', 'event', 'prev', 'meta', 'kind', 'v'];
    const eventKeys = ['level', 'period', 'basis', 'record', 'who', 'measures'];
    fc.assert(
      fc.property(fc.constantFrom(...keys, ...eventKeys), fc.jsonValue({ maxDepth: 4 }), (key, value) => {
        const o: Record<string, unknown> = { ...good };
        if (eventKeys.includes(key)) o.event = { ...(good.event as object), [key]: value };
        else o[key] = value;
        try {
          parseEntry(utf8(JSON.stringify(o)));
        } catch (e) {
          expect(e).toBeInstanceOf(CunzhengError);
          expect((e as CunzhengError).code).toMatch(/^(ENTRY|EVENT)_/);
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('refuses every other spelling of a vector: whitespace, reordered members, escapes, event keys out of order', () => {
    const text = VECTORS[1]!.text;
    const spellings = [
      text.replace('"operator":', ' "operator":'),
      text.replace(`,"operator":"${OP}"`, '').replace('"subject":', `"operator":"${OP}","subject":`),
      text.replace(`,"operator":"${OP}"`, '').replace('"hashedBy"', `"operator":"${OP}","hashedBy"`),
      text.replace('"level":"核心商密","period":"2030-12-31"', '"period":"2030-12-31","level":"核心商密"'),
      text.replace(`"sha256":"${M}","sm3":"${S}","size":1024`, `"sha256":"${M}","size":1024,"sm3":"${S}"`),
      text.replace('"kind":"classify"', '"kind":"\\u0063lassify"'),
      text.replace('"size":1024', '"size":1.024e3'),
      text.replace(`,"prev":"${P}"`, '').replace('"event":', `"prev":"${P}","event":`),
    ];
    for (const s of spellings) {
      expect(s).not.toBe(text);
      expect(JSON.parse(s)).toEqual(JSON.parse(text)); // the same members, spelled otherwise
      expect(caught(() => parseEntry(utf8(s)))?.code, s.slice(0, 80)).toBe('ENTRY_NOT_CANONICAL');
    }
    // An empty id list is written as no list: its spelling with [] is not canonical.
    const audit = VECTORS[3]!.text.replace('"returned":', '"removed":[],"returned":').replace('"removed"', '"destroyed"').replace(`"destroyed":["${'b'.repeat(32)}"],`, '');
    expect(caught(() => parseEntry(utf8(audit)))?.code).toBe('ENTRY_NOT_CANONICAL');
  });
});

describe('the v2 member rules', () => {
  const good = (): Record<string, unknown> => JSON.parse(VECTORS[1]!.text) as Record<string, unknown>;
  const parseObject = (o: unknown): CunzhengError | undefined => caught(() => parseEntry(utf8(JSON.stringify(o))));
  const deposit = (): Record<string, unknown> => JSON.parse(VECTORS[0]!.text) as Record<string, unknown>;

  it('reads versions 1 and 2', () => {
    expect(ENTRY_VERSIONS).toEqual([1, 2]);
  });

  it('v2 without an operator, or with a malformed one, is ENTRY_BAD_FIELD operator', () => {
    const { operator: _o, ...without } = good();
    expect(parseObject(without)?.details).toMatchObject({ field: 'operator', reason: 'missing' });
    for (const bad of ['', ' u1', 'u 1', 'é', 1, null, 'x'.repeat(129)]) {
      const e = parseObject({ ...good(), operator: bad });
      expect([e?.code, e?.details?.field], String(bad)).toEqual(['ENTRY_BAD_FIELD', 'operator']);
    }
  });

  it('v1 has no operator and no event (ENTRY_UNKNOWN_FIELD), as before', () => {
    const v1: Record<string, unknown> = { ...good(), v: 1 };
    expect(parseObject(v1)?.code).toBe('ENTRY_UNKNOWN_FIELD');
    const { operator: _o, ...noOp } = v1;
    expect(parseObject(noOp)?.details).toMatchObject({ field: 'event' });
    expect(parseObject(noOp)?.code).toBe('ENTRY_UNKNOWN_FIELD');
  });

  it('a deposit carries no event; an event kind carries an event and a prev, and no meta', () => {
    const e1 = parseObject({ ...deposit(), event: { level: '核心商密', period: '长期' } });
    expect([e1?.code, e1?.details?.field]).toEqual(['ENTRY_BAD_FIELD', 'event']);
    const { event: _e, ...noEvent } = good();
    expect([parseObject(noEvent)?.code, parseObject(noEvent)?.details?.field]).toEqual(['ENTRY_BAD_FIELD', 'event']);
    const { prev: _p, ...noPrev } = good();
    expect([parseObject(noPrev)?.code, parseObject(noPrev)?.details?.field]).toEqual(['ENTRY_BAD_FIELD', 'prev']);
    const withMeta = { ...good(), meta: { title: 'x' } };
    expect([parseObject(withMeta)?.code, parseObject(withMeta)?.details?.field]).toEqual(['ENTRY_BAD_FIELD', 'meta']);
  });

  it('an event of the wrong kind fails with the event code of its first field', () => {
    expect(parseObject({ ...good(), kind: 'destroy' })?.code).toBe('EVENT_UNKNOWN_FIELD');
    expect(parseObject({ ...good(), kind: 'conceal' })?.code).toBe('EVENT_UNKNOWN_FIELD');
    expect(parseObject({ ...good(), event: {} })?.details).toMatchObject({ field: 'event.level' });
  });

  it('buildEntry writes v2 exactly when an operator is given, and refuses an event without one', () => {
    const { operator: _o, ...v1 } = base;
    expect(buildEntry({ kind: 'deposit', ...v1 }, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry.v).toBe(1);
    expect(buildEntry({ kind: 'deposit', ...v1, operator: undefined }, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry.v).toBe(1);
    expect(buildEntry({ kind: 'deposit', ...base }, { nonce: FIXED_NONCE, time: FIXED_TIME }).entry.v).toBe(2);
    const e = caught(() => buildEntry({ kind: 'declassify', ...v1, prev: P, event: { reason: '已公开' } }));
    expect([e?.code, e?.details?.field]).toEqual(['ENTRY_BAD_FIELD', 'operator']);
    // v1 lifecycle entries (no event) are still written and read, as before.
    const old = buildEntry({ kind: 'declassify', ...v1, prev: 'd-7', meta: { note: '已公开' } }, { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(parseEntry(old.bytes)).toEqual(old.entry);
  });

  it('the largest departure audit (2 × 1000 ids) builds and parses within ENTRY_MAX_BYTES', () => {
    const ids = (c: number): string[] => Array.from({ length: 1000 }, (_, i) => (c * 1000 + i).toString(16).padStart(32, '0'));
    const event = checkEvent('departure-audit', {
      who: 'x'.repeat(64), returned: ids(1), destroyed: ids(2), record: { sha256: S, sm3: M, size: Number.MAX_SAFE_INTEGER },
    });
    const big = { ...base, subject: { name: '𠀀'.repeat(128), uscc: U }, tenant: 't'.repeat(128), operator: 'o'.repeat(128), prev: 'p'.repeat(128) };
    const { entry, bytes } = buildEntry({ kind: 'departure-audit', ...big, event }, { nonce: FIXED_NONCE, time: FIXED_TIME });
    expect(bytes.length).toBeLessThan(80 * 1024);
    expect(parseEntry(bytes)).toEqual(entry);
  });
});

describe('v1 stays readable, byte for byte', () => {
  it('every checked-in receipt\'s entry parses as v1 and rebuilds to the same bytes', () => {
    const dir = join(process.cwd(), 'fixtures/receipts');
    const names = readdirSync(dir).filter((n) => n.endsWith('.receipt.json'));
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const n of names) {
      const receipt = JSON.parse(readFileSync(join(dir, n), 'utf8')) as { entry: string };
      const bytes = new Uint8Array(Buffer.from(receipt.entry, 'base64'));
      const entry = parseEntry(bytes);
      expect(entry.v, n).toBe(1);
      expect(entry.operator).toBeUndefined();
      const { v: _v, nonce, time, ...input } = entry;
      const again = buildEntry(input as EntryInput, { nonce: Buffer.from(nonce, 'hex'), time: new Date(time) });
      expect(Buffer.from(again.bytes).equals(Buffer.from(bytes)), n).toBe(true);
    }
  });

  it('the README\'s v1 example still parses, to the bytes it is', () => {
    const readme = readFileSync(join(process.cwd(), 'src/entry/README.md'), 'utf8');
    const example = /```json\n(\{"v":1,[^\n]*)\n```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const entry = parseEntry(utf8(example!));
    expect(entry.v).toBe(1);
    expect(JSON.stringify(entry)).toBe(example);
  });

  it('the README\'s v2 example parses, has the byte length and leaf hash it states, and prints as it shows', () => {
    const readme = readFileSync(join(process.cwd(), 'src/entry/README.md'), 'utf8');
    const example = /```json\n(\{"v":2,[^\n]*)\n```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const stated = /Example \((\d+) bytes, leaf hash `([0-9a-f]{64})`/.exec(readme);
    expect(stated).not.toBeNull();
    expect(utf8(example!).length).toBe(Number(stated![1]));
    expect(leafHex(example!)).toBe(stated![2]);
    const entry = parseEntry(utf8(example!));
    expect(JSON.stringify(entry)).toBe(example);
    const shown = /```\n(Kind: classify[^`]*)```/.exec(readme)?.[1];
    expect(shown?.trimEnd().split('\n')).toEqual(describeEntry(entry));
  });
});

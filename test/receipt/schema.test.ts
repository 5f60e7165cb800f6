/**
 * The receipt's JSON Schema (src/receipt/schema.ts, the OpenAPI `Receipt`) held to the receipts the service
 * really makes: buildReceipt, with and without anchors (receiptAnchors, withAnchors), single and batch
 * replies as the reply writer writes them, from generated inputs. Validated with Ajv, the validator the
 * HTTP layer uses, in strict mode.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import AjvModule from 'ajv';
import { toBase64 } from '../../src/crypto/index.js';
import {
  batchReplyJson, buildReceipt, isBuiltReceipt, parseReceipt, proofHashEncoder, receiptAnchors, receiptReplyJson, withAnchors,
  type Receipt, type StampedCheckpoint,
} from '../../src/receipt/index.js';
import { AnchorSchema, BatchReplySchema, ReceiptSchema } from '../../src/receipt/schema.js';
import { isCunzhengError } from '../../src/errors.js';
import { fuzzRuns } from '../support/fuzz.js';

// ajv is CommonJS: its class is the module's `default` (as @fastify/ajv-compiler takes it).
const ajv = new AjvModule.default({ strict: true, allErrors: true });
ajv.addSchema(ReceiptSchema);
const validReceipt = ajv.getSchema('Receipt')!;
const validBatch = ajv.compile(BatchReplySchema);

type Json = Record<string, unknown>;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Every object schema in `s`, with the path of its members (`anchors[]` for array items). */
function objectSchemas(s: Json, path = ''): { path: string; schema: Json }[] {
  const out: { path: string; schema: Json }[] = [];
  if (s.type === 'object') {
    out.push({ path, schema: s });
    for (const [k, v] of Object.entries(s.properties as Record<string, Json>)) out.push(...objectSchemas(v, path === '' ? k : `${path}.${k}`));
  } else if (s.type === 'array') out.push(...objectSchemas(s.items as Json, `${path}[]`));
  return out;
}

/** The members a value has, by the same paths. */
function memberPaths(v: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) memberPaths(x, `${path}[]`, into);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const p = path === '' ? k : `${path}.${k}`;
      into.add(p);
      memberPaths(x, p, into);
    }
  }
  return into;
}

const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const token = fc.uint8Array({ minLength: 1, maxLength: 300 }).map(toBase64);
const inputArb = fc.record({
  entryBytes: fc.uint8Array({ minLength: 1, maxLength: 1500 }),
  leafIndex: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
  inclusionProof: fc.array(hash, { maxLength: 64 }),
});
type Evidence = { cert: string; ocsp?: string; crl?: string };
interface Shared { checkpoint: string; origin: string; logKey: string; tokens: { tsa: string; token: string; genTime: string; revocation?: Evidence[] }[]; how: 0 | 1 | 2 }
const evidenceArb: fc.Arbitrary<Evidence> = fc.record(
  { cert: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')), ocsp: token, crl: token },
  { requiredKeys: ['cert'] },
).filter((e) => e.ocsp !== undefined || e.crl !== undefined);
type Input = { entryBytes: Uint8Array; leafIndex: number; inclusionProof: Uint8Array[] };
const sharedArb: fc.Arbitrary<Shared> = fc.record({
  checkpoint: nonEmpty,
  origin: nonEmpty,
  logKey: nonEmpty,
  // revocation evidence on some tokens: their receipts are v2
  tokens: fc.array(
    fc.record({ tsa: nonEmpty, token, genTime: fc.constant('2026-01-01T00:00:00.000Z'), revocation: fc.array(evidenceArb, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['tsa', 'token', 'genTime'] }),
    { maxLength: 3 },
  ),
  // 0: no anchors; 1: anchors given to buildReceipt; 2: added by withAnchors.
  how: fc.constantFrom(0 as const, 1 as const, 2 as const),
});

/** A group's receipts, as the service builds them: one checkpoint, one log, one way of anchoring. */
function build(sh: Shared, inputs: Input[]): Receipt[] {
  const encode = proofHashEncoder();
  const stamped: StampedCheckpoint = { checkpoint: sh.checkpoint, anchors: sh.tokens };
  return inputs.map((i) => {
    const base = { ...i, checkpoint: sh.checkpoint, origin: sh.origin, logKey: sh.logKey, encodeHash: encode };
    if (sh.how === 1) return buildReceipt({ ...base, anchors: receiptAnchors(stamped) });
    const r = buildReceipt(base);
    return sh.how === 2 ? withAnchors(r, stamped) : r;
  });
}

describe('ReceiptSchema and the receipts buildReceipt makes', () => {
  const declared = objectSchemas(ReceiptSchema as unknown as Json);

  it('closes every object it describes (additionalProperties: false), and Ajv really refuses extras', () => {
    expect(declared.map((d) => d.path)).toEqual(['', 'anchors[]', 'anchors[].revocation[]', 'log']);
    for (const d of declared) expect(d.schema.additionalProperties).toBe(false);
    expect((AnchorSchema as unknown as Json).additionalProperties).toBe(false);
    const r = JSON.parse(JSON.stringify(buildReceipt({ entryBytes: new Uint8Array([1]), leafIndex: 0, inclusionProof: [], checkpoint: 'c', origin: 'o', logKey: 'k' }))) as Json;
    expect(validReceipt(r)).toBe(true);
    for (const extra of [{ ...r, extra: 1 }, { ...r, log: { ...(r.log as Json), extra: 1 } }, { ...r, anchors: [{ type: 'rfc3161', checkpoint: 'c', token: 'AA==', consistency: [], extra: 1 }] }]) {
      expect(validReceipt(extra)).toBe(false);
    }
  });

  it('validates every single and batch reply; every named member is produced, every required one always; bytes are JSON.stringify', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(sharedArb, fc.array(inputArb, { minLength: 1, maxLength: 8 }), (sh, inputs) => {
      const receipts = build(sh, inputs);
      const created = receipts.map((_, i) => i % 3 !== 1);
      for (const r of receipts) {
        // v2 exactly when an anchor carries evidence; only v1 receipts take the writer's built path
        const v2 = r.anchors.some((a) => a.revocation !== undefined);
        expect(r.format).toBe(v2 ? 'cunzheng/receipt/v2' : 'cunzheng/receipt/v1');
        expect(isBuiltReceipt(r)).toBe(!v2);
        const single = receiptReplyJson(r);
        expect(sameBytes(single, utf8(JSON.stringify(r)))).toBe(true);
        const value = JSON.parse(text(single)) as Json;
        expect(validReceipt(value), JSON.stringify(validReceipt.errors)).toBe(true);
        const members = memberPaths(value);
        for (const m of members) seen.add(m);
        // Every member the schema requires, in the receipt, its log and each of its anchors.
        const required = (path: string): string[] => declared.find((d) => d.path === path)!.schema.required as string[];
        const holds = (o: unknown, path: string): void => {
          for (const k of required(path)) expect(Object.hasOwn(o as object, k), `${path}.${k}`).toBe(true);
        };
        holds(value, '');
        holds(value.log, 'log');
        for (const a of value.anchors as Json[]) {
          holds(a, 'anchors[]');
          for (const e of (a.revocation as unknown[] | undefined) ?? []) holds(e, 'anchors[].revocation[]');
        }
        // The schema's reading and the parser's agree: what validates here parses back to the same receipt.
        expect(parseReceipt(single)).toEqual(JSON.parse(JSON.stringify(r)));
      }
      const batch = batchReplyJson(receipts, created);
      expect(sameBytes(batch, utf8(JSON.stringify({ receipts, created })))).toBe(true);
      expect(validBatch(JSON.parse(text(batch))), JSON.stringify(validBatch.errors)).toBe(true);
    }), { numRuns: fuzzRuns(150) });
    const named = declared.flatMap((d) => Object.keys(d.schema.properties as Json).map((k) => (d.path === '' ? k : `${d.path}.${k}`)));
    expect(named.filter((p) => !seen.has(p))).toEqual([]);
    expect([...seen].filter((p) => !named.includes(p))).toEqual([]);
  });
});

describe('withAnchors and receiptAnchors', () => {
  const base = { entryBytes: new Uint8Array([7, 8, 9]), leafIndex: 5, inclusionProof: [new Uint8Array(32).fill(1)], checkpoint: 'log\n6\nroot\n\n— log sig\n', origin: 'log', logKey: 'log+00+key' };
  const stamped = { checkpoint: base.checkpoint, anchors: [{ tsa: 'https://tsa.example', token: 'AAAA', genTime: 't' }, { tsa: 'https://b.example', token: 'BBBB', genTime: 't' }] };

  it('carries only the tokens, at the receipt\'s own checkpoint, with no consistency proof; frozen, still built', () => {
    const r = withAnchors(buildReceipt(base), stamped);
    expect(r.anchors).toEqual([
      { type: 'rfc3161', checkpoint: base.checkpoint, token: 'AAAA', consistency: [] },
      { type: 'rfc3161', checkpoint: base.checkpoint, token: 'BBBB', consistency: [] },
    ]);
    expect(Object.keys(r)).toEqual(['format', 'id', 'entry', 'index', 'proof', 'checkpoint', 'anchors', 'log']);
    expect(isBuiltReceipt(r) && Object.isFrozen(r) && Object.isFrozen(r.anchors) && Object.isFrozen(r.anchors[0])).toBe(true);
    expect(buildReceipt({ ...base, anchors: receiptAnchors(stamped) })).toEqual(r);
  });

  it('keeps the anchors a receipt has and never adds a token twice; a copy stays a plain (not built) receipt', () => {
    const once = withAnchors(buildReceipt(base), stamped);
    const more = { checkpoint: base.checkpoint, anchors: [...stamped.anchors, { token: 'CCCC' }] };
    expect(withAnchors(once, more).anchors.map((a) => a.token)).toEqual(['AAAA', 'BBBB', 'CCCC']);
    const copy = withAnchors({ ...buildReceipt(base) }, stamped);
    expect(isBuiltReceipt(copy)).toBe(false);
    expect(copy).toEqual(once);
  });

  it('refuses tokens of another checkpoint (RECEIPT_ANCHOR_CHECKPOINT_MISMATCH): they would need a consistency proof', () => {
    let err: unknown;
    try {
      withAnchors(buildReceipt(base), { checkpoint: `${base.checkpoint}— witness sig\n`, anchors: stamped.anchors });
    } catch (e) {
      err = e;
    }
    expect(isCunzhengError(err, 'RECEIPT_ANCHOR_CHECKPOINT_MISMATCH')).toBe(true);
  });

  it('makes one anchors array per stamped checkpoint (so a group\'s replies encode it once), and a new one when its tokens change', () => {
    const s = { checkpoint: 'c', anchors: [{ token: 'AAAA' }] };
    const a = receiptAnchors(s);
    expect(receiptAnchors(s)).toBe(a);
    s.anchors.push({ token: 'BBBB' });
    expect(receiptAnchors(s).map((x) => x.token)).toEqual(['AAAA', 'BBBB']);
  });
});

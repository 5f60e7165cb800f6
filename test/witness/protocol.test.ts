/**
 * witness/protocol.ts: the tlog-witness bodies round-trip, and every hostile body is a coded refusal
 * (WITNESS_BAD_REQUEST, WITNESS_REQUEST_TOO_LARGE, WITNESS_BAD_RESPONSE), never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import {
  MAX_ADD_CHECKPOINT_BODY, MAX_COSIGNATURE_LINES, MAX_PROOF_LINES, appendSignatureLines, formatAddCheckpointRequest, formatSizeBody,
  parseAddCheckpointRequest, parseCosignatureLines, parseSizeBody,
} from '../../src/witness/protocol.js';
import { fuzzRuns } from '../support/fuzz.js';
import { TestLog } from './helpers.js';

const log = new TestLog('proto.example/log').grow(64);
const cp = log.checkpoint(20);
const proof = log.proof(13, 20);

/** The code thrown (undefined if none); any exception that is not a CunzhengError fails the test. */
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CunzhengError) return e.code;
    throw new Error(`not a CunzhengError: ${String(e)}`);
  }
  return undefined;
}

describe('add-checkpoint request', () => {
  it('round-trips, byte for byte as the spec shows it', () => {
    const body = formatAddCheckpointRequest({ oldSize: 13, proof, checkpoint: cp });
    expect(body.startsWith(`old 13\n${Buffer.from(proof[0]!).toString('base64')}\n`)).toBe(true);
    expect(body).toContain(`\n\n${cp}`);
    const r = parseAddCheckpointRequest(body);
    expect(r.oldSize).toBe(13);
    expect(r.proof.map((h) => Buffer.from(h).toString('hex'))).toEqual(proof.map((h) => Buffer.from(h).toString('hex')));
    expect(r.checkpoint).toBe(cp);
    expect(parseAddCheckpointRequest(new TextEncoder().encode(body))).toEqual(r);
    expect(parseAddCheckpointRequest(`old 0\n\n${cp}`)).toEqual({ oldSize: 0, proof: [], checkpoint: cp });
  });

  it('refuses every malformed body with WITNESS_BAD_REQUEST', () => {
    const h = Buffer.from(proof[0]!).toString('base64');
    const bad = [
      '', 'old 1', 'old 1\n', `old 1\n${h}\n`, 'old 1\n\n', `old 01\n\n${cp}`, `old -1\n\n${cp}`, `old +1\n\n${cp}`, `old 1.0\n\n${cp}`,
      `old  1\n\n${cp}`, `old 1 \n\n${cp}`, `Old 1\n\n${cp}`, `old 9007199254740992\n\n${cp}`, `old 99999999999999999999\n\n${cp}`,
      `old 1\r\n\r\n${cp}`, `old 1\n${h.slice(0, -1)}\n\n${cp}`, `old 1\n${h}x\n\n${cp}`, `old 1\n${Buffer.alloc(31).toString('base64')}\n\n${cp}`,
      `old 1\n${h} \n\n${cp}`, `old 1\n\n${cp.replace('\n\n', '\n')}`, `old 1\n\nnot a checkpoint\n\n— x AAAAAAAA\n`, `old 1\n\n${cp}\u0000`,
      `old 1\n\n${cp.slice(0, -1)}`, `old 1\n\n${cp.replace('20\n', '020\n')}`, `old 1\n\n${cp}\n`, `\uFEFFold 1\n\n${cp}`, `old 1\n\n\ud800${cp}`,
      `old 1\n${`${h}\n`.repeat(MAX_PROOF_LINES + 1)}\n${cp}`,
    ];
    for (const b of bad) expect(codeOf(() => parseAddCheckpointRequest(b)), JSON.stringify(b.slice(0, 60))).toBe('WITNESS_BAD_REQUEST');
    expect(codeOf(() => parseAddCheckpointRequest(new Uint8Array([0x6f, 0x6c, 0x64, 0x20, 0x31, 0x0a, 0x0a, 0xff, 0xfe])))).toBe('WITNESS_BAD_REQUEST');
    for (const x of [null, undefined, 1, {}, []]) expect(codeOf(() => parseAddCheckpointRequest(x as never))).toBe('WITNESS_BAD_REQUEST');
    // 63 proof lines are the most a client may send: accepted.
    expect(parseAddCheckpointRequest(`old 1\n${`${h}\n`.repeat(MAX_PROOF_LINES)}\n${cp}`).proof).toHaveLength(MAX_PROOF_LINES);
  });

  it('refuses a body over MAX_ADD_CHECKPOINT_BODY with WITNESS_REQUEST_TOO_LARGE, as bytes and as a string', () => {
    const big = `old 1\n\n${cp}${'x'.repeat(MAX_ADD_CHECKPOINT_BODY)}`;
    expect(codeOf(() => parseAddCheckpointRequest(big))).toBe('WITNESS_REQUEST_TOO_LARGE');
    expect(codeOf(() => parseAddCheckpointRequest(new Uint8Array(MAX_ADD_CHECKPOINT_BODY + 1)))).toBe('WITNESS_REQUEST_TOO_LARGE');
    expect(codeOf(() => parseAddCheckpointRequest('\u4e2d'.repeat(Math.ceil(MAX_ADD_CHECKPOINT_BODY / 3) + 1)))).toBe('WITNESS_REQUEST_TOO_LARGE');
  });

  it('formats only what it would parse back', () => {
    for (const r of [
      { oldSize: -1, proof: [], checkpoint: cp }, { oldSize: 1.5, proof: [], checkpoint: cp }, { oldSize: 2 ** 53, proof: [], checkpoint: cp },
      { oldSize: 1, proof: [new Uint8Array(31)], checkpoint: cp }, { oldSize: 1, proof: 'x', checkpoint: cp }, { oldSize: 1, proof: [], checkpoint: 'x' },
      { oldSize: 1, proof: Array(64).fill(new Uint8Array(32)), checkpoint: cp }, null,
    ]) expect(codeOf(() => formatAddCheckpointRequest(r as never))).toBe('WITNESS_BAD_REQUEST');
  });

  it('property: any old size and proof round-trip', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: MAX_PROOF_LINES }),
      (oldSize, p) => {
        const r = parseAddCheckpointRequest(formatAddCheckpointRequest({ oldSize, proof: p, checkpoint: cp }));
        expect(r.oldSize).toBe(oldSize);
        expect(r.proof).toEqual(p.map((x) => new Uint8Array(x)));
        expect(r.checkpoint).toBe(cp);
      },
    ), { numRuns: fuzzRuns(200) });
  });

  it('property: arbitrary bytes, strings and mutations of a good body are parsed or refused with a code, nothing else', () => {
    const good = formatAddCheckpointRequest({ oldSize: 13, proof, checkpoint: cp });
    const mutated = fc.tuple(fc.nat({ max: good.length }), fc.nat({ max: 8 }), fc.string({ maxLength: 8, unit: 'binary' })).map(([at, cut, ins]) => good.slice(0, at) + ins + good.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string({ maxLength: 512, unit: 'binary' }), mutated), (body) => {
      const code = codeOf(() => parseAddCheckpointRequest(body));
      expect([undefined, 'WITNESS_BAD_REQUEST']).toContain(code);
    }), { numRuns: fuzzRuns(1000) });
  });
});

describe('the 409 size body', () => {
  it('round-trips and is strict', () => {
    for (const n of [0, 1, 20852014, Number.MAX_SAFE_INTEGER]) expect(parseSizeBody(formatSizeBody(n))).toBe(n);
    expect(formatSizeBody(7)).toBe('7\n');
    for (const b of ['', '7', '07\n', '-1\n', '7 \n', ' 7\n', '7\n\n', '7\r\n', '0x7\n', '9007199254740992\n', 'seven\n', '1'.repeat(40) + '\n']) {
      expect(codeOf(() => parseSizeBody(b)), JSON.stringify(b)).toBe('WITNESS_BAD_RESPONSE');
    }
    for (const n of [-1, 1.5, NaN, 2 ** 53]) expect(codeOf(() => formatSizeBody(n))).toBe('WITNESS_BAD_RESPONSE');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.uint8Array({ maxLength: 40 })), (b) => {
      expect([undefined, 'WITNESS_BAD_RESPONSE']).toContain(codeOf(() => parseSizeBody(b)));
    }), { numRuns: fuzzRuns(500) });
  });
});

describe('the 200 cosignature lines', () => {
  const line = '\u2014 witness.example/w1 ' + Buffer.alloc(76, 7).toString('base64');

  it('parse one or more lines and append them under a note', () => {
    expect(parseCosignatureLines(`${line}\n`)).toEqual([line]);
    expect(parseCosignatureLines(`${line}\n${line.replace('w1', 'w2')}\n`)).toHaveLength(2);
    expect(appendSignatureLines(cp, [line])).toBe(`${cp}${line}\n`);
  });

  it('refuse what is no signature line', () => {
    for (const b of ['', '\n', line, `${line}\n\n`, `- witness.example/w1 AAAAAAAA\n`, '\u2014 witness.example/w1\n', '\u2014  x AAAAAAAA\n',
      '\u2014 w AAAA\n', '\u2014 w AAAAAA==\n', `${line}\r\n`, `${line}\n`.repeat(MAX_COSIGNATURE_LINES + 1), `\u2014 w ${'A'.repeat(9000)}\n`]) {
      expect(codeOf(() => parseCosignatureLines(b)), JSON.stringify(b.slice(0, 40))).toBe('WITNESS_BAD_RESPONSE');
    }
    expect(codeOf(() => appendSignatureLines(cp, ['not a line']))).toBe('WITNESS_BAD_RESPONSE');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.uint8Array({ maxLength: 200 })), (b) => {
      expect([undefined, 'WITNESS_BAD_RESPONSE']).toContain(codeOf(() => parseCosignatureLines(b)));
    }), { numRuns: fuzzRuns(500) });
  });
});


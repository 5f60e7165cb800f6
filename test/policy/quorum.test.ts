/** checkCheckpointPolicy on real checkpoints: signed by a log key, cosigned with cosignerFromSeed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import { sha256, sm2PublicKeyFromPrivate, utf8 } from '../../src/crypto/index.js';
import { addSignatures, formatSm2VerifierKey, parseVerifierKey, signNote, sm2SignerFromPrivate } from '../../src/note/index.js';
import { checkCheckpointPolicy, evaluateQuorum, parsePolicy, type Policy } from '../../src/policy/index.js';
import { ORIGIN, codeOf, failure, logSigner, logVkey, witnessSigner, witnessVkey } from './helpers.js';

const cp: Checkpoint = { origin: ORIGIN, treeSize: 42, rootHash: sha256(utf8('root 42')), extensions: [] };
const other: Checkpoint = { ...cp, treeSize: 43, rootHash: sha256(utf8('root 43')) };

/** The checkpoint signed by log key 1 and cosigned by witnesses `ws`. */
function note(ws: number[], c: Checkpoint = cp): string {
  return signCheckpoint(c, logSigner(1), ws.map((n) => witnessSigner(n)));
}

const TWO_OF_THREE = parsePolicy(`log ${logVkey(1)}
witness A ${witnessVkey(1)}
witness B ${witnessVkey(2)}
witness C ${witnessVkey(3)}
group abc 2 A B C
quorum abc
`);

describe('a 2-of-3 quorum', () => {
  it('is met by two cosignatures and names them with their times', () => {
    const r = checkCheckpointPolicy(note([1, 3]), TWO_OF_THREE);
    expect(r.checkpoint.treeSize).toBe(42);
    expect(r.cosigners).toEqual([
      { witness: 'A', keyName: 'witness.example/w1', keyId: parseVerifierKey(witnessVkey(1)).keyId, time: 1_700_000_001 },
      { witness: 'C', keyName: 'witness.example/w3', keyId: parseVerifierKey(witnessVkey(3)).keyId, time: 1_700_000_003 },
    ]);
    expect(r.logSignatures).toEqual([{ name: ORIGIN, keyId: logSigner(1).keyId, type: 'ed25519' }]);
    expect(checkCheckpointPolicy(note([1, 2, 3]), TWO_OF_THREE).cosigners).toHaveLength(3);
  });
  it('is not met by one, and the error says who cosigned and what was needed', () => {
    let err: unknown;
    try {
      checkCheckpointPolicy(note([2]), TWO_OF_THREE);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'POLICY_QUORUM_NOT_MET',
      details: { treeSize: 42, have: ['B'], need: { quorum: 'abc', groups: [{ name: 'abc', threshold: 2, members: ['A', 'B', 'C'] }] } },
    });
    expect((err as Error).message).toContain('cosigned by B; needs abc = 2 of (A, B, C)');
    expect(codeOf(() => checkCheckpointPolicy(note([]), TWO_OF_THREE))).toBe('POLICY_QUORUM_NOT_MET');
  });
  it('ignores cosignatures by keys the policy does not list', () => {
    expect(codeOf(() => checkCheckpointPolicy(note([1, 7, 8]), TWO_OF_THREE))).toBe('POLICY_QUORUM_NOT_MET');
    expect(checkCheckpointPolicy(note([7, 1, 8, 2]), TWO_OF_THREE).cosigners.map((c) => c.witness)).toEqual(['A', 'B']);
  });
  it('does not count one witness twice for a repeated line', () => {
    const n = note([1]);
    const lines = n.slice(n.lastIndexOf('\n\n') + 2).split('\n').filter(Boolean);
    const doubled = `${n}${lines[1]}\n`;
    expect(codeOf(() => checkCheckpointPolicy(doubled, TWO_OF_THREE))).toBe('POLICY_QUORUM_NOT_MET');
  });
  it('rejects a note with a forged line by a listed witness (NOTE_BAD_SIGNATURE), however many others cosigned', () => {
    // w3's genuine cosignature of another tree, pasted under this one: name and key ID match, signature does not.
    const foreign = note([3], other);
    const line = foreign.split('\n').find((l) => l.startsWith('— witness.example/w3 '))!;
    expect(codeOf(() => checkCheckpointPolicy(`${note([1, 2])}${line}\n`, TWO_OF_THREE))).toBe('NOTE_BAD_SIGNATURE');
  });
});

describe('nested groups, as in the spec\'s example', () => {
  const p = parsePolicy(`log ${logVkey(1)}
witness X1 ${witnessVkey(1)}
witness X2 ${witnessVkey(2)}
witness X3 ${witnessVkey(3)}
group X 2 X1 X2 X3
witness Y1 ${witnessVkey(4)}
witness Y2 ${witnessVkey(5)}
group Y any Y1 Y2
group XY all X Y
quorum XY
`);
  it('needs two X and one Y', () => {
    expect(checkCheckpointPolicy(note([1, 3, 5]), p).cosigners.map((c) => c.witness)).toEqual(['X1', 'X3', 'Y2']);
    expect(codeOf(() => checkCheckpointPolicy(note([1, 2, 3]), p))).toBe('POLICY_QUORUM_NOT_MET');
    expect(codeOf(() => checkCheckpointPolicy(note([1, 4, 5]), p))).toBe('POLICY_QUORUM_NOT_MET');
  });
});

describe('the log', () => {
  it('quorum none wants only the log\'s signature', () => {
    const p = parsePolicy(`log ${logVkey(1)}\nquorum none\n`);
    expect(checkCheckpointPolicy(note([]), p).cosigners).toEqual([]);
  });
  it('a checkpoint of a log the policy does not list: POLICY_UNKNOWN_LOG', () => {
    const p = parsePolicy(`log ${logVkey(1, 'other.example/log')}\nquorum none\n`);
    expect(codeOf(() => checkCheckpointPolicy(note([]), p))).toBe('POLICY_UNKNOWN_LOG');
    // … unless the caller trusts that log's key itself
    expect(checkCheckpointPolicy(note([]), p, { extraLogs: [parseVerifierKey(logVkey(1))] }).checkpoint.origin).toBe(ORIGIN);
  });
  it('a listed origin signed by another key: CHECKPOINT_UNSIGNED_BY_LOG', () => {
    const p = parsePolicy(`log ${logVkey(2)}\nwitness A ${witnessVkey(1)}\nquorum A\n`);
    expect(codeOf(() => checkCheckpointPolicy(note([1]), p))).toBe('CHECKPOINT_UNSIGNED_BY_LOG');
  });
  it('with origin, a checkpoint of another origin is refused', () => {
    expect(codeOf(() => checkCheckpointPolicy(note([1, 2]), TWO_OF_THREE, { origin: 'example.com/else' }))).toBe('CHECKPOINT_ORIGIN_MISMATCH');
  });
  it('log-quorum all: every listed key of the origin must sign (two keys of the same origin)', () => {
    const text = `log ${logVkey(1)}\nlog ${logVkey(2)}\nlog ${logVkey(3, 'unrelated.example/log')}\nwitness A ${witnessVkey(1)}\nquorum A\n`;
    const any = parsePolicy(text);
    const all = parsePolicy(`log-quorum all\n${text}`);
    const one = note([1]);
    expect(checkCheckpointPolicy(one, any).logSignatures).toHaveLength(1);
    expect(failure(() => checkCheckpointPolicy(one, all))).toMatchObject({ code: 'POLICY_LOG_SIGNATURE_MISSING' });
    const both = addSignatures(one, [logSigner(2)]);
    const r = checkCheckpointPolicy(both, all);
    expect(r.logSignatures.map((s) => s.keyId).sort()).toEqual([logSigner(1).keyId, logSigner(2).keyId].sort());
    // signed by key 2 alone: any is met, all is not
    const twoOnly = signNote(one.slice(0, one.indexOf('\n\n') + 1), [logSigner(2), witnessSigner(1)]);
    expect(checkCheckpointPolicy(twoOnly, any).cosigners).toHaveLength(1);
    expect(codeOf(() => checkCheckpointPolicy(twoOnly, all))).toBe('POLICY_LOG_SIGNATURE_MISSING');
  });
});

/** The quorum by its definition: a group witnesses iff SOME k-subset of its members all witness. */
function naive(p: Policy, cosigned: ReadonlySet<string>, name: string): boolean {
  if (name === 'none') return true;
  const g = p.groups.find((x) => x.name === name);
  if (g === undefined) return cosigned.has(name);
  const n = g.members.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const subset = g.members.filter((_, i) => (mask >> i) & 1);
    if (subset.length >= g.threshold && subset.every((m) => naive(p, cosigned, m))) return true;
  }
  return false;
}

describe('evaluateQuorum against the naive definition', () => {
  it('agrees on random policies and random sets of cosigners', () => {
    const shape = fc.record({
      witnesses: fc.integer({ min: 1, max: 6 }),
      groups: fc.array(fc.record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), k: fc.nat(), form: fc.nat(2) }), { maxLength: 5 }),
      quorum: fc.nat(),
      cosigned: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    });
    fc.assert(fc.property(shape, (s) => {
      const names: string[] = [];
      const lines: string[] = [];
      for (let i = 0; i < s.witnesses; i++) {
        names.push(`w${i}`);
        lines.push(`witness w${i} ${witnessVkey(i + 1)}`);
      }
      s.groups.forEach((g, i) => {
        const members = [...new Set(g.picks.map((x) => names[x % names.length]!))];
        const k = 1 + (g.k % members.length);
        const threshold = g.form === 0 ? 'all' : g.form === 1 && k === 1 ? 'any' : String(k);
        lines.push(`group g${i} ${threshold} ${members.join(' ')}`);
        names.push(`g${i}`);
      });
      const quorum = s.quorum % (names.length + 1) === names.length ? 'none' : names[s.quorum % (names.length + 1)]!;
      lines.push(`quorum ${quorum}`);
      const p = parsePolicy(lines.join('\n'));
      const cosigned = names.filter((n, i) => n.startsWith('w') && s.cosigned[i] === true);
      expect(evaluateQuorum(p, cosigned)).toBe(naive(p, new Set(cosigned), p.quorum));
    }), { numRuns: 1000 });
  });
});

describe('log-quorum all with an Ed25519 and an SM2 key of the same log', () => {
  const d = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const sm2 = sm2SignerFromPrivate(ORIGIN, d);
  const sm2Vkey = formatSm2VerifierKey(ORIGIN, sm2PublicKeyFromPrivate(d));
  const text = `log ${logVkey(1)}\nlog ${sm2Vkey}\nwitness A ${witnessVkey(1)}\nquorum A\n`;
  const any = parsePolicy(text);
  const all = parsePolicy(`log-quorum all\n${text}`);
  const body = note([]).slice(0, note([]).indexOf('\n\n') + 1);

  it('parses the SM2 vkey as a log key (type 0xff), and refuses it as a witness key', () => {
    expect(all.logs.map((l) => l.verifier.type)).toEqual([0x01, 0xff]);
    expect(failure(() => parsePolicy(`witness S ${sm2Vkey}\nquorum none\n`))).toEqual({ code: 'POLICY_WRONG_KEY_TYPE', line: 1 });
  });
  it('is met when both sign, and reports both signatures', () => {
    const both = signNote(body, [logSigner(1), sm2, witnessSigner(1)]);
    expect(checkCheckpointPolicy(both, all).logSignatures.map((s) => s.type).sort()).toEqual(['ed25519', 'sm2']);
  });
  it('is refused when only the Ed25519 key signed (POLICY_LOG_SIGNATURE_MISSING naming the SM2 key)', () => {
    let details: unknown;
    try {
      checkCheckpointPolicy(signNote(body, [logSigner(1), witnessSigner(1)]), all);
    } catch (err) {
      expect(err).toMatchObject({ code: 'POLICY_LOG_SIGNATURE_MISSING' });
      details = (err as { details: unknown }).details;
    }
    expect(details).toMatchObject({ missing: [sm2Vkey] });
  });
  it('without log-quorum all, either signature suffices', () => {
    expect(checkCheckpointPolicy(signNote(body, [logSigner(1), witnessSigner(1)]), any).logSignatures).toHaveLength(1);
    expect(checkCheckpointPolicy(signNote(body, [sm2, witnessSigner(1)]), any).logSignatures).toEqual([
      { name: ORIGIN, keyId: sm2.keyId, type: 'sm2' },
    ]);
    expect(codeOf(() => checkCheckpointPolicy(signNote(body, [sm2, witnessSigner(1)]), all))).toBe('POLICY_LOG_SIGNATURE_MISSING');
  });
});

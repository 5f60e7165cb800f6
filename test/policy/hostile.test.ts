/** parsePolicy on hostile input: sizes, counts, depth, octets that are not UTF-8, and random soup. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import { POLICY_LIMITS, displayName, evaluateQuorum, parsePolicy } from '../../src/policy/index.js';
import { failure, logVkey, witnessVkey } from './helpers.js';

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const enc = new TextEncoder();
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? enc.encode(p) : p));
  return Uint8Array.from(out);
};

describe('sizes and counts', () => {
  it('refuses a file over 1 MiB, as text or as bytes, before reading a line', () => {
    const big = `# ${'x'.repeat(POLICY_LIMITS.maxBytes)}\nquorum none\n`;
    expect(failure(() => parsePolicy(big))).toEqual({ code: 'POLICY_TOO_LARGE', line: undefined });
    expect(failure(() => parsePolicy(new TextEncoder().encode(big))).code).toBe('POLICY_TOO_LARGE');
    // 600k CJK characters are under 1 MiB as UTF-16 units but 1.8 MB of UTF-8.
    expect(failure(() => parsePolicy(`# ${'证'.repeat(600_000)}\nquorum none\n`)).code).toBe('POLICY_TOO_LARGE');
  });
  it('reads just under 1 MiB of comments, and 10,000 lines, quickly', () => {
    const t0 = Date.now();
    const almost = `quorum none\n#${'y'.repeat(POLICY_LIMITS.maxBytes - 20)}\n`;
    expect(parsePolicy(almost).quorum).toBe('none');
    const lines = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? `# line ${i}` : i % 3 === 1 ? '  \t ' : '')).join('\n');
    expect(parsePolicy(`${lines}\nquorum none\n`).quorum).toBe('none');
    expect(failure(() => parsePolicy(`${lines}\nquorum nobody\n`))).toEqual({ code: 'POLICY_UNDEFINED_NAME', line: 10_001 });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('refuses a 257th witness, log or group', () => {
    const w = Array.from({ length: 257 }, (_, i) => `witness w${i} ${witnessVkey(i + 1)}`);
    expect(failure(() => parsePolicy(`${w.join('\n')}\nquorum none\n`))).toEqual({ code: 'POLICY_TOO_MANY', line: 257 });
    const l = Array.from({ length: 257 }, (_, i) => `log ${logVkey(i, `log${i}.example`)}`);
    expect(failure(() => parsePolicy(`${l.join('\n')}\nquorum none\n`))).toEqual({ code: 'POLICY_TOO_MANY', line: 257 });
    const g = Array.from({ length: 257 }, (_, i) => `group g${i} any ${i === 0 ? 'w' : `g${i - 1}`}`);
    expect(failure(() => parsePolicy(`witness w ${witnessVkey(1)}\n${g.join('\n')}\nquorum none\n`))).toEqual({ code: 'POLICY_TOO_MANY', line: 258 });
  });
  it('parses and evaluates a chain of 256 nested groups without recursion', () => {
    const g = Array.from({ length: 256 }, (_, i) => `group g${i} any ${i === 0 ? 'w' : `g${i - 1}`}`);
    const p = parsePolicy(`witness w ${witnessVkey(1)}\n${g.join('\n')}\nquorum g255\n`);
    expect(evaluateQuorum(p, ['w'])).toBe(true);
    expect(evaluateQuorum(p, [])).toBe(false);
  });
  it('a group of 255 members, witnesses and groups, is linear to evaluate', () => {
    const w = Array.from({ length: 128 }, (_, i) => `witness w${i} ${witnessVkey(i + 1)}`);
    const g = Array.from({ length: 127 }, (_, i) => `group g${i} ${i + 1} ${Array.from({ length: i + 1 }, (_, j) => `w${j}`).join(' ')}`);
    const p = parsePolicy(`${w.join('\n')}\n${g.join('\n')}\ngroup top all ${[...w.keys()].map((i) => `w${i}`).join(' ')} ${[...g.keys()].map((i) => `g${i}`).join(' ')}\nquorum top\n`);
    expect(p.groups.at(-1)!.members).toHaveLength(255);
    expect(evaluateQuorum(p, [...w.keys()].map((i) => `w${i}`))).toBe(true);
    expect(evaluateQuorum(p, [...w.keys()].slice(1).map((i) => `w${i}`))).toBe(false);
  });
});

describe('names are opaque octets', () => {
  it('keeps K and the Kelvin sign apart (no Unicode normalization)', () => {
    const p = parsePolicy(`witness K ${witnessVkey(1)}\nwitness \u212a ${witnessVkey(2)}\ngroup both all K \u212a\nquorum both\n`);
    expect(p.witnesses.map((w) => [...w.nameBytes])).toEqual([[0x4b], [0xe2, 0x84, 0xaa]]);
    expect(evaluateQuorum(p, ['K'])).toBe(false);
    expect(evaluateQuorum(p, ['K', '\u212a'])).toBe(true);
  });
  it('keeps a BOM and other non-ASCII octets in names, URLs and comments', () => {
    const p = parsePolicy(bytes('# 见证人 ', [0xff, 0xfe], '\nwitness ', [0xef, 0xbb, 0xbf], `w ${witnessVkey(1)} https://见证.example/\nquorum `, [0xef, 0xbb, 0xbf], 'w\n'));
    expect(p.witnesses[0]!.name).toBe('\ufeffw');
    expect(p.quorum).toBe('\ufeffw');
    expect(p.witnesses[0]!.url).toBe('https://见证.example/');
    expect(p.bytes[2]).toBe(0xe8);
    expect(p.text).toContain('\ufffd'); // the lone 0xff 0xfe of the comment, in the text view only
  });
  it('accepts a name that is not UTF-8, compares it by octets, and shows it escaped', () => {
    const p = parsePolicy(bytes('witness ', [0xff, 0x41], ` ${witnessVkey(1)}\nwitness `, [0xfe, 0x41], ` ${witnessVkey(2)}\ngroup g any `, [0xff, 0x41], '\nquorum g\n'));
    expect(p.witnesses.map((w) => w.name)).toEqual(['\\xffA', '\\xfeA']);
    expect(p.groups[0]!.members).toEqual(['\\xffA']);
    expect(displayName(Uint8Array.of(0xc3, 0xa9))).toBe('é');
  });
  it('refuses two different names that would show alike (an escape written out, and the octet)', () => {
    const t = bytes('witness \\xff ', witnessVkey(1), '\nwitness ', [0xff], ` ${witnessVkey(2)}\nquorum none\n`);
    expect(failure(() => parsePolicy(t))).toEqual({ code: 'POLICY_NAME_AMBIGUOUS', line: 2 });
  });
  it('refuses a vkey or URL that is not UTF-8', () => {
    expect(failure(() => parsePolicy(bytes('log ', logVkey(), [0xff], '\nquorum none\n')))).toEqual({ code: 'POLICY_BAD_KEY', line: 1 });
    expect(failure(() => parsePolicy(bytes('log ', logVkey(), ' https://a', [0xff], '/\nquorum none\n')))).toEqual({ code: 'POLICY_BAD_URL', line: 1 });
  });
  it('refuses text with an unpaired surrogate (it has no octets)', () => {
    expect(failure(() => parsePolicy('quorum none\n# \ud800\n'))).toEqual({ code: 'POLICY_BAD_CHARACTER', line: 2 });
  });
});

describe('random input', () => {
  const tokens = ['log', 'witness', 'group', 'quorum', 'log-quorum', 'none', 'all', 'any', '0', '1', '2', '01', 'A', 'B', 'g', '#',
    logVkey(), witnessVkey(1), witnessVkey(2), 'https://w.example/', 'ftp://x/', '\u212a', '\t', '\0', '\r', '\xff'];
  it('every input parses or fails with a POLICY_* CunzhengError', () => {
    const soup = fc.array(fc.oneof(fc.constantFrom(...tokens), fc.constantFrom(' ', '\n', '\n', '  ')), { maxLength: 60 }).map((a) => a.join(' '));
    const raw = fc.uint8Array({ maxLength: 400 });
    fc.assert(fc.property(fc.oneof(soup, raw), (input) => {
      try {
        parsePolicy(input);
      } catch (e) {
        expect(e).toBeInstanceOf(CunzhengError);
        expect((e as CunzhengError).code).toMatch(/^POLICY_[A-Z_]+$/);
      }
    }), { numRuns: 2000 });
  });
});

import { describe, expect, it } from 'vitest';
import { POLICY_LIMITS, parsePolicy, policyVerifiers } from '../../src/policy/index.js';
import { formatVerifierKey } from '../../src/note/index.js';
import { ORIGIN, failure, logVkey, witnessVkey } from './helpers.js';

const L = logVkey();
const W = (n: number): string => witnessVkey(n);

/** The spec's example, with real keys. */
const EXAMPLE = `log ${L}

witness X1 ${W(1)}
witness X2 ${W(2)}
witness X3 ${W(3)}
group X-witnesses 2 X1 X2 X3

witness Y1 ${W(4)}
witness Y2 ${W(5)}
witness Y3 ${W(6)}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

describe('parsePolicy on the spec\'s example', () => {
  const p = parsePolicy(EXAMPLE);
  it('reads its log, six witnesses, three groups and quorum', () => {
    expect(p.logs.map((l) => l.vkey)).toEqual([L]);
    expect(p.witnesses.map((w) => w.name)).toEqual(['X1', 'X2', 'X3', 'Y1', 'Y2', 'Y3']);
    expect(p.groups.map((g) => [g.name, g.threshold, g.members])).toEqual([
      ['X-witnesses', 2, ['X1', 'X2', 'X3']],
      ['Y-witnesses', 1, ['Y1', 'Y2', 'Y3']],
      ['X-and-Y', 2, ['X-witnesses', 'Y-witnesses']],
    ]);
    expect(p.quorum).toBe('X-and-Y');
    expect(p.logQuorum).toBe('any');
    expect(p.text).toBe(EXAMPLE);
    expect(p.witnesses[0]!.line).toBe(3);
    expect(p.logs[0]!.verifier.type).toBe(0x01);
    expect(p.witnesses.every((w) => w.verifier.type === 0x04)).toBe(true);
    expect(policyVerifiers(p)).toHaveLength(7);
  });
  it('reads the same from bytes, with CRLF-free tabs, leading and trailing blanks, comments, no final newline', () => {
    const odd = `  # a comment\n\t\nlog\t${L} \t https://log.example/\n   witness  X1 ${W(1)}  http://127.0.0.1:7001\n#quorum none\n\tquorum X1\t`;
    const p2 = parsePolicy(new TextEncoder().encode(odd));
    expect(p2.logs[0]!.url).toBe('https://log.example/');
    expect(p2.witnesses[0]!.url).toBe('http://127.0.0.1:7001');
    expect(p2.quorum).toBe('X1');
  });
  it('accepts quorum none with no logs nor witnesses, and the log-quorum extension', () => {
    expect(parsePolicy('quorum none\n')).toMatchObject({ quorum: 'none', logs: [], witnesses: [] });
    expect(parsePolicy(`log ${L}\nlog-quorum all\nquorum none\n`).logQuorum).toBe('all');
    expect(parsePolicy(`log-quorum any\nquorum none\n`).logQuorum).toBe('any');
  });
  it('accepts all and any as names, and a threshold equal to n', () => {
    const p3 = parsePolicy(`witness all ${W(1)}\nwitness any ${W(2)}\ngroup g 2 all any\nquorum g\n`);
    expect(p3.groups[0]!.members).toEqual(['all', 'any']);
  });
  it('supports at least 32 logs, witnesses and groups', () => {
    const lines = [];
    for (let i = 0; i < 40; i++) lines.push(`log ${logVkey(i, `log${i}.example`)}`, `witness w${i} ${W(i + 1)}`, `group g${i} any w${i}`);
    lines.push(`group all-of-them all ${Array.from({ length: 40 }, (_, i) => `g${i}`).join(' ')}`, 'quorum all-of-them');
    const p4 = parsePolicy(lines.join('\n'));
    expect([p4.logs.length, p4.witnesses.length, p4.groups.length]).toEqual([40, 40, 41]);
  });
});

describe('parsePolicy refuses each broken rule with its code and line', () => {
  const cases: [string, string, string, number | undefined][] = [
    ['an unknown keyword', `quorum none\nwitnesses X ${W(1)}\n`, 'POLICY_UNKNOWN_KEYWORD', 2],
    ['a keyword in another case', `Quorum none\n`, 'POLICY_UNKNOWN_KEYWORD', 1],
    ['a log line without its key', `log\nquorum none\n`, 'POLICY_BAD_LINE', 1],
    ['a log line with two URLs', `log ${L} http://a/ http://b/\nquorum none\n`, 'POLICY_BAD_LINE', 1],
    ['a witness without a key', `witness X1\nquorum none\n`, 'POLICY_BAD_LINE', 1],
    ['a quorum with two names', `witness X1 ${W(1)}\nquorum X1 X1\n`, 'POLICY_BAD_LINE', 2],
    ['a group without threshold', `witness X1 ${W(1)}\ngroup g\nquorum none\n`, 'POLICY_BAD_LINE', 2],
    ['a group without members', `witness X1 ${W(1)}\ngroup g any\nquorum none\n`, 'POLICY_EMPTY_GROUP', 2],
    ['a malformed vkey', `log not-a-key\nquorum none\n`, 'POLICY_BAD_KEY', 1],
    ['a vkey with a wrong key ID', `log ${L.replace(/\+[0-9a-f]{8}\+/, '+00000000+')}\nquorum none\n`, 'POLICY_BAD_KEY', 1],
    ['a witness key as a log key', `log ${W(1)}\nquorum none\n`, 'POLICY_WRONG_KEY_TYPE', 1],
    ['a log key as a witness key', `witness X ${L}\nquorum none\n`, 'POLICY_WRONG_KEY_TYPE', 1],
    ['a key type no verifier here knows (0x02)', `\nlog ${formatVerifierKey(ORIGIN, new Uint8Array(32).fill(7), 0x02)}\nquorum none\n`, 'POLICY_WRONG_KEY_TYPE', 2],
    ['an ftp URL', `log ${L} ftp://log.example/\nquorum none\n`, 'POLICY_BAD_URL', 1],
    ['a URL with credentials', `witness X ${W(1)} https://u:p@w.example/\nquorum none\n`, 'POLICY_BAD_URL', 1],
    ['a URL that does not parse', `witness X ${W(1)} http://[::1\nquorum none\n`, 'POLICY_BAD_URL', 1],
    ['a relative URL', `witness X ${W(1)} /add-checkpoint\nquorum none\n`, 'POLICY_BAD_URL', 1],
    ['the same log twice', `log ${L}\n\nlog ${L}\nquorum none\n`, 'POLICY_DUPLICATE_KEY', 3],
    ['the same log key under another name', `log ${L}\nlog ${logVkey(1, 'other.example/log')}\nquorum none\n`, 'POLICY_DUPLICATE_KEY', 2],
    ['the same witness key under two names', `witness A ${W(1)}\nwitness B ${witnessVkey(1, 'other.example/w')}\nquorum none\n`, 'POLICY_DUPLICATE_KEY', 2],
    ['a witness name defined twice', `witness A ${W(1)}\nwitness A ${W(2)}\nquorum none\n`, 'POLICY_DUPLICATE_NAME', 2],
    ['a group named like a witness', `witness A ${W(1)}\ngroup A any A\nquorum none\n`, 'POLICY_DUPLICATE_NAME', 2],
    ['a witness named none', `witness none ${W(1)}\nquorum none\n`, 'POLICY_RESERVED_NAME', 1],
    ['none as a group member', `witness A ${W(1)}\ngroup g any A none\nquorum g\n`, 'POLICY_RESERVED_NAME', 2],
    ['a member defined later', `group g any A\nwitness A ${W(1)}\nquorum g\n`, 'POLICY_UNDEFINED_NAME', 1],
    ['a group naming itself', `witness A ${W(1)}\ngroup g any A g\nquorum g\n`, 'POLICY_UNDEFINED_NAME', 2],
    ['a member listed twice', `witness A ${W(1)}\nwitness B ${W(2)}\ngroup g 2 A B A\nquorum g\n`, 'POLICY_DUPLICATE_MEMBER', 3],
    ['threshold 0', `witness A ${W(1)}\ngroup g 0 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['threshold above n', `witness A ${W(1)}\ngroup g 2 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['a threshold with a sign', `witness A ${W(1)}\ngroup g +1 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['a threshold with a leading zero', `witness A ${W(1)}\ngroup g 01 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['a threshold in hex', `witness A ${W(1)}\ngroup g 0x1 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['a huge threshold', `witness A ${W(1)}\ngroup g 99999999999999999999 A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['ALL in capitals', `witness A ${W(1)}\ngroup g ALL A\nquorum g\n`, 'POLICY_BAD_THRESHOLD', 2],
    ['no quorum line', `witness A ${W(1)}\n`, 'POLICY_NO_QUORUM', undefined],
    ['an empty file', '', 'POLICY_NO_QUORUM', undefined],
    ['two quorum lines', `quorum none\nquorum none\n`, 'POLICY_DUPLICATE_QUORUM', 2],
    ['a quorum naming a later witness', `quorum A\nwitness A ${W(1)}\n`, 'POLICY_UNDEFINED_NAME', 1],
    ['two log-quorum lines', `log-quorum all\nlog-quorum all\nquorum none\n`, 'POLICY_DUPLICATE_LOG_QUORUM', 2],
    ['log-quorum with a number', `log-quorum 2\nquorum none\n`, 'POLICY_BAD_LINE', 1],
    ['a NUL', `quorum none\n\0\n`, 'POLICY_BAD_CHARACTER', 2],
    ['a CR (CRLF line ends)', `# policy\r\nquorum none\r\n`, 'POLICY_BAD_CHARACTER', 1],
    ['a DEL in a comment', `quorum none\n# \x7f\n`, 'POLICY_BAD_CHARACTER', 2],
    ['a form feed as whitespace', `quorum\fnone\n`, 'POLICY_BAD_CHARACTER', 1],
    ['a vertical tab', `\n\n\vquorum none\n`, 'POLICY_BAD_CHARACTER', 3],
  ];
  for (const [what, text, code, line] of cases) {
    it(`${what}: ${code}${line === undefined ? '' : ` at line ${line}`}`, () => {
      expect(failure(() => parsePolicy(text))).toEqual({ code, line });
    });
  }
  it('a non-breaking space is not whitespace: the keyword is unknown', () => {
    expect(failure(() => parsePolicy('quorum\u00a0none\n'))).toEqual({ code: 'POLICY_UNKNOWN_KEYWORD', line: 1 });
  });
  it('a wrong-type argument is refused with a code', () => {
    expect(failure(() => parsePolicy(42 as unknown as string)).code).toBe('POLICY_BAD_INPUT');
    expect(failure(() => parsePolicy(null as unknown as string)).code).toBe('POLICY_BAD_INPUT');
  });
});

/**
 * `cunzheng verify --policy FILE` on the checked-in fixtures, their checkpoints cosigned here with
 * cosignerFromSeed: met → exit 0 naming who cosigned and when (Beijing time); not met → exit 1 with
 * POLICY_QUORUM_NOT_MET; a bad policy → exit 2 naming its line; no policy → the output of old.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSignatures } from '../../src/note/index.js';
import { witnessSigner, witnessVkey } from '../policy/helpers.js';
import { cli } from './run-cli.js';

const VKEY = readFileSync('fixtures/log.vkey', 'utf8').trim();
const FIXTURE = 'fixtures/receipts/battery-formula-v2.txt.receipt.json';
const DOC = 'fixtures/documents/battery-formula-v2.txt';
const POLICY = `# two of three witnesses
log ${VKEY}
witness A ${witnessVkey(1)}
witness B ${witnessVkey(2)}
witness C ${witnessVkey(3)}
group abc 2 A B C
quorum abc
`;

let dir: string;
const path = (name: string): string => join(dir, name);

/** The fixture receipt with its checkpoint cosigned by witnesses `ws` (at 2023-11-14 22:13:2n UTC). */
function cosigned(name: string, ws: number[]): string {
  const r = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  r.checkpoint = addSignatures(r.checkpoint, ws.map((n) => witnessSigner(n)));
  writeFileSync(path(name), JSON.stringify(r, null, 2));
  return path(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-policy-cli-'));
  writeFileSync(path('policy.txt'), POLICY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cunzheng verify --policy', () => {
  it('met: exit 0, and names each cosigner with its time in Beijing time', () => {
    const r = cli(['verify', cosigned('met.receipt.json', [1, 3]), '--file', DOC, '--policy', path('policy.txt')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('VERIFIED');
    expect(r.stdout).toContain('Policy: met by the receipt\'s checkpoint (size 3): signed by the listed log and cosigned by 2 witnesses of the quorum');
    // 1700000001 = 2023-11-14T22:13:21Z = 2023-11-15 06:13:21 +08:00
    expect(r.stdout).toContain('Cosigned by A (witness.example/w1) at 2023-11-15 06:13:21 +08:00 (Beijing time)');
    expect(r.stdout).toContain('Cosigned by C (witness.example/w3) at 2023-11-15 06:13:23 +08:00 (Beijing time)');
    expect(r.stdout).not.toContain('witness.example/w2');
  });

  it('met, --json: the cosigners with POSIX, ISO UTC and Beijing times', () => {
    const r = cli(['verify', cosigned('met-json.receipt.json', [2, 3]), '--policy', path('policy.txt'), '--key', VKEY, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results[0].policy).toMatchObject({
      met: true, treeSize: 3, checkpoint: 'receipt',
      cosigners: [
        { witness: 'B', keyName: 'witness.example/w2', time: 1_700_000_002, timeUtc: '2023-11-14T22:13:22.000Z', timeBeijing: '2023-11-15 06:13:22 +08:00' },
        { witness: 'C', keyName: 'witness.example/w3', time: 1_700_000_003, timeUtc: '2023-11-14T22:13:23.000Z', timeBeijing: '2023-11-15 06:13:23 +08:00' },
      ],
    });
  });

  it('not met: exit 1 with POLICY_QUORUM_NOT_MET, saying who cosigned', () => {
    const r = cli(['verify', cosigned('short.receipt.json', [2, 7]), '--policy', path('policy.txt')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT VERIFIED');
    expect(r.stdout).toContain('POLICY_QUORUM_NOT_MET: the checkpoint of size 3 does not meet the quorum abc: cosigned by B; needs abc = 2 of (A, B, C)');
    const j = cli(['verify', path('short.receipt.json'), '--policy', path('policy.txt'), '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).results[0]).toMatchObject({ ok: false, code: 'POLICY_QUORUM_NOT_MET' });
  });

  it('the uncosigned fixture fails with a policy and verifies without one, exactly as before', () => {
    expect(cli(['verify', FIXTURE, '--policy', path('policy.txt')]).code).toBe(1);
    const before = cli(['verify', FIXTURE, '--file', DOC, '--key', VKEY]);
    expect(before.code).toBe(0);
    // a cosigned receipt without --policy: the same report, cosignatures of keys nobody trusted unmentioned
    const after = cli(['verify', path('met.receipt.json'), '--file', DOC, '--key', VKEY]);
    expect(after.stdout.replace(path('met.receipt.json'), FIXTURE)).toBe(before.stdout);
    expect(after.stdout).not.toContain('Policy');
  });

  it('a policy that lists no log, without --key: no trusted key, exit 2; with --key it verifies', () => {
    writeFileSync(path('other.txt'), `witness A ${witnessVkey(1)}\nquorum A\n`);
    expect(cli(['verify', path('met.receipt.json'), '--policy', path('other.txt')]).code).toBe(2);
    const r = cli(['verify', path('met.receipt.json'), '--policy', path('other.txt'), '--key', VKEY]);
    expect(r.code).toBe(0);
  });

  it('a bad policy file: exit 2, one line naming the file, the code and the line', () => {
    writeFileSync(path('bad.txt'), `log ${VKEY}\nwitness A ${witnessVkey(1)}\ngroup g 2 A\nquorum g\n`);
    const r = cli(['verify', path('met.receipt.json'), '--policy', path('bad.txt')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--policy ${path('bad.txt')}: POLICY_BAD_THRESHOLD: policy line 3:`);
    writeFileSync(path('crlf.txt'), POLICY.replace(/\n/g, '\r\n'));
    const crlf = cli(['verify', path('met.receipt.json'), '--policy', path('crlf.txt')]);
    expect(crlf.code).toBe(2);
    expect(crlf.stderr).toContain('POLICY_BAD_CHARACTER: policy line 1:');
    expect(cli(['verify', path('met.receipt.json'), '--policy', path('missing.txt')]).code).toBe(2);
  });
});

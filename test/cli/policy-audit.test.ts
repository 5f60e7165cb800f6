/**
 * `cunzheng audit --policy FILE` against a real HTTP server in this process (a real listen) that serves
 * the fixture log's checkpoint of size 3, cosigned here with cosignerFromSeed: the newest checkpoint must
 * meet the policy; who cosigned is reported. Without --policy nothing changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSignatures } from '../../src/note/index.js';
import { logVkey, witnessSigner, witnessVkey } from '../policy/helpers.js';
import { cliAsync } from './cli-async.js';

const VKEY = readFileSync('fixtures/log.vkey', 'utf8').trim();
const CHECKPOINT: string = JSON.parse(readFileSync('fixtures/receipts/empty.bin.receipt.json', 'utf8')).checkpoint;

let dir: string;
let server: Server;
let url: string;
let served = CHECKPOINT;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-policy-audit-'));
  writeFileSync(join(dir, 'policy.txt'), `log ${VKEY}\nwitness A ${witnessVkey(1)}\nwitness B ${witnessVkey(2)}\ngroup ab all A B\nquorum ab\n`);
  server = createServer((req, res) => {
    if (req.url === '/checkpoint') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(served);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const audit = (state: string, extra: string[] = []) =>
  cliAsync(['audit', '--url', url, '--key', VKEY, '--state', join(dir, state), '--evidence', join(dir, `${state}.evidence.json`), ...extra], { cwd: dir });

describe('cunzheng audit --policy', () => {
  it('met: exit 0, the cosigners named in Beijing time, the state saved', async () => {
    served = addSignatures(CHECKPOINT, [witnessSigner(1), witnessSigner(2), witnessSigner(9)]);
    const r = await audit('met.json', ['--policy', join(dir, 'policy.txt')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first audit: checkpoint of size 3 trusted on first use');
    expect(r.stdout).toContain('policy met: cosigned by 2 witnesses of the quorum');
    expect(r.stdout).toContain('A (witness.example/w1) at 2023-11-15 06:13:21 +08:00 (Beijing time)');
    expect(r.stdout).toContain('B (witness.example/w2) at 2023-11-15 06:13:22 +08:00 (Beijing time)');
    expect(existsSync(join(dir, 'met.json'))).toBe(true);
    const j = await audit('met.json', ['--policy', join(dir, 'policy.txt'), '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({
      ok: true, previousTreeSize: 3, policy: { met: true, treeSize: 3, cosigners: [{ witness: 'A', timeUtc: '2023-11-14T22:13:21.000Z' }, { witness: 'B' }] },
    });
  });

  it('not met: exit 1 with POLICY_QUORUM_NOT_MET, evidence written, the state not advanced', async () => {
    served = addSignatures(CHECKPOINT, [witnessSigner(1)]);
    const r = await audit('short.json', ['--policy', join(dir, 'policy.txt')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('POLICY_QUORUM_NOT_MET');
    expect(r.stdout).toContain('cosigned by A; needs ab = 2 of (A, B)');
    expect(existsSync(join(dir, 'short.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'short.json.evidence.json'), 'utf8')).problem.code).toBe('POLICY_QUORUM_NOT_MET');
  });

  it('without --policy nothing changes: the same checkpoint audits fine, no policy in the output', async () => {
    served = addSignatures(CHECKPOINT, [witnessSigner(1)]);
    const r = await audit('plain.json', ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).policy).toBeUndefined();
  });

  it('a bad policy file: exit 2 with one line naming the line, before any request', async () => {
    writeFileSync(join(dir, 'bad.txt'), `log ${VKEY}\nquorum none\nquorum none\n`);
    const r = await audit('bad.json', ['--policy', join(dir, 'bad.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('POLICY_DUPLICATE_QUORUM: policy line 3:');
  });

  it('without --key, the policy names the log: the same audit, the state saved under the policy\'s log key', async () => {
    served = addSignatures(CHECKPOINT, [witnessSigner(1), witnessSigner(2)]);
    const state = join(dir, 'nokey.json');
    const r = await cliAsync(['audit', '--url', url, '--state', state, '--policy', join(dir, 'policy.txt'), '--json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).policy.met).toBe(true);
    expect(JSON.parse(readFileSync(state, 'utf8')).key).toBe(VKEY);
  });

  it('neither --key nor --policy, or a policy of two logs without --key: exit 2 with one line', async () => {
    const none = await cliAsync(['audit', '--url', url, '--state', join(dir, 'none.json')], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('--key: required');
    writeFileSync(join(dir, 'two.txt'), `log ${VKEY}\nlog ${logVkey(1, 'other.example/log')}\nquorum none\n`);
    const two = await cliAsync(['audit', '--url', url, '--state', join(dir, 'two.json'), '--policy', join(dir, 'two.txt')], { cwd: dir });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('2 origins');
  });
});

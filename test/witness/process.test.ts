/**
 * A real `cunzheng witness serve` process (dist/cli/main.js, build first): its key is created 0600 and kept,
 * `witness key` prints it, kill -9 in the middle of traffic never makes it forget a cosigned size (nor
 * change its key), SIGTERM exits 0, and starting it wrongly exits 2 with one line and creates nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { cosignatureVerifier, parseVerifierKey } from '../../src/note/index.js';
import { formatAddCheckpointRequest, originHash } from '../../src/witness/index.js';
import { CLI, freePort } from '../support/server-process.js';
import { TestLog } from './helpers.js';
import { WitnessProcess } from './witness-process.js';

const root = mkdtempSync(join(tmpdir(), 'cunzheng-witness-process-'));
const NAME = 'witness.process.example/w';
const log = new TestLog('log.process.example/main').grow(4000);
const fork = new TestLog(log.origin, undefined, 'fork').grow(4000);
Object.assign(fork, { signer: log.signer });
const running: WitnessProcess[] = [];

afterAll(async () => {
  for (const w of running) await w.kill();
  rmSync(root, { recursive: true, force: true });
});

function cli(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

async function add(w: WitnessProcess, oldSize: number, size: number, l = log): Promise<{ status: number; body: string }> {
  const body = formatAddCheckpointRequest({ oldSize, proof: oldSize === 0 ? [] : l.proof(oldSize, size), checkpoint: l.checkpoint(size) });
  const r = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body });
  return { status: r.status, body: await r.text() };
}

async function cosignedSize(w: WitnessProcess): Promise<number> {
  const r = await add(w, 0, 1);
  expect(r.status).toBe(409);
  return Number(r.body);
}

describe('cunzheng witness serve, a real process', () => {
  const data = join(root, 'w');
  let w: WitnessProcess;

  it('creates its key 0600 on first start, prints the verifier key, and `witness key` prints the same', async () => {
    w = new WitnessProcess(data, await freePort(), NAME, [log.vkey]);
    running.push(w);
    await w.start();
    expect(w.vkey.startsWith(`${NAME}+`)).toBe(true);
    expect(parseVerifierKey(w.vkey).type).toBe(0x04);
    expect(statSync(join(data, 'witness.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(data, 'witness.key'), 'utf8')).toMatch(/^PRIVATE\+KEY\+witness\.process\.example\/w\+[0-9a-f]{8}\+/);
    expect(w.err + w.out).not.toContain('PRIVATE+KEY');
    const k = await cli(['witness', 'key', '--data', data]);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout.trim()).toBe(w.vkey);
    const r = await add(w, 0, 10);
    expect(r.status).toBe(200);
    const cp = openCheckpoint(log.checkpoint(10) + r.body, [parseVerifierKey(log.vkey), cosignatureVerifier(NAME, parseVerifierKey(w.vkey).publicKey)]);
    expect(cp.cosignatures).toHaveLength(1);
    expect((await w.waitForRequests(1)).at(-1)).toMatchObject({ status: 200, origin: log.origin, oldSize: 0, size: 10, proofLines: 0 });
  });

  it('killed with -9 in the middle of traffic, three times: it never forgets a cosigned size, and keeps its key', async () => {
    const vkey = w.vkey;
    let acked = await cosignedSize(w); // the largest size answered 200
    for (let round = 0; round < 3; round++) {
      let stop = false;
      let attempted = acked;
      // Four clients extending the tree from what they believe the witness has; 409s teach them its size.
      const clients = [0, 1, 2, 3].map(async (c) => {
        let known = acked;
        while (!stop) {
          const next = Math.min(known + 1 + ((c + known) % 5), 3999);
          attempted = Math.max(attempted, next);
          let r;
          try {
            r = await add(w, known, next);
          } catch {
            return; // the process died under us
          }
          if (r.status === 200) {
            acked = Math.max(acked, next);
            known = next;
          } else if (r.status === 409) known = Number(r.body);
          else throw new Error(`unexpected ${r.status}: ${r.body}`);
        }
      });
      await new Promise((r) => setTimeout(r, 300 + round * 200));
      await w.kill('SIGKILL');
      stop = true;
      await Promise.all(clients);
      await w.start();
      expect(w.vkey).toBe(vkey);
      const size = await cosignedSize(w);
      expect(size, `round ${round}: acked ${acked}, attempted ${attempted}`).toBeGreaterThanOrEqual(acked);
      expect(size).toBeLessThanOrEqual(attempted);
      // What it has is the log's own tree, and a fork of it is refused.
      const mon = await (await fetch(`${w.url}/${originHash(log.origin)}/checkpoint`)).text();
      expect(openCheckpoint(mon, [parseVerifierKey(log.vkey)]).checkpoint.rootHash).toEqual(log.root(size));
      expect((await add(w, size, size, fork)).status).toBe(422);
      acked = size;
    }
    expect(acked).toBeGreaterThan(10);
  }, 60_000);

  it('a second process on the same data folder exits 2; SIGTERM exits 0', async () => {
    const other = await cli(['witness', 'serve', '--data', data, '--name', NAME, '--log', log.vkey, '--port', String(await freePort())]);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(other.stderr).toContain('WITNESS_STATE_LOCKED');
    expect(await w.kill('SIGTERM')).toBe(0);
  });
});

describe('cunzheng witness serve, started wrongly', () => {
  async function refused(args: string[], mention: string, data = join(root, `wrong-${Math.random().toString(16).slice(2)}`)): Promise<void> {
    const r = await cli(['witness', 'serve', '--data', data, ...args]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(mention);
    expect(existsSync(data) && !data.endsWith('/w')).toBe(false);
  }

  it('one line, exit 2, nothing created', async () => {
    const port = String(await freePort());
    await refused(['--name', NAME, '--port', port], '--log');
    await refused(['--name', NAME, '--port', port, '--log', 'not a key'], 'WITNESS_BAD_LOG_KEY');
    await refused(['--name', NAME, '--port', port, '--log', parseVerifierKey(log.vkey) && `x${log.vkey}`], 'WITNESS_BAD_LOG_KEY');
    await refused(['--name', 'bad name', '--port', port, '--log', log.vkey], '--name');
    await refused(['--port', port, '--log', log.vkey], 'WITNESS_KEY_MISSING');
    await refused(['--name', NAME, '--port', 'x', '--log', log.vkey], '--port');
    await refused(['--name', NAME, '--port', port, '--log', log.vkey, '--log', log.vkey], 'WITNESS_BAD_LOG_KEY');
    const k = await cli(['witness', 'key', '--data', join(root, 'no-such')]);
    expect(k.code).toBe(2);
    expect(k.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('another --name than its key\'s, or a busy port: exit 2', async () => {
    const data = join(root, 'w'); // the key of the tests above is named NAME
    const r = await cli(['witness', 'serve', '--data', data, '--name', 'other.example/w', '--log', log.vkey, '--port', String(await freePort())]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WITNESS_KEY_NAME_MISMATCH');
    const busy = new WitnessProcess(join(root, 'busy'), await freePort(), NAME, [log.vkey]);
    running.push(busy);
    await busy.start();
    const b = await cli(['witness', 'serve', '--data', join(root, 'busy2'), '--name', NAME, '--log', log.vkey, '--port', String(busy.port)]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('in use');
    expect(existsSync(join(root, 'busy2'))).toBe(false);
  });
});

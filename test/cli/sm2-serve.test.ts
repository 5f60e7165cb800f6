/**
 * `cunzheng serve --sm2` as a real process on a real listen: the SM2 log key is made on first start (0600) and
 * printed beside the Ed25519 one, /v1/log names it, every checkpoint carries both lines, and a deposit's
 * receipt verifies with `cunzheng verify --key` given only the SM2 key, only the Ed25519 key, or a policy
 * listing both with `log-quorum all`; a receipt whose SM2 line was tampered with fails under the SM2 key. The
 * checkpoint's SM2 line is checked once more by `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt
 * distid:1234567812345678`, which shares no code with ours; and `cunzheng fsck` checks the stopped log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { completeUscc } from '../../src/entry/index.js';
import { loadOrCreateSm2LogKey } from '../../src/ledger/index.js';
import { fromBase64, sha256, sm2PublicKeyToPem, toBase64, toHex, utf8 } from '../../src/crypto/index.js';
import { parseNote, parseVerifierKey, sm2PublicKeyOf } from '../../src/note/index.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';

const ORIGIN = 'sm2.example.com/log';
const ADMIN = 'A'.repeat(43);
const root = mkdtempSync(join(tmpdir(), 'cunzheng-sm2-serve-'));
const data = join(root, 'data');
let server: ServerProcess;
let apiKey: string;
let edKey: string;
let sm2Key: string;

const file = (name: string, body: string | Uint8Array): string => {
  const p = join(root, name);
  writeFileSync(p, body);
  return p;
};

beforeAll(async () => {
  server = new ServerProcess(data, await freePort(), ADMIN, ['--sm2', '--origin', ORIGIN, '--workers', '0']);
  await server.start();
  const t = await fetch(`${server.url}/v1/admin/tenants`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '国密测试有限公司', uscc: completeUscc('91430100MA4L7W7W') }),
  });
  expect(t.status, await t.clone().text()).toBe(201);
  apiKey = ((await t.json()) as { apiKey: string }).apiKey;
  const log = (await (await fetch(`${server.url}/v1/log`)).json()) as { key: string; sm2Key: string | null };
  edKey = log.key;
  sm2Key = log.sm2Key!;
}, 30_000);

afterAll(async () => {
  await server?.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

async function depositReceipt(label: string): Promise<{ text: string; checkpoint: string }> {
  const res = await fetch(`${server.url}/v1/deposits`, {
    method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sha256: toHex(sha256(utf8(label))) }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const text = await (await fetch(`${server.url}/v1/deposits/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).text();
  return { text, checkpoint: (JSON.parse(text) as { checkpoint: string }).checkpoint };
}

interface Verified { code: number | null; stdout: string; stderr: string; results: { ok: boolean; code?: string; logKey?: string }[] }
async function verify(receiptText: string, args: string[]): Promise<Verified> {
  const r = await cliAsync(['verify', file(`r-${randomBytes(4).toString('hex')}.receipt.json`, receiptText), '--json', ...args]);
  let results: Verified['results'] = [];
  try {
    results = (JSON.parse(r.stdout) as { results: Verified['results'] }).results;
  } catch {
    // not JSON: the assertions on code show stderr
  }
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, results };
}

/** The SM2 line's signature bytes (after the 4-byte key ID) of a checkpoint note. */
function sm2Signature(note: string): Uint8Array {
  const id = parseVerifierKey(sm2Key).keyId;
  const line = parseNote(note).signatures.find((s) => s.keyId === id);
  expect(line, 'the checkpoint has an SM2 line').toBeDefined();
  return line!.signature;
}

/** The receipt with the last byte of its checkpoint's SM2 signature flipped. */
function tamperSm2(receiptText: string): string {
  const r = JSON.parse(receiptText) as { checkpoint: string };
  const id = parseVerifierKey(sm2Key).keyId;
  r.checkpoint = r.checkpoint.split('\n').map((line) => {
    if (!line.startsWith('— ')) return line;
    const [dash, name, b64] = line.split(' ');
    const sig = fromBase64(b64!);
    if (new DataView(sig.buffer, sig.byteOffset).getUint32(0) !== id) return line;
    sig[sig.length - 1]! ^= 0x01;
    return `${dash} ${name} ${toBase64(sig)}`;
  }).join('\n');
  const out = JSON.stringify(r);
  expect(out).not.toBe(JSON.stringify(JSON.parse(receiptText)));
  return out;
}

function opensslVerify(message: Uint8Array, derSig: Uint8Array): { ok: boolean; out: string } {
  const pub = file('sm2-pub.pem', sm2PublicKeyToPem(sm2PublicKeyOf(parseVerifierKey(sm2Key))));
  const r = spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678',
    '-pubin', '-inkey', pub, '-sigfile', file('sig.der', derSig), '-in', file('note.txt', message)], { encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  if (r.status === 0 && /Verified Successfully/.test(out)) return { ok: true, out };
  if (/Verification Failure/.test(out)) return { ok: false, out };
  throw new Error(`openssl: ${r.status} ${out}`);
}

describe('cunzheng serve --sm2', () => {
  it('makes <data>/log-sm2.key (0600) on first start, prints its verifier key, and /v1/log names it', () => {
    expect(statSync(join(data, 'log-sm2.key')).mode & 0o777).toBe(0o600);
    expect(parseVerifierKey(sm2Key)).toMatchObject({ name: ORIGIN, type: 0xff });
    expect(server.logs).toContain(`log SM2 verifier key`);
    expect(server.logs).toContain(`  ${sm2Key}\n`);
    expect(server.logs).toContain(`  ${edKey}\n`);
  });

  it('signs every checkpoint with both keys, Ed25519 first; openssl verifies the SM2 line on its own', async () => {
    const { checkpoint } = await depositReceipt('signed twice');
    const note = parseNote(checkpoint);
    expect(note.signatures.map((s) => s.keyId)).toEqual([parseVerifierKey(edKey).keyId, parseVerifierKey(sm2Key).keyId]);
    expect(note.signatures.every((s) => s.name === ORIGIN)).toBe(true);
    const sig = sm2Signature(checkpoint);
    expect(sig[0]).toBe(0x30); // DER SEQUENCE { r, s }
    expect(opensslVerify(utf8(note.text), sig).ok).toBe(true);
    expect(opensslVerify(utf8(note.text.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`)), sig).ok).toBe(false);
    // /checkpoint serves the same two lines.
    const served = await (await fetch(`${server.url}/checkpoint`)).text();
    expect(opensslVerify(utf8(parseNote(served).text), sm2Signature(served)).ok).toBe(true);
  });

  it('a receipt verifies with only the SM2 key, with only the Ed25519 key, and with a policy requiring both', async () => {
    const { text } = await depositReceipt('three ways');
    const sm2Only = await verify(text, ['--key', sm2Key]);
    expect(sm2Only.code, sm2Only.stdout + sm2Only.stderr).toBe(0);
    const hex = (k: string): string => `${ORIGIN}+${parseVerifierKey(k).keyId.toString(16).padStart(8, '0')}`;
    expect(sm2Only.results[0]).toMatchObject({ ok: true, logKey: hex(sm2Key) }); // the key that was trusted
    const edOnly = await verify(text, ['--key', edKey]);
    expect(edOnly.code, edOnly.stdout + edOnly.stderr).toBe(0);
    expect(edOnly.results[0]).toMatchObject({ ok: true, logKey: hex(edKey) });
    const policy = file('both.policy', `log ${edKey}\nlog ${sm2Key}\nlog-quorum all\nquorum none\n`);
    const both = await verify(text, ['--policy', policy]);
    expect(both.code, both.stdout + both.stderr).toBe(0);
    // A trust file holding the SM2 key works as --key does.
    const trusted = await verify(text, ['--trust', file('trust.txt', `# the log's SM2 key\n${sm2Key}\n`)]);
    expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
  });

  it('a receipt whose SM2 line was tampered with fails under the SM2 key and under the policy requiring both', async () => {
    const { text } = await depositReceipt('tampered');
    const bad = tamperSm2(text);
    const sm2Only = await verify(bad, ['--key', sm2Key]);
    expect(sm2Only.code, sm2Only.stdout + sm2Only.stderr).toBe(1);
    expect(sm2Only.results[0]).toMatchObject({ ok: false, code: 'NOTE_BAD_SIGNATURE' });
    const policy = file('both-2.policy', `log ${edKey}\nlog ${sm2Key}\nlog-quorum all\nquorum none\n`);
    const both = await verify(bad, ['--policy', policy]);
    expect(both.code, both.stdout + both.stderr).toBe(1);
    expect(both.results[0]?.ok).toBe(false);
    // Under the Ed25519 key alone the SM2 line is a line by a key the verifier was not given: ignored, as
    // signed-note says. The Ed25519 line is intact, so that receipt still verifies.
    expect((await verify(bad, ['--key', edKey])).code).toBe(0);
    // Without its SM2 line at all, a policy with log-quorum all refuses it with a clear code.
    const r = JSON.parse(text) as { checkpoint: string };
    const sm2Id = parseVerifierKey(sm2Key).keyId;
    r.checkpoint = r.checkpoint.split('\n').filter((line) => {
      if (!line.startsWith('— ')) return true;
      const sig = fromBase64(line.split(' ')[2]!);
      return new DataView(sig.buffer, sig.byteOffset).getUint32(0) !== sm2Id;
    }).join('\n');
    const stripped = await verify(JSON.stringify(r), ['--policy', policy]);
    expect(stripped.code).toBe(1);
    expect(stripped.results[0]).toMatchObject({ ok: false, code: 'POLICY_LOG_SIGNATURE_MISSING' });
    expect((await verify(JSON.stringify(r), ['--key', edKey])).code).toBe(0);
  });

  it('cunzheng audit accepts the SM2 key as --key: first use, then a consistency proof to a grown tree', async () => {
    const state = join(root, 'audit-state.json');
    const first = await cliAsync(['audit', '--url', server.url, '--key', sm2Key, '--state', state, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await depositReceipt('audited');
    const second = await cliAsync(['audit', '--url', server.url, '--key', sm2Key, '--state', state, '--json']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
  });

  it('keeps its SM2 key across a restart, and fsck of the stopped log checks both lines', async () => {
    const before = readFileSync(join(data, 'log-sm2.key'));
    await server.kill('SIGTERM');
    const fsck = await cliAsync(['fsck', '--data', data, '--json']);
    expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);
    expect(JSON.parse(fsck.stdout)).toMatchObject({ ok: true, problems: [] });
    await server.start();
    expect(readFileSync(join(data, 'log-sm2.key')).equals(before)).toBe(true);
    const log = (await (await fetch(`${server.url}/v1/log`)).json()) as { sm2Key: string };
    expect(log.sm2Key).toBe(sm2Key);
    const { text } = await depositReceipt('after the restart');
    expect((await verify(text, ['--key', sm2Key])).code).toBe(0);
  }, 30_000);

  it('refuses to start on a damaged SM2 key file (exit 3) or one of another origin (exit 2): one line, nothing added', async () => {
    const damaged = join(root, 'damaged');
    mkdirSync(damaged, { mode: 0o700 });
    writeFileSync(join(damaged, 'log-sm2.key'), 'not a signer key\n', { mode: 0o600 });
    const r = await cliAsync(['serve', '--sm2', '--data', damaged, '--port', '0', '--log-level', 'warn']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^cunzheng: LOG_KEY_INVALID: cannot start: /);
    expect(readdirSync(damaged)).toEqual(['log-sm2.key']);
    const other = join(root, 'other');
    mkdirSync(other, { mode: 0o700 });
    await loadOrCreateSm2LogKey(join(other, 'log-sm2.key'), 'other.example/log');
    const o = await cliAsync(['serve', '--sm2', '--data', other, '--port', '0', '--origin', 'mine.example/log', '--log-level', 'warn']);
    expect(o.code, o.stderr).toBe(2);
    expect(o.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(o.stderr).toContain('LOG_ORIGIN_MISMATCH');
    expect(readdirSync(other)).toEqual(['log-sm2.key']);
  });
});

/**
 * The witness over a real listen: every status of C2SP tlog-witness add-checkpoint, forks refused with the
 * spec's status and the state unchanged, concurrent submissions from one old size (one 200, one 409), the
 * monitor endpoint, the cosignature verified with note/'s cosignature verifier, and hostile bodies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { EMPTY_ROOT } from '../../src/merkle/index.js';
import { addSignatures, cosignatureVerifier, generateSm2Signer, parseVerifierKey, signerFromSeed } from '../../src/note/index.js';
import { formatAddCheckpointRequest, openWitness, parseCosignatureLines, type OpenedWitness, type RunningWitnessServer, startWitnessServer } from '../../src/witness/index.js';
import { TestLog } from './helpers.js';

const NAME = 'witness.test.example/w1';
const dir = mkdtempSync(join(tmpdir(), 'cunzheng-witness-server-'));
const log = new TestLog('log.test.example/main').grow(64);
const fork = new TestLog(log.origin, undefined, 'b').grow(64);
const sm2 = generateSm2Signer('log.test.example/sm2');
const sm2Log = new TestLog('log.test.example/sm2').grow(8);
const fresh = new TestLog('log.test.example/fresh').grow(8);
const unknown = new TestLog('log.test.example/unknown').grow(8);
const impostor = signerFromSeed(log.origin, randomBytes(32));
Object.assign(fork, { signer: log.signer });

let opened: OpenedWitness;
let server: RunningWitnessServer;

async function start(): Promise<void> {
  opened = await openWitness({ dataDir: dir, name: NAME, logs: [log.vkey, sm2.verifierKey, fresh.vkey] });
  server = await startWitnessServer(opened.witness, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
}

async function stop(): Promise<void> {
  await server.close();
  await opened.close();
}

interface Answer { status: number; type: string; body: string }

async function post(body: string | Uint8Array, path = '/add-checkpoint', method = 'POST'): Promise<Answer> {
  const r = await fetch(server.url + path, { method, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

const add = (oldSize: number, proof: Uint8Array[], checkpoint: string): Promise<Answer> => post(formatAddCheckpointRequest({ oldSize, proof, checkpoint }));
const originPath = (origin: string): string => `/${toHex(sha256(utf8(origin)))}/checkpoint`;

/** The witness's cosigned size for the main log, read from its monitor endpoint. */
async function cosignedSize(origin = log.origin): Promise<number | undefined> {
  const r = await post('', originPath(origin), 'GET');
  return r.status === 200 ? Number(r.body.split('\n')[1]) : undefined;
}

function expectCode(a: Answer, status: number, code: string): void {
  expect(a.status, a.body).toBe(status);
  expect(a.type).toBe('text/plain; charset=utf-8');
  expect(a.body.startsWith(`${code}: `), a.body).toBe(true);
}

beforeAll(start);
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('add-checkpoint', () => {
  it('cosigns a first checkpoint from old 0; the line verifies as cosignature/v1 of the witness key, time now', async () => {
    const a = await add(0, [], log.checkpoint(5));
    expect(a.status, a.body).toBe(200);
    expect(a.type).toBe('text/plain; charset=utf-8');
    const lines = parseCosignatureLines(a.body);
    expect(lines).toHaveLength(1);
    const wv = parseVerifierKey(opened.key.vkey);
    expect(wv.type).toBe(0x04);
    const cosigner = cosignatureVerifier(NAME, wv.publicKey);
    const cp = openCheckpoint(log.checkpoint(5) + `${lines[0]}\n`, [parseVerifierKey(log.vkey), cosigner]);
    expect(cp.cosignatures).toHaveLength(1);
    expect(Math.abs(cp.cosignatures[0]!.time - Date.now() / 1000)).toBeLessThan(5);
    // A plain Ed25519 verifier of the same key does not accept it (type 0x04 domain separation).
    expect(() => openCheckpoint(log.checkpoint(5) + `${lines[0]}\n`, [cosigner])).toThrow();
  });

  it('answers 409 text/x.tlog.size with the cosigned size when old differs, and changes nothing', async () => {
    for (const old of [0, 3, 6]) {
      const a = await add(old, old === 0 ? [] : log.proof(old, 9), log.checkpoint(9));
      expect(a).toEqual({ status: 409, type: 'text/x.tlog.size', body: '5\n' });
    }
    expect(await cosignedSize()).toBe(5);
  });

  it('extends with a consistency proof, and cosigns the same checkpoint again', async () => {
    expect((await add(5, log.proof(5, 9), log.checkpoint(9))).status).toBe(200);
    expect((await add(9, [], log.checkpoint(9))).status).toBe(200);
    expect(await cosignedSize()).toBe(9);
  });

  it('refuses a fork: same size, another root → 422 WITNESS_FORK; state unchanged', async () => {
    const before = (await post('', originPath(log.origin), 'GET')).body;
    expectCode(await add(9, [], fork.checkpoint(9)), 422, 'WITNESS_FORK');
    expectCode(await add(9, [], log.checkpoint(9, { root: EMPTY_ROOT })), 422, 'WITNESS_FORK');
    expect((await post('', originPath(log.origin), 'GET')).body).toBe(before);
  });

  it('refuses a smaller size: old > size is 400, a smaller checkpoint from its own size is 409', async () => {
    expectCode(await add(9, [], log.checkpoint(7)), 400, 'WITNESS_BAD_REQUEST');
    expect((await add(7, [], log.checkpoint(7))).status).toBe(409);
    expect((await add(0, [], log.checkpoint(7))).status).toBe(409);
    expect(await cosignedSize()).toBe(9);
  });

  it('refuses a bad consistency proof with 422 WITNESS_BAD_PROOF: wrong hashes, too short, too long, a fork\'s valid proof', async () => {
    const good = log.proof(9, 12);
    const flipped = good.map((h, i) => (i === 0 ? h.map((b, j) => (j === 0 ? b ^ 1 : b)) : h));
    for (const p of [flipped, good.slice(1), [...good, good[0]!], [], fork.proof(9, 12), log.proof(8, 12)]) {
      expectCode(await add(9, p, log.checkpoint(12)), 422, 'WITNESS_BAD_PROOF');
    }
    // The fork's own tree, with its own valid proof from 9: does not extend the cosigned root.
    expectCode(await add(9, fork.proof(9, 12), fork.checkpoint(12)), 422, 'WITNESS_BAD_PROOF');
    expectCode(await add(9, [log.root(9)], log.checkpoint(9)), 422, 'WITNESS_BAD_PROOF'); // equal sizes: proof must be empty
    expect(await cosignedSize()).toBe(9);
    expect((await add(9, good, log.checkpoint(12))).status).toBe(200);
  });

  it('from old 0 a proof must be empty (422); size 0 needs the empty root (422), and with it is cosigned', async () => {
    expectCode(await add(0, [fresh.root(1)], fresh.checkpoint(4)), 422, 'WITNESS_BAD_PROOF');
    expectCode(await add(0, [], fresh.checkpoint(0, { root: fresh.root(1) })), 422, 'WITNESS_BAD_EMPTY_ROOT');
    expect(await cosignedSize(fresh.origin)).toBeUndefined();
    expect((await add(0, [], fresh.checkpoint(0))).status).toBe(200);
    expect(await cosignedSize(fresh.origin)).toBe(0);
    expect((await add(0, [], fresh.checkpoint(4))).status).toBe(200);
    expect(await cosignedSize(fresh.origin)).toBe(4);
  });

  it('404 for an unknown origin, before anything else is looked at', async () => {
    expectCode(await add(0, [], unknown.checkpoint(3)), 404, 'WITNESS_UNKNOWN_LOG');
    expectCode(await add(5, [], unknown.checkpoint(3)), 404, 'WITNESS_UNKNOWN_LOG');
  });

  it('403 without a trusted log signature, or with a trusted key\'s line that does not verify', async () => {
    expectCode(await add(12, [], log.checkpoint(12, { signer: impostor })), 403, 'WITNESS_NOT_SIGNED_BY_LOG');
    // A cosignature by the witness's own key is no log signature.
    const own = (await add(12, [], log.checkpoint(12))).body;
    const onlyWitness = log.checkpoint(12).split('\n\n')[0] + '\n\n' + own;
    expectCode(await add(12, [], onlyWitness), 403, 'WITNESS_NOT_SIGNED_BY_LOG');
    // The trusted key's line over another tree size (same key name and ID, bad signature).
    const [body12, sig12] = log.checkpoint(12).split('\n\n') as [string, string];
    const sig13 = log.checkpoint(13).split('\n\n')[1]!;
    expect(sig12).not.toBe(sig13);
    expectCode(await add(12, [], `${body12}\n\n${sig13}`), 403, 'WITNESS_BAD_LOG_SIGNATURE');
    // A bad line beside a good one is still a malformed note.
    expectCode(await add(12, [], `${body12}\n\n${sig12}${sig13}`), 403, 'WITNESS_BAD_LOG_SIGNATURE');
    // Lines of unknown keys are ignored.
    expect((await add(12, [], addSignatures(log.checkpoint(12), [impostor, signerFromSeed('other.example/k', randomBytes(32))]))).status).toBe(200);
    expect(await cosignedSize()).toBe(12);
  });

  it('takes SM2 log keys (type 0xff) from --log', async () => {
    const cp = sm2Log.checkpoint(8, { signer: sm2.signer });
    expect((await add(0, [], cp)).status).toBe(200);
    expect(await cosignedSize(sm2Log.origin)).toBe(8);
  });

  it('two concurrent submissions from the same old size: exactly one 200 and one 409, and the stored size is the 200\'s', async () => {
    let size = 12;
    for (let round = 0; round < 15; round++) {
      const [a, b] = [size + 1 + (round % 3), size + 4 + (round % 2)];
      const answers = await Promise.all([add(size, log.proof(size, a), log.checkpoint(a)), add(size, log.proof(size, b), log.checkpoint(b))]);
      const statuses = answers.map((x) => x.status).sort();
      expect(statuses, JSON.stringify(answers)).toEqual([200, 409]);
      const won = answers[0]!.status === 200 ? a : b;
      expect(answers.find((x) => x.status === 409)!.body).toBe(`${won}\n`);
      expect(await cosignedSize()).toBe(won);
      size = won;
    }
    // Eight at once, all from the same size: one wins.
    const many = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((k) => add(size, log.proof(size, size + k), log.checkpoint(size + k))));
    expect(many.filter((x) => x.status === 200)).toHaveLength(1);
    expect(many.filter((x) => x.status === 409)).toHaveLength(7);
  });
});

describe('monitor retrieval and other requests', () => {
  it('GET /<origin hash>/checkpoint: the latest cosigned checkpoint with the log\'s and the witness\'s signatures', async () => {
    const r = await post('', originPath(log.origin), 'GET');
    expect(r.status).toBe(200);
    const wv = parseVerifierKey(opened.key.vkey);
    const cp = openCheckpoint(r.body, [parseVerifierKey(log.vkey), cosignatureVerifier(NAME, wv.publicKey)]);
    expect(cp.checkpoint.treeSize).toBe(await cosignedSize());
    expect(cp.logSignatures).toHaveLength(1);
    expect(cp.cosignatures.map((c) => c.name)).toEqual([NAME]);
    expect(r.body.split('\n').filter((l) => l.startsWith('\u2014 '))).toHaveLength(2); // unknown keys' lines are not kept
    expectCode(await post('', originPath(unknown.origin), 'GET'), 404, 'WITNESS_NOT_FOUND');
    expect((await post('', originPath(log.origin), 'HEAD')).status).toBe(200);
  });

  it('405 for another method on a known path, 404 elsewhere', async () => {
    for (const m of ['GET', 'PUT', 'DELETE', 'PATCH']) expectCode(await post('x', '/add-checkpoint', m), 405, 'WITNESS_METHOD_NOT_ALLOWED');
    expectCode(await post('x', originPath(log.origin), 'POST'), 405, 'WITNESS_METHOD_NOT_ALLOWED');
    for (const p of ['/', '/add-checkpoint/', '/ADD-CHECKPOINT', '/v1/add-checkpoint', `/${'A'.repeat(64)}/checkpoint`, '/checkpoint', '/%00', '/..%2fadd-checkpoint']) {
      expectCode(await post('', p, 'GET'), 404, 'WITNESS_NOT_FOUND');
    }
  });

  it('413 for a body over the bound, by Content-Length or by the bytes streamed', async () => {
    const big = new Uint8Array(1024 * 1024 + 8192);
    expectCode(await post(big), 413, 'WITNESS_REQUEST_TOO_LARGE');
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(65536));
        c.close();
      },
    });
    const r = await fetch(server.url + '/add-checkpoint', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
  });
});

describe('restart', () => {
  it('a reopened witness has the same key and state', async () => {
    const vkey = opened.key.vkey;
    const size = await cosignedSize();
    await stop();
    await start();
    expect(opened.key.vkey).toBe(vkey);
    expect(opened.key.created).toBe(false);
    expect(await cosignedSize()).toBe(size);
    expect((await add(0, [], log.checkpoint(size!))).body).toBe(`${size}\n`);
  });
});

describe('a damaged state', () => {
  it('is WITNESS_STATE_CORRUPT at open: the witness never starts from zero over records it cannot read', async () => {
    const { Level } = await import('level');
    const { originHash } = await import('../../src/witness/index.js');
    const { codeOf } = await import('../support/codes.js');
    for (const [key, value] of [
      [`log ${originHash(log.origin)}`, 'not json'],
      [`log ${originHash(log.origin)}`, JSON.stringify({ v: 1, origin: 'other.example/log', size: 1, root: '', checkpoint: '', cosignedAt: 0 })],
      [`log ${originHash(log.origin)}`, JSON.stringify({ v: 1, origin: log.origin, size: 3, root: Buffer.from(log.root(3)).toString('base64'), checkpoint: log.checkpoint(4), cosignedAt: 0 })],
      ['something else', '{}'],
    ] as const) {
      const d = mkdtempSync(join(tmpdir(), 'cunzheng-witness-corrupt-'));
      const db = new Level<string, string>(join(d, 'state'));
      await db.put(key, value);
      await db.close();
      expect(await codeOf(openWitness({ dataDir: d, name: NAME, logs: [log.vkey] }))).toBe('WITNESS_STATE_CORRUPT');
      rmSync(d, { recursive: true, force: true });
    }
  });
});

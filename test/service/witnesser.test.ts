/**
 * The log's witness client and witnesser against in-test witnesses on a real listen: the happy path and
 * its stored record, 409 learning (a fresh witness, a witness that lost its state), the spec's "old 0 →
 * empty proof", garbage, a forged or foreign line, a slow witness past the deadline, a witness ahead of the
 * log, backoff, and the /metrics lines.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, recordKeys } from '../../src/ledger/index.js';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { EMPTY_ROOT } from '../../src/merkle/index.js';
import { KEY_TYPE_COSIGNATURE_V1, MAX_NOTE_SIGNATURES, addSignatures, cosignerFromSeed, formatVerifierKey, parseNote, parseVerifierKey } from '../../src/note/index.js';
import { utf8 } from '../../src/crypto/index.js';
import { randomBytes } from 'node:crypto';
import { evaluateQuorum, parsePolicy, policyVerifiers } from '../../src/policy/index.js';
import { requestCosignature, MAX_ANSWER_BYTES } from '../../src/service/witness-client.js';
import { Witnesser } from '../../src/service/witnesser.js';
import { tempDir } from '../http/helpers.js';
import { policyText, startTestWitness, type TestWitness } from './witness-helpers.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';

const ORIGIN = 'test.example/witnessed-log';
let t: { dir: string; cleanup: () => void };
let ledger: Ledger;
const open: { close(): Promise<void> }[] = [];

async function grow(n: number): Promise<void> {
  const base = ledger.treeSize;
  await Promise.all(Array.from({ length: n }, (_, i) => ledger.append(new TextEncoder().encode(`entry-${base + i}`))));
}

async function witness(name: string, mode?: Parameters<typeof startTestWitness>[2]): Promise<TestWitness> {
  const w = await startTestWitness(name, ledger.verifierKey, mode);
  open.push(w);
  return w;
}

function endpoint(w: TestWitness) {
  return { name: w.name, url: w.url, verifier: parseVerifierKey(w.vkey) };
}

function request(oldSize = 0) {
  return { checkpoint: ledger.checkpoint, treeSize: ledger.treeSize, oldSize, consistencyProof: (a: number, b: number) => ledger.consistencyProof(a, b) };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'resolved';
}

beforeAll(async () => {
  t = tempDir('cunzheng-witnesser-');
  ledger = await Ledger.open({ dataDir: t.dir, origin: ORIGIN });
  await grow(10);
});
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
afterAll(async () => {
  await ledger.close();
  t.cleanup();
});

describe('requestCosignature', () => {
  it('gets a cosignature that verifies, and learns a fresh witness\'s size through nothing (old 0, empty proof)', async () => {
    const w = await witness('w.example/one');
    const r = await requestCosignature(endpoint(w), request(0));
    expect(r.lines).toHaveLength(1);
    expect(w.seen).toEqual([{ oldSize: 0, proofLines: 0, status: 200 }]);
    const opened = openCheckpoint(ledger.checkpoint + `${r.lines[0]}\n`, [parseVerifierKey(ledger.verifierKey), parseVerifierKey(w.vkey)]);
    expect(opened.cosignatures.map((c) => c.name)).toEqual(['w.example/one']);
  });

  it('learns the size from a 409 and retries once with the ledger\'s consistency proof', async () => {
    const w = await witness('w.example/two');
    await requestCosignature(endpoint(w), request(0));
    const at = ledger.treeSize;
    await grow(7);
    // We believe it is at 0 (a restart): 409 tells the size, the retry carries the proof from it.
    const r = await requestCosignature(endpoint(w), request(0));
    expect(r.learned).toBe(at);
    expect(w.seen.slice(1).map((s) => [s.oldSize, s.status])).toEqual([[0, 409], [at, 200]]);
    expect(w.seen[2]!.proofLines).toBe((await ledger.consistencyProof(at, ledger.treeSize)).length);
    expect(w.seen[2]!.proofLines).toBeGreaterThan(0);
  });

  it('recovers with a witness that lost its state: we say old N, it says 0, we send old 0 and no proof', async () => {
    const w = await witness('w.example/amnesiac');
    await requestCosignature(endpoint(w), request(0));
    const at = ledger.treeSize;
    await grow(3);
    w.state = { size: 0, root: EMPTY_ROOT }; // lost its state
    const r = await requestCosignature(endpoint(w), request(at));
    expect(r.learned).toBe(0);
    expect(w.seen.slice(1)).toEqual([{ oldSize: at, proofLines: expect.any(Number), status: 409 }, { oldSize: 0, proofLines: 0, status: 200 }]);
  });

  it('refuses a 200 of garbage, of a forged line, of another key\'s line: WITNESS_BAD_ANSWER', async () => {
    for (const kind of ['garbage', 'forged', 'foreign'] as const) {
      const w = await witness(`w.example/${kind}`, { kind });
      expect(await codeOf(requestCosignature(endpoint(w), request(0))), kind).toBe('WITNESS_BAD_ANSWER');
    }
  });

  it('a witness ahead of the log is WITNESS_AHEAD after one request (no retry); a bad 409 is WITNESS_BAD_ANSWER', async () => {
    const ahead = await witness('w.example/ahead', { kind: 'ahead', size: ledger.treeSize + 5 });
    expect(await codeOf(requestCosignature(endpoint(ahead), request(0)))).toBe('WITNESS_AHEAD');
    expect(ahead.seen).toHaveLength(1);
    const bad = await witness('w.example/bad409', { kind: 'bad409' });
    await requestCosignature(endpoint(bad), request(0)).catch(() => undefined);
    await grow(1);
    expect(await codeOf(requestCosignature(endpoint(bad), request(0)))).toBe('WITNESS_BAD_ANSWER');
  });

  it('names the status of any other answer, and gives up on a slow witness at the deadline', async () => {
    const w = await witness('w.example/500', { kind: 'status', status: 500 });
    const e = await requestCosignature(endpoint(w), request(0)).catch((x: unknown) => x as { code: string; details: { status: number } });
    expect(e).toMatchObject({ code: 'WITNESS_HTTP_ERROR', details: { status: 500 } });
    const slow = await witness('w.example/slow', { kind: 'slow', ms: 3000 });
    const t0 = performance.now();
    expect(await codeOf(requestCosignature(endpoint(slow), request(0), { timeoutMs: 300 }))).toBe('WITNESS_TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('refuses an answer beyond its size cap, and an unreachable witness is WITNESS_UNREACHABLE', async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('\u2014 x '.padEnd(MAX_ANSWER_BYTES + 10, 'A'));
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => big.close(() => r())) });
    const url = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
    const other = await witness('w.example/key');
    expect(await codeOf(requestCosignature({ ...endpoint(other), url }, request(0)))).toBe('WITNESS_BAD_ANSWER');
    await other.close();
    expect(await codeOf(requestCosignature(endpoint(other), request(0)))).toBe('WITNESS_UNREACHABLE');
  });
});

describe('requestCosignature on hostile answers', () => {
  it('answers every random 200 and 409 body with a WITNESS_* code, never another exception', async () => {
    let next: { status: number; type: string; body: Buffer } = { status: 200, type: 'text/plain', body: Buffer.alloc(0) };
    const srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(next.status, { 'content-type': next.type });
        res.end(next.body);
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }) });
    const key = await witness('w.example/fuzz');
    const ep = { ...endpoint(key), url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
    const pieces = ['\u2014 ', 'w.example/fuzz ', '409', '\n', '0', ' ', 'AAAA', '=', '\u0000', '\r', '\uFFFF', '99999999999999999999', '01'];
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(200, 409, 201, 204, 301, 400, 404, 422, 500),
      fc.constantFrom('text/plain', 'text/x.tlog.size', 'text/x.tlog.size; charset=utf-8', 'application/json', ''),
      fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => Buffer.from(a.join('')))),
      async (status, type, body) => {
        next = { status, type, body };
        const code = await codeOf(requestCosignature(ep, request(0), { timeoutMs: 2_000 }));
        expect(code).toMatch(/^WITNESS_[A-Z_]+$/);
      },
    ), { numRuns: 150 });
  });
});

describe('Witnesser', () => {
  it('cosigns with every witness at once, stores x W, serves the cosigned note, evaluates the quorum, and reads it back', async () => {
    const ws = [await witness('w.example/a'), await witness('w.example/b'), await witness('w.example/c', { kind: 'status', status: 503 })];
    const policy = parsePolicy(policyText(ledger.verifierKey, ws, 2));
    const wr = await Witnesser.open(ledger, { policy });
    await grow(2);
    const c = await wr.tick();
    expect(c?.treeSize).toBe(ledger.treeSize);
    expect(c?.cosigners.sort()).toEqual(['w.example/a', 'w.example/b']);
    expect(wr.quorumMet).toBe(true);
    expect(evaluateQuorum(policy, c!.cosigners)).toBe(true);
    const opened = openCheckpoint(c!.checkpoint, policyVerifiers(policy));
    expect(opened.cosignatures).toHaveLength(2);
    expect(wr.witnesses.find((s) => s.name === 'w.example/c')).toMatchObject({ failures: 1, lastError: 'WITNESS_HTTP_ERROR', size: null });
    expect(wr.witnesses.find((s) => s.name === 'w.example/a')).toMatchObject({ failures: 0, lastError: null, size: ledger.treeSize });
    // Nothing due: the tree did not grow and c backs off.
    const requests = wr.metrics.requests;
    await wr.tick();
    expect(wr.metrics.requests).toBe(requests);
    // c comes back: after its backoff it adds its line to the same size's record.
    ws[2]!.mode = { kind: 'honest' };
    wr.witnesses.find((s) => s.name === 'w.example/c')!.nextAttemptAt = 0;
    const again = await wr.tick();
    expect(again?.cosigners.sort()).toEqual(['w.example/a', 'w.example/b', 'w.example/c']);
    await wr.stop();
    // Read back from x W after a restart of the witnesser.
    const back = await Witnesser.open(ledger, { policy });
    expect(back.latestCosigned).toEqual(again);
    expect(await back.cosignedNote(again!.treeSize, ledger.checkpoint)).toBe(again!.checkpoint);
    await back.stop();
  });

  it('keeps a fast witness\'s cosignature while a slow one runs to its deadline, and appends never wait for either', async () => {
    const fast = await witness('w.example/fast');
    const slow = await witness('w.example/slow2', { kind: 'slow', ms: 5_000 });
    const policy = parsePolicy(policyText(ledger.verifierKey, [fast, slow], 1));
    const wr = await Witnesser.open(ledger, { policy, timeoutMs: 2_000 });
    await grow(1);
    const run = wr.tick();
    const t0 = performance.now();
    await grow(3); // the ledger commits while the witnesser waits
    expect(performance.now() - t0).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 300));
    expect(wr.latestCosigned?.cosigners).toEqual(['w.example/fast']);
    expect(wr.quorumMet).toBe(true);
    await run;
    expect(wr.witnesses[1]!.lastError).toBe('WITNESS_TIMEOUT');
    await wr.stop();
  });

  it('started: a deposit after a quiet spell is cosigned within ~100 ms, and runs come at most once a second', async () => {
    const w = await witness('w.example/timer');
    const policy = parsePolicy(policyText(ledger.verifierKey, [w], 1));
    const wr = await Witnesser.open(ledger, { policy });
    const until = async (size: number): Promise<number> => {
      const t0 = performance.now();
      while (wr.latestCosigned?.treeSize !== size) {
        if (performance.now() - t0 > 3000) throw new Error(`not cosigned: ${JSON.stringify(wr.witnesses)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - t0;
    };
    wr.start();
    await until(ledger.treeSize); // the first run (a 409 then the retry)
    await new Promise((r) => setTimeout(r, 1100));
    await grow(1);
    expect(await until(ledger.treeSize)).toBeLessThan(400);
    const runs = wr.metrics.runs;
    await grow(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(wr.metrics.runs).toBe(runs); // not yet: the last run began less than a second ago
    await until(ledger.treeSize);
    expect(wr.metrics.runs).toBe(runs + 1);
    await wr.stop();
  });

  it('keeps a cosigned note within the signed-note bound when a policy lists more witnesses than a note can carry', async () => {
    await grow(1);
    const signers = Array.from({ length: 120 }, (_, i) => cosignerFromSeed(`w${i}.example/many`, randomBytes(32)));
    const vkeys = signers.map((s) => ({ name: s.name, vkey: formatVerifierKey(s.name, s.publicKey, KEY_TYPE_COSIGNATURE_V1) }));
    const policy = parsePolicy(policyText(ledger.verifierKey, vkeys, 60));
    const lines = signers.map((sg) => parseNote(addSignatures(ledger.checkpoint, [sg])).signatures.find((x) => x.name === sg.name)!.line);
    await ledger.records.put([[recordKeys.cosignedKey(ledger.treeSize), utf8(lines.map((l) => `${l}\n`).join(''))]]);
    const wr = await Witnesser.open(ledger, { policy });
    const c = wr.latestCosigned!;
    expect(c.lines.length).toBe(MAX_NOTE_SIGNATURES - 1);
    expect(c.cosigners).toHaveLength(MAX_NOTE_SIGNATURES - 1);
    expect(openCheckpoint(c.checkpoint, policyVerifiers(policy)).cosignatures).toHaveLength(MAX_NOTE_SIGNATURES - 1);
    expect(wr.quorumMet).toBe(true);
    await wr.stop();
  });

  it('with every witness down keeps the last cosigned checkpoint and never throws; a forged answer counts as a failure', async () => {
    const ws = [await witness('w.example/d', { kind: 'forged' }), await witness('w.example/e', { kind: 'garbage' })];
    const policy = parsePolicy(policyText(ledger.verifierKey, ws, 1));
    const wr = await Witnesser.open(ledger, { policy });
    const before = wr.latestCosigned;
    await grow(1);
    await expect(wr.tick()).resolves.toBe(before);
    expect(wr.witnesses.map((s) => s.lastError)).toEqual(['WITNESS_BAD_ANSWER', 'WITNESS_BAD_ANSWER']);
    expect(wr.witnesses.every((s) => s.nextAttemptAt > Date.now() + 500)).toBe(true);
    await wr.stop();
  });
});

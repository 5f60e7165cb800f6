/**
 * Garbage of every kind at the witness: random and mutated bodies, raw bytes on the socket (bad request
 * lines, huge headers, bad chunking, a slow client), odd methods and paths. Every answer is a 4xx (or the
 * connection is closed), never a 5xx; the witness serves correctly afterwards and its state is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddCheckpointRequest, openWitness, originHash, startWitnessServer, type OpenedWitness, type RunningWitnessServer } from '../../src/witness/index.js';
import { fuzzRuns } from '../support/fuzz.js';
import { TestLog } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cunzheng-witness-hostile-'));
const log = new TestLog('log.hostile.example/main').grow(32);
let opened: OpenedWitness;
let server: RunningWitnessServer;
let port: number;

beforeAll(async () => {
  opened = await openWitness({ dataDir: dir, name: 'witness.hostile.example/w', logs: [log.vkey] });
  server = await startWitnessServer(opened.witness, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  port = Number(new URL(server.url).port);
  const r = await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: log.checkpoint(10) }));
  expect(r).toBe(200);
});
afterAll(async () => {
  await server.close();
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: string | Uint8Array, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(`${server.url}/add-checkpoint`, { method: 'POST', body, headers })).status;
}

/** Writes raw bytes and returns the status line's code, or 0 when the server closed without one. */
function raw(bytes: string | Buffer, waitMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      clearTimeout(t);
      s.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      resolve(m === null ? 0 : Number(m[1]));
    };
    const t = setTimeout(done, waitMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (/\r\n\r\n/.test(got)) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.write(bytes);
  });
}

/** The witness still answers as it should: 409 from 0, 200 for its cosigned checkpoint, which is the log's true one. */
async function stillWitnessing(): Promise<void> {
  const { size, root } = await cosigned();
  expect(root).toBe(Buffer.from(log.root(size)).toString('base64'));
  expect(await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: log.checkpoint(size) }))).toBe(409);
  expect(await post(formatAddCheckpointRequest({ oldSize: size, proof: [], checkpoint: log.checkpoint(size) }))).toBe(200);
}

describe('hostile bodies', () => {
  it('random bytes, random text and mutations of a good request: 4xx, never 5xx, never a cosignature of another tree', async () => {
    const good = formatAddCheckpointRequest({ oldSize: 10, proof: log.proof(10, 20), checkpoint: log.checkpoint(20) });
    const mutated = fc.tuple(fc.nat({ max: good.length }), fc.nat({ max: 6 }), fc.string({ maxLength: 6, unit: 'binary' }))
      .map(([at, cut, ins]) => good.slice(0, at) + ins + good.slice(at + cut));
    const bodies = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300, unit: 'binary' }), mutated), fuzzRuns(300));
    for (const b of bodies) {
      const status = await post(b);
      // Cosigned only when the mutation left the request meaning what it did (10 → 20, or 20 again after it):
      // the stored checkpoint is always one of the log's own.
      if (status === 200) {
        const now = await cosigned();
        expect(now.size).toBe(20);
        expect(now.root).toBe(Buffer.from(log.root(20)).toString('base64'));
      } else expect(status >= 400 && status < 500, `${status} for ${JSON.stringify(String(b).slice(0, 80))}`).toBe(true);
    }
    await stillWitnessing();
  }, 60_000);

  it('odd headers: content types, encodings, a lying Content-Length', async () => {
    const good = formatAddCheckpointRequest({ oldSize: 10, proof: [], checkpoint: log.checkpoint(10) });
    for (const h of <Record<string, string>[]>[{ 'content-type': 'application/json' }, { 'content-type': 'multipart/form-data; boundary=x' }, { 'content-encoding': 'gzip' }, { 'content-type': '\u00ff' }]) {
      const s = await post(good, h).catch(() => 0);
      expect([0, 200, 400, 409]).toContain(s);
    }
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n`)).toBe(413);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nold 1`)).toBe(400);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`)).toBe(400);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nold 1\n`)).toBe(400);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`)).toBe(400);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`)).toBe(400);
    await stillWitnessing();
  });
});

describe('hostile HTTP', () => {
  it('bad request lines, methods, paths and header floods get a 4xx or a closed connection', async () => {
    const cases = [
      'GARBAGE\r\n\r\n', '\x00\x01\x02\x03\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'POST /add-checkpoint HTTP/1.1\r\n\r\n',
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, `GET / HTTP/1.1\r\nHost: x\r\nX: ${'y'.repeat(20_000)}\r\n\r\n`,
      `GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`, 'GET / HTTP/1.1\r\nHost x\r\n\r\n', 'BREW /add-checkpoint HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /add-checkpoint?old=1 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET http://evil/add-checkpoint HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', Buffer.from(fc.sample(fc.uint8Array({ minLength: 64, maxLength: 64 }), 1)[0]!),
    ];
    for (const c of cases) {
      const status = await raw(c);
      expect(status === 0 || (status >= 400 && status < 500), `${status} for ${JSON.stringify(String(c).slice(0, 60))}`).toBe(true);
    }
    await stillWitnessing();
  }, 60_000);

  it('random request bytes on the socket: never a 5xx', async () => {
    const samples = fc.sample(fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 200, unit: 'binary' }).map((s) => `POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`),
    ), fuzzRuns(60));
    for (const s of samples) {
      const status = await raw(s, 300);
      expect(status < 500, `${status}`).toBe(true);
    }
    await stillWitnessing();
  }, 60_000);
});

async function cosigned(): Promise<{ size: number; root: string }> {
  const r = await fetch(`${server.url}/${originHash(log.origin)}/checkpoint`);
  const [, size, root] = (await r.text()).split('\n');
  return { size: Number(size), root: root! };
}

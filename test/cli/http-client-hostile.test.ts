/**
 * The CLI's HTTP client against servers that do not behave: a body far past the cap (streamed without a
 * length, or announced with one), a server that is not there, a URL without a scheme. Real HTTP servers on
 * 127.0.0.1, port 0; the built CLI as a child process for exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getText, NetworkError, request, serviceUrl } from '../../cli/http-client.js';
import { UsageError } from '../../cli/exit-codes.js';
import { freePort } from '../support/server-process.js';
import { cliAsync } from './cli-async.js';
import { ROOT } from './run-cli.js';

const VKEY = readFileSync(join(ROOT, 'fixtures/log.vkey'), 'utf8').trim();
const RECEIPT = join(ROOT, 'fixtures/receipts/empty.bin.receipt.json');
const MiB = 1024 * 1024;
const TOTAL = 300 * MiB;

/** Bytes the flood route managed to send before the client hung up, per request. */
const sent: number[] = [];
let server: Server;
let url: string;

async function flood(res: ServerResponse, announce: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', ...(announce ? { 'content-length': String(TOTAL) } : {}) });
  const chunk = Buffer.alloc(MiB, 0x41);
  let n = 0;
  const slot = sent.push(0) - 1;
  res.on('close', () => (sent[slot] = n));
  while (n < TOTAL && !res.destroyed) {
    n += chunk.length;
    if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
  }
  res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/stream/checkpoint' || req.url === '/stream/v1/log') return void flood(res, false);
    if (req.url === '/announced/checkpoint') return void flood(res, true);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('a reply past the size cap', () => {
  it('is aborted while streaming, long before the 300 MB the server would send', async () => {
    const before = sent.length;
    const e = await request(`${url}/stream/checkpoint`).then(() => undefined, (err: unknown) => err);
    await new Promise((r) => setTimeout(r, 200)); // the server sees the close
    expect(sent.length).toBe(before + 1);
    expect(sent[before]).toBeLessThan(100 * MiB); // the client hung up: it did not take the 300 MB in
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as Error).message).toMatch(/larger than the \d+ bytes allowed/);
  });

  it('is refused from its content-length before the body is read', async () => {
    const before = sent.length;
    await expect(getText(`${url}/announced/checkpoint`)).rejects.toBeInstanceOf(NetworkError);
    await new Promise((r) => setTimeout(r, 200));
    expect(sent[before]).toBeLessThan(16 * MiB);
  });

  it('honours a smaller per-request cap', async () => {
    await expect(request(`${url}/stream/checkpoint`, { maxBytes: 1000 })).rejects.toThrow(/larger than the 1000 bytes allowed/);
  });

  it('makes the CLI exit 2 with one line (audit)', async () => {
    const r = await cliAsync(['audit', '--url', `${url}/stream/`, '--key', VKEY, '--state', join(ROOT, 'nonexistent-state.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/larger than the \d+ bytes allowed/);
  });
});

describe('a server that is not there', () => {
  it('exits 2 with one line in every command that talks to it', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (const args of [
      ['audit', '--url', dead, '--key', VKEY, '--state', join(ROOT, 'nonexistent-state.json')],
      ['receipt', 'upgrade', RECEIPT, '--url', dead, '--key', VKEY],
      ['tenant', 'add', '--name', '测试公司', '--uscc', '91110000MA00ABCD0X', '--url', dead, '--admin-token', 't'],
    ]) {
      const r = await cliAsync(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args[0]).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot reach/);
    }
  });
});

describe('a URL without http(s) scheme', () => {
  it.each([['127.0.0.1:8080'], ['localhost:8080'], ['ftp://127.0.0.1/'], ['file:///etc/passwd'], ['']])('--url %j is a usage error with one line, no stack trace', async (bad) => {
    for (const args of [
      ['receipt', 'upgrade', RECEIPT, '--url', bad, '--key', VKEY],
      ['audit', '--url', bad, '--key', VKEY, '--state', join(ROOT, 'nonexistent-state.json')],
    ]) {
      const r = await cliAsync(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/http:\/\/ or https:\/\//);
    }
  });

  it('serviceUrl accepts http and https and adds the final slash', () => {
    expect(serviceUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/');
    expect(serviceUrl('https://log.example/prefix/')).toBe('https://log.example/prefix/');
    expect(() => serviceUrl('127.0.0.1:8080')).toThrow(UsageError);
    expect(() => serviceUrl('http://user:secret@127.0.0.1/')).toThrow(UsageError);
  });
});

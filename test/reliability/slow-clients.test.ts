/**
 * Slow clients cannot hold the server: headers that trickle in past the header deadline, and a body that
 * trickles past the request deadline, are cut off; meanwhile other clients are served at once. A burst of
 * deposits beyond the queue's capacity is answered 503 + Retry-After, never hangs, and nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';

const ADMIN = 'slow-client-admin-token-0123456789';
let dir: string;
let server: RunningServer;
let port: number;
let apiKey: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-slow-'));
  server = await startServer({
    dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, adminToken: ADMIN, logLevel: 'silent', pretty: false,
    headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxQueue: 200, docs: false,
  });
  port = Number(new URL(server.url).port);
  const t = await fetch(`${server.url}/v1/admin/tenants`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '慢客户端测试有限公司', uscc: completeUscc('91430100MA4L16JJ') }),
  });
  apiKey = ((await t.json()) as { apiKey: string }).apiKey;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a socket and writes `chunks` one every `everyMs`; resolves with what came back and when it closed. */
function trickle(chunks: string[], everyMs: number): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = connect(port, '127.0.0.1');
    let response = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < chunks.length && !sock.destroyed) sock.write(chunks[i++]!);
    }, everyMs);
    sock.on('data', (d) => (response += d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearInterval(timer);
      resolve({ response, closedAfterMs: performance.now() - started });
    });
  });
}

describe('slow clients', () => {
  it('headers trickling past the header deadline are cut off, while others are served', async () => {
    const header = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const slow = trickle(header.split(''), 50); // 250 characters at 20/s: over 12 s if allowed
    const t0 = performance.now();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1_000);
    const r = await slow;
    expect(r.closedAfterMs).toBeLessThan(9_000);
    expect(r.response === '' || /^HTTP\/1\.1 408/.test(r.response)).toBe(true);
  }, 20_000);

  it('a body trickling past the request deadline is cut off and deposits nothing', async () => {
    const before = server.ctx.ledger.treeSize;
    const body = JSON.stringify({ sha256: toHex(sha256(utf8('slow body'))) });
    const head = `POST /v1/deposits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await trickle([head, ...body.split('')], 100); // the body alone would take ~8 s
    expect(r.closedAfterMs).toBeLessThan(8_000);
    expect(r.response).not.toMatch(/^HTTP\/1\.1 201/);
    expect(server.ctx.ledger.treeSize).toBe(before);
  }, 20_000);
});

describe('a burst beyond capacity', () => {
  it('is answered 201 or 503 + Retry-After, never hangs, and every 201 is in the ledger', async () => {
    const statuses = new Map<number, number>();
    const receipts: Receipt[] = [];
    let retryAfter: string | null = null;
    await Promise.all(Array.from({ length: 40 }, async (_, c) => {
      const items = Array.from({ length: 50 }, (_, k) => ({ sha256: toHex(sha256(utf8(`burst ${c} ${k}`))) }));
      const r = await fetch(`${server.url}/v1/deposits`, {
        method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items }), signal: AbortSignal.timeout(30_000),
      });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 201) receipts.push(...((await r.json()) as { receipts: Receipt[] }).receipts);
      if (r.status === 503) retryAfter = r.headers.get('retry-after');
    }));
    expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);
    expect(receipts.length).toBeGreaterThan(0);
    for (const r of receipts) await verifyReceipt(r, [server.ctx.ledger.verifierKey]);
    if (statuses.has(503)) expect(retryAfter).toMatch(/^\d+$/);

    // One request larger than the whole queue can never fit: 503 + Retry-After at once, nothing written.
    const before = server.ctx.ledger.treeSize;
    const big = await fetch(`${server.url}/v1/deposits`, {
      method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: Array.from({ length: 250 }, (_, k) => ({ sha256: toHex(sha256(utf8(`too big ${k}`))) })) }),
    });
    expect(big.status).toBe(503);
    expect(big.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await big.json()) as { code: string }).code).toBe('LEDGER_BUSY');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.ctx.ledger.treeSize).toBe(before);
  }, 60_000);
});

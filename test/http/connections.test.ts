/**
 * The listening server caps its open connections (`maxConnections`): one beyond the cap is closed at once,
 * counted in /metrics, and the connections already open are served as before; once one closes, a new one
 * is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { ADMIN_TOKEN, tempDir } from './helpers.js';
import { RawRequest } from './raw-request.js';

let data: ReturnType<typeof tempDir>;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  data = tempDir('cunzheng-connections-');
  server = await startServer({ dataDir: join(data.dir, 'data'), host: '127.0.0.1', port: 0, adminToken: ADMIN_TOKEN, logLevel: 'silent', pretty: false, docs: false, maxConnections: 2 });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
  data?.cleanup();
});

const healthz = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('beyond maxConnections', () => {
  it('closes the extra connection at once and keeps serving the open ones', async () => {
    const first = new RawRequest(port, healthz);
    const second = new RawRequest(port, healthz);
    expect((await first.response).status).toBe(200);
    expect((await second.response).status).toBe(200);
    // both stay open (keep-alive); a third is one too many
    const third = new RawRequest(port, healthz);
    await expect(third.response).rejects.toThrow(/closed without a whole response/);
    expect(third.closed).toBe(true);
    expect(first.closed || second.closed).toBe(false);
    first.destroy();
    await settle(50);
    const metrics = await fetch(`${server.url}/metrics`, { headers: { connection: 'close' } });
    expect(await metrics.text()).toMatch(/^cunzheng_http_dropped_connections_total 1$/m);
    second.destroy();
  });
});

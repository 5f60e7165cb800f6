/**
 * POST /v1/documents over a real socket: a 200 MB body streamed chunk by chunk is hashed on the fly
 * (the receipt's digests equal the client's), memory stays flat, and not one byte of the document
 * lands in the data directory. Oversize bodies get a 413 and aborted uploads deposit nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import { createCipheriv, createHash, getHashes, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { createSm3, toHex } from '../../src/crypto/index.js';
import { USCC_A, createTenant, expectErrorBody, openTestService, tempDir, type TestService, type TestTenant } from './helpers.js';

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;
/** 64 recognisable bytes written into every chunk of the generated document. */
const MARKER = Buffer.from('<<CUNZHENG-UPLOAD-MARKER::do-not-store::0123456789abcdefghijkl>>', 'ascii');

/**
 * A deterministic pseudo-random document: the AES-256-CTR keystream of a fixed key, with MARKER written
 * into each chunk at a varying offset. Produced one chunk at a time, never whole.
 */
class GeneratedDocument {
  private readonly cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 0));
  private readonly zeros = Buffer.alloc(CHUNK);
  private produced = 0;
  /** 32-byte windows of the body taken while generating (chunk index → window). */
  readonly windows: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly windowChunks: Set<number>,
  ) {
    expect(MARKER.length).toBe(64);
  }

  /** The next chunk, or undefined at the end. */
  next(): Buffer | undefined {
    if (this.produced >= this.size) return undefined;
    const i = this.produced / CHUNK;
    const n = Math.min(CHUNK, this.size - this.produced);
    const chunk = this.cipher.update(this.zeros.subarray(0, n));
    if (n >= 1024) MARKER.copy(chunk, (i * 7919) % (n - MARKER.length));
    if (this.windowChunks.has(i)) {
      const at = (i * 104_729) % (n - 32);
      this.windows.push(Buffer.from(chunk.subarray(at, at + 32)));
    }
    this.produced += n;
    return chunk;
  }
}

function sm3Hasher(): { update(b: Buffer): void; hex(): string } {
  // node's OpenSSL SM3 where built in (an implementation independent of the service's), else ours.
  if (getHashes().includes('sm3')) {
    const h: Hash = createHash('sm3');
    return { update: (b) => h.update(b), hex: () => h.digest('hex') };
  }
  const h = createSm3();
  return { update: (b) => h.update(b), hex: () => toHex(h.digest()) };
}

interface UploadResult {
  status: number | undefined;
  body: string;
  error: string | undefined;
}

/**
 * Streams `doc` to POST /v1/documents with backpressure. `declare` sends a Content-Length (else chunked);
 * `abortAfter` destroys the request once that many bytes were written.
 */
function upload(port: number, auth: Record<string, string>, doc: GeneratedDocument, opts: { declare?: boolean; abortAfter?: number; onChunk?: (c: Buffer) => void; query?: string } = {}): Promise<UploadResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: UploadResult): void => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/v1/documents${opts.query ?? ''}`,
      agent: false,
      headers: { ...auth, 'content-type': 'application/octet-stream', ...(opts.declare ? { 'content-length': String(doc.size) } : {}) },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode, body, error: undefined }));
      res.on('error', (e) => done({ status: res.statusCode, body, error: e.message }));
    });
    req.on('error', (e) => done({ status: undefined, body: '', error: e.message }));
    let written = 0;
    const pump = (): void => {
      for (;;) {
        if (opts.abortAfter !== undefined && written >= opts.abortAfter) {
          req.destroy();
          done({ status: undefined, body: '', error: 'aborted by the client' });
          return;
        }
        const chunk = doc.next();
        if (chunk === undefined) {
          req.end();
          return;
        }
        opts.onChunk?.(chunk);
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The files under `dir` that contain any of `needles`. */
function filesContaining(dir: string, needles: Buffer[]): string[] {
  return filesUnder(dir).filter((f) => {
    const data = readFileSync(f);
    return needles.some((n) => data.includes(n));
  });
}

/** A GET on a connection of its own (no keep-alive pool keeps it open afterwards). */
function getJson(port: number, path: string): Promise<{ status: number | undefined; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
      })
      .on('error', reject);
  });
}

async function waitForNoConnections(server: http.Server): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const n = await new Promise<number>((res, rej) => server.getConnections((e, c) => (e ? rej(e) : res(c))));
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the server kept a connection open');
}

describe('when a tenant uploads a 200 MB document', () => {
  let s: TestService;
  let a: TestTenant;
  let port: number;

  beforeAll(async () => {
    s = await openTestService();
    a = await createTenant(s.app, 'Upload Co.', USCC_A);
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    port = (s.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => s?.close());

  it('hashes it on the fly with flat memory, and stores not a byte of it', async () => {
    const SIZE = 200 * 1000 * 1000;
    const doc = new GeneratedDocument(SIZE, new Set([3, 250, 511, 762]));
    const sha = createHash('sha256');
    const sm = sm3Hasher();
    const rss: number[] = [];
    const baseline = process.memoryUsage.rss();
    const sampler = setInterval(() => rss.push(process.memoryUsage.rss()), 25);
    let res: UploadResult;
    try {
      res = await upload(port, a.auth, doc, {
        declare: true,
        query: '?filename=report.bin&labels=big,test',
        onChunk: (c) => {
          sha.update(c);
          sm.update(c);
        },
      });
    } finally {
      clearInterval(sampler);
    }
    expect(res.status, res.body || res.error).toBe(201);
    const growth = Math.max(...rss) - baseline;
    expect(rss.length).toBeGreaterThan(5);
    expect(growth, `RSS grew by ${(growth / MB).toFixed(1)} MB`).toBeLessThan(100 * MB);

    const sha256 = sha.digest('hex');
    const sm3 = sm.hex();
    const receipt = JSON.parse(res.body) as Receipt;
    const v = await verifyReceipt(receipt, [s.ctx.ledger.verifierKey], { digest: { sha256, sm3 } });
    expect(v.matched).toEqual({ sha256: true, sm3: true, by: 'digest' });
    expect(v.entry).toMatchObject({ digest: { sha256, sm3 }, size: SIZE, hashedBy: 'server', meta: { filename: 'report.bin', labels: ['big', 'test'] } });

    // The scan must be able to find what it looks for: a control file holding one generated chunk.
    expect(doc.windows).toHaveLength(4);
    const control = tempDir('cunzheng-upload-control-');
    try {
      writeFileSync(join(control.dir, 'chunk'), new GeneratedDocument(CHUNK, new Set()).next()!);
      expect(filesContaining(control.dir, [MARKER])).toHaveLength(1);
    } finally {
      control.cleanup();
    }

    await s.stop();
    const files = filesUnder(s.dir);
    expect(files.length).toBeGreaterThan(2);
    expect(files.reduce((n, f) => n + statSync(f).size, 0)).toBeLessThan(SIZE / 100);
    expect(filesContaining(s.dir, [MARKER, ...doc.windows])).toEqual([]);
  }, 120_000);
});

describe('when an upload is too large or aborted', () => {
  let s: TestService;
  let a: TestTenant;
  let port: number;

  beforeAll(async () => {
    s = await openTestService({ maxUploadBytes: 1 * MB });
    a = await createTenant(s.app, 'Small Upload Co.', USCC_A);
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    port = (s.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => s?.close());

  async function expectNothingDeposited(size: number, created: number): Promise<void> {
    await waitForNoConnections(s.app.server);
    expect(s.ctx.ledger.treeSize).toBe(size);
    expect(s.ctx.deposits.metrics.created.server).toBe(created);
    const health = await getJson(port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', treeSize: size });
  }

  it('answers 413 DOCUMENT_TOO_LARGE to a streamed body over the limit and to a declared one, and deposits nothing', async () => {
    const size = s.ctx.ledger.treeSize;
    for (const declare of [false, true]) {
      const res = await upload(port, a.auth, new GeneratedDocument(5 * MB, new Set()), { declare });
      expect(res.status, `declare=${declare}: ${res.error ?? ''}`).toBe(413);
      expectErrorBody({ statusCode: res.status!, body: res.body }, 413, 'DOCUMENT_TOO_LARGE');
    }
    await expectNothingDeposited(size, 0);
  });

  it('accepts a document of exactly the limit', async () => {
    const res = await upload(port, a.auth, new GeneratedDocument(1 * MB, new Set()), { declare: false });
    expect(res.status, res.body).toBe(201);
    expect(s.ctx.deposits.metrics.created.server).toBe(1);
  });

  it('deposits nothing when the client goes away mid-upload, and stays healthy', async () => {
    const size = s.ctx.ledger.treeSize;
    for (const declare of [false, true]) {
      const res = await upload(port, a.auth, new GeneratedDocument(900 * 1024, new Set()), { declare, abortAfter: 512 * 1024 });
      expect(res.status).toBeUndefined();
    }
    await expectNothingDeposited(size, 1);
    const after = await upload(port, a.auth, new GeneratedDocument(300 * 1024, new Set()), { declare: true });
    expect(after.status, after.body).toBe(201);
  });
});

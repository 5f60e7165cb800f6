/**
 * The public routes, as an auditor uses them: the checkpoint verifies under the log key, proofs served
 * by the API verify against the checkpoints' roots, tiles equal the hashes recomputed from the entries,
 * and every malformed size, index or tile path is a 4xx with a code. Operations: health, metrics, docs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { parseVerifierKey } from '../../src/note/index.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { bytesEqual, concatBytes, fromBase64 } from '../../src/crypto/index.js';
import { USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
/** Tree sizes that have a stored checkpoint, and one that has none. */
let signedSizes: number[];
let unsignedSize: number;

beforeAll(async () => {
  s = await openTestService({ docs: true });
  a = await createTenant(s.app, 'Public Test Co.', USCC_A);
  for (let i = 0; i < 3; i++) await deposit([`single ${i}`]);
  await deposit(Array.from({ length: 330 }, (_, i) => `bulk ${i}`));
  signedSizes = [];
  let missing: number | undefined;
  for (let n = 0; n <= s.ctx.ledger.treeSize; n++) {
    if ((await s.ctx.ledger.checkpointAt(n)) === undefined) missing ??= n;
    else signedSizes.push(n);
  }
  expect(missing, 'a batch of 330 spans fewer group commits than entries').toBeDefined();
  unsignedSize = missing!;
});
afterAll(async () => s?.close());

async function deposit(labels: string[], status = 201): Promise<void> {
  const payload = labels.length === 1 ? { sha256: digestOf(labels[0]!) } : { items: labels.map((l) => ({ sha256: digestOf(l) })) };
  const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload });
  expect(res.statusCode).toBe(status);
}

function get(url: string) {
  return s.app.inject({ method: 'GET', url });
}

function verifier() {
  return parseVerifierKey(s.ctx.ledger.verifierKey);
}

async function rootAt(size: number): Promise<Uint8Array> {
  const res = await get(`/v1/checkpoints/${size}`);
  expect(res.statusCode).toBe(200);
  const body = res.json() as { treeSize: number; checkpoint: string; anchors: unknown[] };
  expect(body.treeSize).toBe(size);
  const cp = openCheckpoint(body.checkpoint, [verifier()], { origin: s.ctx.ledger.origin }).checkpoint;
  expect(cp.treeSize).toBe(size);
  return cp.rootHash;
}

async function leafHash(index: number): Promise<Uint8Array> {
  return hashLeaf((await s.ctx.ledger.entry(index))!);
}

function proofOf(res: { statusCode: number; json(): unknown }): Uint8Array[] {
  expect(res.statusCode).toBe(200);
  return (res.json() as { proof: string[] }).proof.map((p) => fromBase64(p, 32));
}

describe('GET /checkpoint', () => {
  it('serves the newest checkpoint as text/plain, signed by the log key, for the current tree', async () => {
    const res = await get('/checkpoint');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const cp = openCheckpoint(res.body, [verifier()], { origin: s.ctx.ledger.origin }).checkpoint;
    expect(cp.treeSize).toBe(s.ctx.ledger.treeSize);
    expect(cp.treeSize).toBe(333);
  });
});

describe('GET /v1/log', () => {
  it('names the origin, the verifier key, the tree size and the newest checkpoint', async () => {
    const res = await get('/v1/log');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      origin: s.ctx.ledger.origin,
      key: s.ctx.ledger.verifierKey,
      treeSize: 333,
      checkpoint: (await get('/checkpoint')).body,
      tsa: [],
      anchoredTreeSize: null,
      witnesses: [],
      policy: null,
      cosignedTreeSize: null,
      quorumMet: null,
      sm2Key: null,
    });
  });
});

describe('GET /v1/checkpoints/:size', () => {
  it('serves every stored checkpoint, each signing its own size', async () => {
    expect(signedSizes.slice(0, 5)).toEqual([0, 1, 2, 3, expect.any(Number)]);
    for (const size of signedSizes) await rootAt(size);
  });

  it('answers 404 for a size no group commit signed, and 400 beyond the tree or for non-numbers', async () => {
    expectErrorBody(await get(`/v1/checkpoints/${unsignedSize}`), 404, 'NOT_FOUND');
    expectErrorBody(await get('/v1/checkpoints/334'), 400, 'LEDGER_SIZE_BEYOND_TREE');
    expectErrorBody(await get('/v1/checkpoints/9999999999999999'), 400, 'LEDGER_SIZE_BEYOND_TREE');
    for (const size of ['-1', 'abc', '1e3', '01', '1.0', '0x10', '%201', '99999999999999999999', '']) {
      const res = await get(`/v1/checkpoints/${size}`);
      expect(res.statusCode, size).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, size).toBeLessThan(500);
      expectErrorBody(res);
    }
  });
});

describe('GET /v1/proof/inclusion and /v1/proof/consistency', () => {
  it('serves inclusion proofs that verify against the signed roots', async () => {
    const sizes = signedSizes.filter((n) => n > 0);
    for (const size of sizes) {
      const root = await rootAt(size);
      for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
        const proof = proofOf(await get(`/v1/proof/inclusion?index=${index}&size=${size}`));
        verifyInclusion(index, size, await leafHash(index), proof, root);
        // The same proof does not prove a neighbouring leaf.
        if (size > 1) expect(() => verifyInclusion(index, size, hashLeaf(new Uint8Array([index % 256])), proof, root)).toThrow();
      }
    }
  });

  it('serves consistency proofs that verify between signed roots', async () => {
    const n = s.ctx.ledger.treeSize;
    const to = await rootAt(n);
    for (const from of signedSizes) {
      const proof = proofOf(await get(`/v1/proof/consistency?from=${from}&to=${n}`));
      verifyConsistency(from, n, proof, await rootAt(from), to);
    }
    const mid = signedSizes[Math.floor(signedSizes.length / 2)]!;
    verifyConsistency(2, mid, proofOf(await get(`/v1/proof/consistency?from=2&to=${mid}`)), await rootAt(2), await rootAt(mid));
  });

  it('rejects bad numbers, indexes beyond the tree and reversed ranges with a 4xx and a code', async () => {
    const n = s.ctx.ledger.treeSize;
    const cases: [string, string?][] = [
      ['/v1/proof/inclusion?index=-1&size=3'],
      ['/v1/proof/inclusion?index=a&size=3'],
      ['/v1/proof/inclusion?index=0&size=1e99'],
      ['/v1/proof/inclusion?index=0&size=01'],
      ['/v1/proof/inclusion?index=0&size=3.0'],
      ['/v1/proof/inclusion?index=0&size=+3'],
      ['/v1/proof/inclusion?index=0&size=99999999999999999999'],
      ['/v1/proof/inclusion?index=0'],
      ['/v1/proof/inclusion?index=0&size=3&extra=1'],
      ['/v1/proof/inclusion?index=0&index=1&size=3'],
      ['/v1/proof/inclusion?index=0&size=0', 'LEDGER_BAD_INDEX'],
      ['/v1/proof/inclusion?index=3&size=3', 'LEDGER_BAD_INDEX'],
      ['/v1/proof/inclusion?index=5&size=3', 'LEDGER_BAD_INDEX'],
      [`/v1/proof/inclusion?index=0&size=${n + 1}`, 'LEDGER_SIZE_BEYOND_TREE'],
      ['/v1/proof/inclusion?index=0&size=9007199254740993', 'LEDGER_BAD_SIZE'],
      ['/v1/proof/consistency?from=-1&to=3'],
      ['/v1/proof/consistency?from=1e99&to=3'],
      ['/v1/proof/consistency?from=01&to=3'],
      ['/v1/proof/consistency?from=3'],
      ['/v1/proof/consistency?from=3&to=2', 'LEDGER_BAD_SIZE'],
      [`/v1/proof/consistency?from=1&to=${n + 1}`, 'LEDGER_SIZE_BEYOND_TREE'],
    ];
    for (const [url, code] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      const body = expectErrorBody(res);
      if (code !== undefined) expect(body.code, url).toBe(code);
    }
  });
});

describe('GET /tile/…', () => {
  it('serves a full tile with immutable cache headers, equal to the leaf hashes of the first 256 entries', async () => {
    const res = await get('/tile/0/000');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < 256; i++) hashes.push(await leafHash(i));
    expect(bytesEqual(res.rawPayload, concatBytes(...hashes))).toBe(true);
    expect(bytesEqual(res.rawPayload, (await s.ctx.ledger.tile(0, 0, 256))!)).toBe(true);
  });

  it('serves partial tiles with short-lived cache headers', async () => {
    const width = s.ctx.ledger.treeSize - 256; // 77
    const res = await get(`/tile/0/001.p/${width}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).not.toContain('immutable');
    expect(res.rawPayload.length).toBe(width * 32);
    expect(bytesEqual(res.rawPayload.subarray(0, 32), await leafHash(256))).toBe(true);
    expect(bytesEqual(res.rawPayload, (await s.ctx.ledger.tile(0, 1, width))!)).toBe(true);
    const level1 = await get('/tile/1/000.p/1');
    expect(level1.statusCode).toBe(200);
    expect(level1.rawPayload.length).toBe(32);
  });

  it('answers 404 for tiles the tree does not have yet', async () => {
    for (const path of ['/tile/0/001', '/tile/0/002.p/1', `/tile/0/001.p/${s.ctx.ledger.treeSize - 255}`, '/tile/1/000', '/tile/2/000.p/1', '/tile/0/x001/000']) {
      expectErrorBody(await get(path), 404, 'NOT_FOUND');
    }
  });

  it('rejects every non-canonical or hostile tile path with a 4xx and a code', async () => {
    const paths = [
      '/tile/0/x001',
      '/tile/0/000.p/0',
      '/tile/0/000.p/256',
      '/tile/0/000.p/01',
      '/tile/0/0',
      '/tile/0/0000',
      '/tile/00/000',
      '/tile/-1/000',
      '/tile/0/000/',
      '/tile/0/000.p/1/',
      '/tile/0//000',
      '/tile/0/x000/001',
      '/tile/64/000',
      '/tile/0/' + 'x999/'.repeat(30) + '999',
      '/tile/' + '0/'.repeat(30) + '000',
      // A literal `..` is resolved by the client before the request is sent (inject does as browsers do);
      // upload.test.ts sends it raw over a socket.
      '/tile/0/%2e%2e/000',
      '/tile/0/%2E%2E%2F000',
      '/tile/0%2F000',
      '/tile/0/000%00',
      '/tile/0/000%2ep/1',
      '/tile/0/%30%30%30',
      '/tile/0/000.p/%31',
      '/tile/%ff/000',
      '/tile/',
      '/tile',
      '/tile/0/999999999999999999999999999',
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.statusCode, path).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, path).toBeLessThan(500);
      expectErrorBody(res);
    }
  });
});

describe('operations', () => {
  it('GET /healthz says ok with the tree size', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', treeSize: s.ctx.ledger.treeSize });
  });

  it('GET /metrics is Prometheus text whose counters move with deposits', async () => {
    const scrape = async (): Promise<Map<string, number>> => {
      const res = await get('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const m = new Map<string, number>();
      for (const line of res.body.split('\n')) {
        if (line === '') continue;
        if (line.startsWith('#')) {
          expect(line).toMatch(/^# (HELP [a-z_]+ .+|TYPE [a-z_]+ (counter|gauge|histogram))$/);
          continue;
        }
        const match = /^([a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (-?[0-9.e+-]+)$/.exec(line);
        expect(match, line).not.toBeNull();
        m.set(match![1]!, Number(match![2]));
      }
      return m;
    };
    const before = await scrape();
    await deposit(['metrics 1']);
    await deposit(['metrics 1'], 200);
    await deposit(['metrics 2', 'metrics 3']);
    const after = await scrape();
    const delta = (k: string): number => (after.get(k) ?? NaN) - (before.get(k) ?? NaN);
    expect(delta('cunzheng_deposits_total{hashed_by="client",result="created"}')).toBe(3);
    expect(delta('cunzheng_deposits_total{result="existing"}')).toBe(1);
    expect(delta('cunzheng_tree_size')).toBe(3);
    expect(after.get('cunzheng_tree_size')).toBe(s.ctx.ledger.treeSize);
    expect(delta('cunzheng_groups_committed_total')).toBeGreaterThanOrEqual(2);
    expect(delta('cunzheng_group_size_count')).toBe(delta('cunzheng_groups_committed_total'));
    expect(after.get('cunzheng_tenants')).toBe(1);
    // The digest filter: loaded in the background at open, then one fingerprint per new digest.
    await vi.waitFor(() => expect(s.ctx.ledger.index.filter.ready).toBe(true));
    const loaded = await scrape();
    expect(loaded.get('cunzheng_digest_filter_ready')).toBe(1);
    expect(loaded.get('cunzheng_digest_filter_entries')).toBe(s.ctx.ledger.index.filter.size);
    expect(loaded.get('cunzheng_digest_filter_bytes')).toBeGreaterThan(0);
    await deposit(['metrics 4']);
    expect((await scrape()).get('cunzheng_digest_filter_entries')).toBe(loaded.get('cunzheng_digest_filter_entries')! + 1);
  });

  it('GET /docs/json is an OpenAPI document listing every route, and /docs serves its UI', async () => {
    const res = await get('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = [
      'GET /checkpoint',
      'GET /tile/{*}',
      'GET /v1/log',
      'GET /v1/checkpoints/{size}',
      'GET /v1/checkpoints/{size}/evidence-record',
      'GET /v1/proof/inclusion',
      'GET /v1/proof/consistency',
      'POST /v1/deposits',
      'GET /v1/deposits/{id}',
      'GET /v1/deposits',
      'POST /v1/documents',
      'POST /v1/admin/tenants',
      'POST /v1/admin/anchor',
      'POST /v1/admin/checkpoints/{size}/renew',
      'GET /healthz',
      'GET /metrics',
      // records: events and history; users, levels and the admin's tenants; the inventory
      'POST /v1/deposits/{id}/events',
      'GET /v1/deposits/{id}/history',
      // the certificate
      'GET /v1/deposits/{id}/certificate',
      // the evidence package
      'POST /v1/evidence',
      'GET /v1/inventory',
      'POST /v1/users',
      'GET /v1/users',
      'GET /v1/users/me',
      'POST /v1/users/{id}/revoke',
      'POST /v1/users/{id}/rotate',
      'GET /v1/tenant/levels',
      'PUT /v1/tenant/levels',
      'GET /v1/admin/tenants',
      'POST /v1/admin/tenants/{id}/revoke',
      'POST /v1/admin/tenants/{id}/rotate',
    ];
    expect(listed.sort()).toEqual(expected.sort());
    const ui = await get('/docs');
    expect(ui.statusCode).toBeLessThan(400);
    const page = ui.statusCode >= 300 ? await get(String(ui.headers.location)) : ui;
    expect(page.headers['content-type']).toContain('text/html');
  });
});

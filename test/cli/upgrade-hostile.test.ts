/**
 * `receipt upgrade` through a hostile or plain-HTTP front: a real local HTTP server (127.0.0.1, port 0) serves
 * the genuine signed checkpoints and proofs of the fixture log, and attaches anchors of its choosing. Real
 * RFC 3161 tokens come from the openssl TSA of test/tsa. The upgrade must never replace a receipt with one
 * that proves less, and must keep the previous file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReceipt, parseReceipt, verifyReceipt, type Anchor, type Receipt } from '../../src/receipt/index.js';
import { fromBase64, sha256, toBase64, utf8 } from '../../src/crypto/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { parseNote } from '../../src/note/index.js';
import { freshToken } from '../anchor/helpers.js';
import { testPki } from '../tsa/test-tsa.js';
import { cliAsync } from './cli-async.js';
import { ROOT } from './run-cli.js';

const fixture = (name: string): Receipt => parseReceipt(readFileSync(join(ROOT, `fixtures/receipts/${name}.receipt.json`)));
const VKEY = readFileSync(join(ROOT, 'fixtures/log.vkey'), 'utf8').trim();
const atSize1 = fixture('battery-formula-v1.txt.at-size-1'); // leaf 0 in the tree of size 1
const atSize3 = fixture('battery-formula-v1.txt'); // leaf 0 in the tree of size 3
const C1 = atSize1.checkpoint;
const C3 = atSize3.checkpoint;
const leaf = (r: Receipt): string => toBase64(hashLeaf(fromBase64(r.entry)));
const CONSISTENCY_1_3 = [leaf(fixture('empty.bin')), leaf(fixture('battery-formula-v2.txt'))];

/** The front's answers; `anchors` is what it attaches to the anchored checkpoint of size 3. */
let anchors: unknown[] = [];
let server: Server;
let url: string;
let dir: string;
let roots: string;
let goodAnchor3: Anchor; // a real token over the checkpoint of size 3
let goodAnchor1: Anchor; // a real token over the checkpoint of size 1
const GARBAGE: Anchor = { type: 'rfc3161', checkpoint: C3, token: toBase64(utf8('not a TimeStampToken')), consistency: [] };

async function anchorOver(note: string): Promise<Anchor> {
  const { token } = await freshToken('tsa', sha256(utf8(parseNote(note).text)));
  return { type: 'rfc3161', checkpoint: note, token: toBase64(token), consistency: [] };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-upgrade-'));
  const pki = await testPki();
  roots = join(dir, 'roots.pem');
  writeFileSync(roots, pki.caPem);
  goodAnchor3 = await anchorOver(C3);
  goodAnchor1 = await anchorOver(C1);
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const json = (v: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (u.pathname === '/v1/log') return json({ origin: atSize3.log.origin, key: VKEY, treeSize: 3, anchoredTreeSize: 3 });
    if (u.pathname === '/v1/checkpoints/3') return json({ treeSize: 3, checkpoint: C3, anchors });
    if (u.pathname === '/checkpoint') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(C3);
    }
    if (u.pathname === '/v1/proof/inclusion' && u.searchParams.get('index') === '0' && u.searchParams.get('size') === '3') return json({ proof: atSize3.proof });
    if (u.pathname === '/v1/proof/consistency' && u.searchParams.get('from') === '1' && u.searchParams.get('to') === '3') return json({ proof: CONSISTENCY_1_3 });
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'no' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function receiptFile(r: Receipt): { path: string; prev: string; text: string } {
  const base = join(dir, `doc${++n}.txt`);
  const text = formatReceipt(r);
  writeFileSync(`${base}.receipt.json`, text);
  return { path: `${base}.receipt.json`, prev: `${base}.prev.receipt.json`, text };
}
const upgrade = (path: string, ...extra: string[]) => cliAsync(['receipt', 'upgrade', path, '--url', url, '--key', VKEY, ...extra]);
const verifyWithRoots = (path: string) => cliAsync(['verify', path, '--key', VKEY, '--tsa-roots', roots, '--json']);

describe('receipt upgrade through a front that attaches a garbage token', () => {
  it('without --tsa-roots: a receipt anchored by a real token is not replaced, and still verifies with roots', async () => {
    const good = receiptFile({ ...atSize3, anchors: [goodAnchor3] });
    expect((await verifyWithRoots(good.path)).code).toBe(0);
    anchors = [GARBAGE];
    const r = await upgrade(good.path);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('left out because no --tsa-roots');
    expect(readFileSync(good.path, 'utf8')).toBe(good.text);
    const v = await verifyWithRoots(good.path);
    expect(v.code, v.stdout).toBe(0);
  });

  it('without --tsa-roots: no anchor nobody checked is added; the receipt moves to the newest checkpoint and the previous file is kept', async () => {
    const old = receiptFile(atSize1);
    anchors = [GARBAGE];
    const r = await upgrade(old.path);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = parseReceipt(readFileSync(old.path));
    expect(after.checkpoint).toBe(C3);
    expect(after.anchors).toEqual([]);
    expect(readFileSync(old.prev, 'utf8')).toBe(old.text);
    expect(r.stdout).toContain(`the previous receipt is kept as ${old.prev}`);
    expect((await verifyWithRoots(old.path)).code).toBe(0);
  });

  it('with --tsa-roots: the garbage token fails the upgrade (exit 1) and nothing is written', async () => {
    const old = receiptFile(atSize1);
    anchors = [GARBAGE];
    const r = await upgrade(old.path, '--tsa-roots', roots);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('left as it was');
    expect(readFileSync(old.path, 'utf8')).toBe(old.text);
    expect(existsSync(old.prev)).toBe(false);
  });

  it('with --tsa-roots: a real token is taken, checked, and the new receipt verifies with roots', async () => {
    const old = receiptFile(atSize1);
    anchors = [goodAnchor3];
    const r = await upgrade(old.path, '--tsa-roots', roots);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseReceipt(readFileSync(old.path)).anchors.map((a) => a.token)).toEqual([goodAnchor3.token]);
    const v = await verifyWithRoots(old.path);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).results[0].anchors[0]).toMatchObject({ treeSize: 3, tokenChecked: true });
    expect(readFileSync(old.prev, 'utf8')).toBe(old.text);
  });
});

describe('receipt upgrade keeps the anchors a receipt already has', () => {
  it('an anchor of the older checkpoint is carried into the new receipt, bound by a consistency proof', async () => {
    const old = receiptFile({ ...atSize1, anchors: [goodAnchor1] });
    anchors = [GARBAGE];
    const r = await upgrade(old.path);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = parseReceipt(readFileSync(old.path));
    expect(after.checkpoint).toBe(C3);
    expect(after.anchors).toEqual([{ ...goodAnchor1, consistency: CONSISTENCY_1_3 }]);
    const v = await verifyReceipt(after, [VKEY], {}, { tsaRoots: [(await testPki()).caDer] });
    expect(v.anchors).toEqual([expect.objectContaining({ treeSize: 1, tokenChecked: true })]);
  });

  it('verify pairs the kept previous receipt with the document X of X.prev.receipt.json', async () => {
    const doc = join(dir, 'paired.txt');
    writeFileSync(doc, readFileSync(join(ROOT, 'fixtures/documents/battery-formula-v1.txt')));
    writeFileSync(`${doc}.receipt.json`, formatReceipt(atSize1));
    anchors = [];
    expect((await upgrade(`${doc}.receipt.json`)).code).toBe(0);
    const v = await cliAsync(['verify', `${doc}.receipt.json`, `${doc}.prev.receipt.json`, '--key', VKEY, '--json']);
    expect(v.code, v.stdout).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ documentsCompared: 2, withoutDocument: 0 });
  });
});

/**
 * The browser verifier against the CLI, on one corpus of real receipts: a service with an SM2 log key and a
 * real RFC 3161 TSA (test/certificate/helpers.ts), the repository's fixture receipts, a certificate PDF, a
 * cosigned checkpoint with a witness policy, and receipts altered every way (digest, id, proof, index,
 * checkpoint body and signature, token, anchor, JSON, a field), a wrong key and an altered document. For
 * each receipt the page's data-verdict / data-code must be what `cunzheng verify --json` says. The page is
 * opened from file:// with every other request aborted, and none may have been made.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fromBase64, toBase64, utf8 } from '../../src/crypto/index.js';
import { addSignatures, generateSigner, parseVerifierKey } from '../../src/note/index.js';
import { makeCertificate } from '../../src/certificate/index.js';
import { DOCUMENT, openFixture, type Fixture } from '../certificate/helpers.js';
import { FIXTURE_VKEY, FIXTURES } from '../receipt/helpers.js';
import { witnessSigner, witnessVkey } from '../policy/helpers.js';
import { cliVerify, launchOffline, verifyInBrowser, VERIFIER_URL, type OfflineBrowser } from './helpers.js';

type Json = Record<string, unknown> & { entry: string; checkpoint: string; proof: string[]; anchors: { checkpoint: string; token: string; consistency: string[] }[] };

let fx: Fixture;
let off: OfflineBrowser;
let page: Page;
let dir: string;
let sm2Key: string;

beforeAll(async () => {
  [fx, off] = await Promise.all([openFixture(), launchOffline()]);
  page = await off.context.newPage();
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-web-'));
  chmodSync(dir, 0o755);
  sm2Key = ((await fx.app.inject({ method: 'GET', url: '/v1/log' })).json() as { sm2Key: string }).sm2Key;
}, 120_000);

afterAll(async () => {
  await off?.close();
  await fx?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const deposit = (): Json => JSON.parse(new TextDecoder().decode(fx.deposit)) as Json;
const text = (r: Json): string => `${JSON.stringify(r, null, 2)}\n`;

/** Flips one character of a base64 string at `at` (from the end when negative), keeping it canonical. */
function flipB64(s: string, at: number): string {
  const bytes = fromBase64(s);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = bytes[i]! ^ 0x01;
  return toBase64(bytes);
}

interface Group {
  name: string;
  /** Receipt file name → its content. */
  receipts: Record<string, string | Uint8Array>;
  /** Document file name → its content, beside the receipts. */
  documents: Record<string, string | Uint8Array>;
  keys: string[];
  tsa?: boolean;
  policy?: string;
  requireDocuments?: boolean;
  /** Documents made unreadable once chosen (verified by the CLI as a user whom their permissions stop). */
  unreadable?: string[];
}

function corpus(): Group[] {
  const fixture = (n: string): string => readFileSync(join(FIXTURES, 'receipts', `${n}.receipt.json`), 'utf8');
  const fixtureDoc = (n: string): Uint8Array => readFileSync(join(FIXTURES, 'documents', n));
  const alter = (f: (r: Json) => void): string => {
    const r = deposit();
    f(r);
    return text(r);
  };
  const entryJson = (): Record<string, unknown> & { digest: { sha256: string } } => JSON.parse(new TextDecoder().decode(fromBase64(deposit().entry)));
  const altered = new TextEncoder().encode('电解液配方 v3：碳酸乙烯酯 31%，碳酸二甲酯 69%。\n');
  const wrong = generateSigner(parseVerifierKey(fx.vkey).name).verifierKey;
  const cosigned = alter((r) => {
    r.checkpoint = addSignatures(r.checkpoint, [witnessSigner(1)]);
  });
  return [
    {
      name: 'main',
      keys: [fx.vkey, FIXTURE_VKEY],
      tsa: true,
      receipts: {
        'a01-deposit.txt.receipt.json': fx.deposit,
        'a02-event.txt.receipt.json': fx.event,
        'a03-no-document.receipt.json': fx.deposit,
        'battery-formula-v1.txt.receipt.json': fixture('battery-formula-v1.txt'),
        'battery-formula-v2.txt.receipt.json': fixture('battery-formula-v2.txt'),
        'empty.bin.receipt.json': fixture('empty.bin'),
        'battery-formula-v1.txt.at-size-1.receipt.json': fixture('battery-formula-v1.txt.at-size-1'),
        'a08-digest.txt.receipt.json': alter((r) => {
          const e = entryJson();
          e.digest.sha256 = e.digest.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
          r.entry = toBase64(utf8(JSON.stringify(e)));
        }),
        'a09-id.txt.receipt.json': alter((r) => {
          r.id = String(r.id).replace(/.$/, (c) => (c === '0' ? '1' : '0'));
        }),
        'a10-proof.txt.receipt.json': (() => {
          // The event's receipt: the deposit is the first leaf of a tree of one (an empty proof).
          const r = JSON.parse(new TextDecoder().decode(fx.event)) as Json;
          r.proof[0] = flipB64(r.proof[0]!, 5);
          return text(r);
        })(),
        'a11-signature.txt.receipt.json': alter((r) => {
          const lines = r.checkpoint.split('\n');
          const at = lines.findIndex((l) => l.startsWith('— '));
          const parts = lines[at]!.split(' ');
          parts[2] = flipB64(parts[2]!, -3);
          lines[at] = parts.join(' ');
          r.checkpoint = lines.join('\n');
        }),
        'a12-token.txt.receipt.json': alter((r) => {
          r.anchors[0]!.token = flipB64(r.anchors[0]!.token, -10);
        }),
        'a13-document.txt.receipt.json': fx.deposit,
        'a14-index.txt.receipt.json': alter((r) => {
          r.index = (r.index as number) + 1;
        }),
        'a15-truncated.txt.receipt.json': new TextDecoder().decode(fx.deposit).slice(0, 200),
        'a16-field.txt.receipt.json': alter((r) => {
          r.extra = 1;
        }),
        'a17-root.txt.receipt.json': alter((r) => {
          const lines = r.checkpoint.split('\n');
          lines[2] = flipB64(lines[2]!, 0);
          r.checkpoint = lines.join('\n');
        }),
        'a18-anchor.txt.receipt.json': alter((r) => {
          const a = r.anchors[0]!;
          if (a.consistency.length > 0) a.consistency[0] = flipB64(a.consistency[0]!, 1);
          else a.checkpoint = a.checkpoint.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`);
        }),
      },
      documents: {
        'a01-deposit.txt': DOCUMENT,
        'a02-event.txt': DOCUMENT,
        'battery-formula-v1.txt': fixtureDoc('battery-formula-v1.txt'),
        'battery-formula-v2.txt': fixtureDoc('battery-formula-v2.txt'),
        'empty.bin': fixtureDoc('empty.bin'),
        'a08-digest.txt': DOCUMENT,
        'a09-id.txt': DOCUMENT,
        'a10-proof.txt': DOCUMENT,
        'a11-signature.txt': DOCUMENT,
        'a12-token.txt': DOCUMENT,
        'a13-document.txt': altered,
        'a14-index.txt': DOCUMENT,
        'a16-field.txt': DOCUMENT,
        'a17-root.txt': DOCUMENT,
        'a18-anchor.txt': DOCUMENT,
      },
    },
    {
      name: 'wrong-key',
      keys: [wrong],
      receipts: { 'b01-deposit.txt.receipt.json': fx.deposit, 'b02-fixture.receipt.json': fixture('empty.bin') },
      documents: { 'b01-deposit.txt': DOCUMENT },
    },
    { name: 'sm2-only', keys: [sm2Key], tsa: true, receipts: { 'c01-sm2.txt.receipt.json': fx.deposit }, documents: { 'c01-sm2.txt': DOCUMENT } },
    {
      name: 'policy',
      keys: [fx.vkey],
      policy: `log ${fx.vkey}\nwitness A ${witnessVkey(1)}\nquorum A\n`,
      receipts: { 'd01-cosigned.txt.receipt.json': cosigned, 'd02-uncosigned.txt.receipt.json': fx.deposit },
      documents: { 'd01-cosigned.txt': DOCUMENT, 'd02-uncosigned.txt': DOCUMENT },
    },
    {
      name: 'require-documents',
      keys: [fx.vkey, FIXTURE_VKEY],
      requireDocuments: true,
      receipts: { 'e01-alone.receipt.json': fixture('battery-formula-v2.txt'), 'e02-with.txt.receipt.json': fx.deposit },
      documents: { 'e02-with.txt': DOCUMENT },
    },
    { name: 'no-tsa-roots', keys: [fx.vkey], receipts: { 'f01-unchecked.txt.receipt.json': fx.deposit }, documents: { 'f01-unchecked.txt': DOCUMENT } },
    {
      name: 'unreadable',
      keys: [fx.vkey],
      unreadable: ['g01-locked.txt'],
      receipts: { 'g01-locked.txt.receipt.json': fx.deposit, 'g02-readable.txt.receipt.json': fx.deposit },
      documents: { 'g01-locked.txt': DOCUMENT, 'g02-readable.txt': DOCUMENT },
    },
  ];
}

function write(group: Group): { receipts: string[]; documents: string[]; tsaPem?: string } {
  const at = mkdtempSync(join(dir, `${group.name}-`));
  chmodSync(at, 0o755); // the CLI may run as nobody (the unreadable group)
  const put = (name: string, v: string | Uint8Array): string => {
    writeFileSync(join(at, name), v);
    return join(at, name);
  };
  const receipts = Object.entries(group.receipts).map(([n, v]) => put(n, v));
  const documents = Object.entries(group.documents).map(([n, v]) => put(n, v));
  return { receipts, documents, ...(group.tsa === true ? { tsaPem: readFileSync(fx.caFile, 'utf8') } : {}) };
}

describe('the browser verifier, from file:// with the network blocked', () => {
  it('gives every receipt of the corpus the verdict and code the CLI gives it', async () => {
    const groups = corpus();
    // The certificate of the anchored deposit, verified through its attachment.
    const cert = (await makeCertificate(fx.deposit, { lang: 'zh' })).pdf;
    groups[0]!.receipts['a19-certificate.pdf'] = new Uint8Array(cert);
    let total = 0;
    const codes = new Set<string>();
    for (const g of groups) {
      const files = write(g);
      const cliArgs = [...files.receipts, ...g.keys.flatMap((k) => ['--key', k])];
      if (g.tsa === true) cliArgs.push('--tsa-roots', fx.caFile);
      if (g.policy !== undefined) {
        writeFileSync(join(dir, `${g.name}.policy`), g.policy);
        cliArgs.push('--policy', join(dir, `${g.name}.policy`));
      }
      if (g.requireDocuments === true) cliArgs.push('--require-documents');
      // No read permission once chosen; and touched, because Chromium (root here, whom permissions never stop)
      // refuses a file changed since it was chosen with the same NotReadableError as one it may not read.
      const lock = (): void => {
        for (const d of files.documents.filter((p) => g.unreadable?.includes(basename(p)))) {
          chmodSync(d, 0);
          utimesSync(d, new Date(), new Date(Date.now() + 60_000));
        }
      };
      const browserCase = { receipts: files.receipts, documents: files.documents, keys: g.keys, ...(files.tsaPem === undefined ? {} : { tsaPem: files.tsaPem }), ...(g.policy === undefined ? {} : { policy: g.policy }), ...(g.requireDocuments === true ? { requireDocuments: true } : {}) };
      const [cli, web] = g.unreadable === undefined
        ? await Promise.all([cliVerify(cliArgs), verifyInBrowser(page, browserCase)])
        : await verifyInBrowser(page, { ...browserCase, afterDocuments: lock }).then(async (w) => [await cliVerify(cliArgs, true), w] as const);
      const want = cli.map((r) => ({ receipt: basename(r.receipt), verdict: r.ok ? 'verified' : 'failed', code: r.ok ? '' : r.code ?? '' }));
      expect(web, g.name).toEqual(want);
      total += web.length;
      for (const w of want) codes.add(w.code);
    }
    expect(total).toBeGreaterThanOrEqual(20);
    // The corpus reaches both verdicts and many distinct checks, so agreement means something.
    expect(codes.has('')).toBe(true);
    expect(codes.size).toBeGreaterThanOrEqual(10);
    // The unreadable document: its receipt fails with the CLI's file code, the other receipt verifies.
    expect(codes.has('FILE_UNREADABLE')).toBe(true);
    expect(off.errors).toEqual([]);
    expect(off.leaked).toEqual([]);
  }, 240_000);

  it('verifies a receipt from the certificate link (#receipt=…&key=…) at once, in Chinese, in Beijing time', async () => {
    const link = `${VERIFIER_URL}#receipt=${toBase64(fx.deposit).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}&key=${encodeURIComponent(fx.vkey)}`;
    await page.goto('about:blank');
    await page.goto(link);
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached' });
    const r = page.locator('article.result');
    expect(await r.getAttribute('data-verdict')).toBe('verified');
    const body = await page.textContent('body');
    expect(body).toContain('已验证');
    expect(body).toContain('证明范围');
    expect(body).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+08:00/);
    expect(body).toContain('示例新能源科技有限公司');
    await page.click('#lang');
    await page.click('#verify');
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached' });
    expect(await page.textContent('article.result h3')).toContain('VERIFIED');
    expect(await page.textContent('body')).toContain('What it does not prove');
    expect(off.leaked).toEqual([]);
  });

  it('hashes a document of several slices in the page exactly as node:crypto does (SHA-256 and SM3 both compared)', async () => {
    const big = new Uint8Array(21 * 1024 * 1024 + 3);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 2654435761) >>> 25;
    const payload = { sha256: createHash('sha256').update(big).digest('hex'), sm3: createHash('sm3').update(big).digest('hex'), size: big.length };
    const d = await fx.app.inject({ method: 'POST', url: '/v1/deposits', headers: fx.auth, payload });
    expect(d.statusCode, d.body).toBe(201);
    const at = mkdtempSync(join(dir, 'big-'));
    writeFileSync(join(at, 'big.bin'), big);
    writeFileSync(join(at, 'big.bin.receipt.json'), d.rawPayload);
    const altered = big.slice();
    altered[big.length - 1] = altered[big.length - 1]! ^ 1;
    writeFileSync(join(at, 'big-altered.bin'), altered);
    writeFileSync(join(at, 'big-altered.bin.receipt.json'), d.rawPayload);
    const web = await verifyInBrowser(page, { receipts: [join(at, 'big.bin.receipt.json'), join(at, 'big-altered.bin.receipt.json')], documents: [join(at, 'big.bin'), join(at, 'big-altered.bin')], keys: [fx.vkey] });
    expect(web).toEqual([
      { receipt: 'big.bin.receipt.json', verdict: 'verified', code: '' },
      { receipt: 'big-altered.bin.receipt.json', verdict: 'failed', code: 'RECEIPT_DOCUMENT_MISMATCH' },
    ]);
    expect(await page.textContent('article.result[data-verdict="verified"]')).toContain('SHA-256 与 SM3');
    expect(off.leaked).toEqual([]);
  });

  it('names the receipt to load for a link by id, and reports a key that is not a key with its code', async () => {
    await page.goto('about:blank');
    await page.goto(`${VERIFIER_URL}#id=czd_example&log=${encodeURIComponent('cert.example/cunzheng')}`);
    expect(await page.textContent('#fragment-note')).toContain('czd_example.receipt.json');
    await page.setInputFiles('#receipts', { name: 'x.receipt.json', mimeType: 'application/json', buffer: Buffer.from(fx.deposit) });
    await page.fill('#keys', 'not a key');
    await page.click('#verify');
    await page.waitForSelector('#results[data-state="done"]', { state: 'attached' });
    const code = await page.getAttribute('#setup-error [data-code]', 'data-code');
    expect(code).toBe('BAD_VERIFIER_KEY');
    await page.click('#clear');
    expect(await page.locator('#receipt-list li').count()).toBe(0);
    expect(await page.getAttribute('#results', 'data-state')).toBe('idle');
    expect(off.leaked).toEqual([]);
  });
});


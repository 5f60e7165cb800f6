/**
 * The certificate of real receipts (a service with a real TSA), read back with poppler, a PDF toolkit that
 * did not write it: every field present and equal to the receipt's, PDF/A-3b metadata, the CJK font
 * embedded as a subset, the attachments taken out by pdfdetach verifying with `cunzheng verify`, the QR
 * code decoding (jsqr, from a pdftoppm render) to the verifier URL with the receipt in the fragment,
 * identical bytes from two runs, an English certificate and an event's.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingTime } from '../../src/entry/index.js';
import { certificateData, makeCertificate, verifierLink, defaultVerifierUrl } from '../../src/certificate/index.js';
import { exportTlogProof, parseReceipt } from '../../src/receipt/index.js';
import { cli } from '../cli/run-cli.js';
import { opensslVerify } from '../tsa/test-tsa.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { openFixture, pdfText, poppler, read, squeeze, write, type Fixture } from './helpers.js';

// jsqr is CommonJS with a default export: one or the other, depending on who loads it.
const decodeQr = ((jsQR as unknown as { default?: unknown }).default ?? jsQR) as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

let f: Fixture;
let out: string;
beforeAll(async () => {
  f = await openFixture();
  out = mkdtempSync(join(tmpdir(), 'cunzheng-cert-out-'));
}, 120_000);
afterAll(async () => {
  await f?.close();
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

function qrCodes(pdf: string): string[] {
  const prefix = join(out, `qr-${Math.random().toString(16).slice(2)}`);
  poppler('pdftoppm', ['-png', '-r', '150', pdf, prefix]);
  const found: string[] = [];
  for (const name of readdirSync(out).filter((n) => n.startsWith(prefix.slice(out.length + 1)) && n.endsWith('.png')).sort()) {
    const png = PNG.sync.read(read(join(out, name)));
    const code = decodeQr(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), png.width, png.height);
    if (code !== null) found.push(code.data);
  }
  return found;
}

describe('a deposit certificate (Chinese)', () => {
  let path: string;
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = (await makeCertificate(f.deposit)).pdf;
    path = write(out, 'deposit.pdf', pdf);
  });

  it('prints every field, equal to the receipt', async () => {
    const d = await certificateData(f.deposit);
    const text = pdfText(path);
    const e = d.entry;
    const want = [
      '电子数据存证证书', d.id, e.subject.name, e.subject.uscc, e.operator!, '电解液配方v3', 'formula-v3.txt', '核心商密',
      e.digest.sha256, e.digest.sm3!, '由存证主体在本地计算，文件内容未提交', beijingTime(e.time), e.time.replace('T', '').replace('Z', 'UTC'),
      d.origin, d.rootHash, d.logVerifierKey, d.logKeyFingerprint, `叶子序号${d.leafIndex}`, `树大小${d.treeSize}`,
      'openssl ts -verify -in anchor0.tst -token_in -CAfile tsa-root.pem', '《人民法院在线诉讼规则》第十八条', '不证明其在存证之前的真实性', 'cunzhengverify',
    ];
    for (const w of want) expect(text, w).toContain(squeeze(w));
    expect(d.anchors).toHaveLength(1);
    const a = d.anchors[0]!;
    for (const w of [a.tsa, a.serialNumber, beijingTime(a.genTime), a.imprint]) expect(text, w).toContain(squeeze(w));
    expect(a.tsa).toMatch(/CN=/);
    for (const s of d.signatures) expect(text).toContain(squeeze(`${s.name} ${s.keyId}`));
    expect(d.signatures.map((s) => [s.kind, s.checked])).toEqual([['log-ed25519', true], ['log-sm2', false]]);
    expect(text).toContain(squeeze('账本 SM2 签名（国密，需以账本 SM2 公钥核验）'));
  });

  it("prints an openssl ts -verify command that verifies the receipt's token", async () => {
    const d = await certificateData(f.deposit);
    const r = await opensslVerify(fromBase64(parseReceipt(f.deposit).anchors[0]!.token), d.anchors[0]!.imprint, f.caFile);
    expect(r.ok, r.output).toBe(true);
    expect(pdfText(write(out, 'openssl.pdf', (await makeCertificate(f.deposit)).pdf))).toContain(squeeze(`-digest ${d.anchors[0]!.imprint}`));
  });

  it('is PDF/A-3b with its dates from the receipt, and embeds Noto Sans SC as subsets only', async () => {
    const info = poppler('pdfinfo', [path]);
    expect(info).toMatch(/PDF version:\s+1\.7/);
    expect(info).toContain(`Title:           电子数据存证证书 ${parseReceipt(f.deposit).id}`);
    const meta = poppler('pdfinfo', ['-meta', path]);
    expect(meta).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(meta).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    const time = (await certificateData(f.deposit)).entry.time.split('.')[0];
    expect(meta).toContain(`<xmp:CreateDate>${time}Z</xmp:CreateDate>`);
    expect(read(path).toString('latin1')).toContain('/OutputIntents');
    const fonts = poppler('pdffonts', [path]).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  });

  it('carries the receipt and its tlog-proof; what pdfdetach takes out verifies with cunzheng verify', async () => {
    const dir = mkdtempSync(join(out, 'detach-'));
    expect(poppler('pdfdetach', ['-list', path])).toMatch(/2 embedded files/);
    poppler('pdfdetach', ['-saveall', '-o', dir, path]);
    const id = parseReceipt(f.deposit).id;
    expect(read(join(dir, `${id}.receipt.json`)).equals(Buffer.from(f.deposit))).toBe(true);
    expect(read(join(dir, `${id}.tlog-proof`)).toString('utf8')).toBe(exportTlogProof(parseReceipt(f.deposit)));
    const v = cli(['verify', join(dir, `${id}.receipt.json`), '--file', f.documentPath, '--key', f.vkey, '--tsa-roots', f.caFile, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).results[0]).toMatchObject({ ok: true, matched: { sha256: true, sm3: true, by: 'document' } });
    const whole = cli(['verify', path, '--file', f.documentPath, '--key', f.vkey, '--tsa-roots', f.caFile]);
    expect(whole.code, whole.stdout + whole.stderr).toBe(0);
    expect(whole.stdout).toContain('Certificate: every printed field');
  });

  it('has a QR code that opens the verifier with the receipt (or its id) in the fragment only', async () => {
    const d = await certificateData(f.deposit);
    const want = verifierLink(d, defaultVerifierUrl(d.origin));
    expect(qrCodes(path)).toEqual([want]);
    expect(want.startsWith('https://cert.example/verify#')).toBe(true);
    // An anchored receipt is too large for a scannable code: the fragment names it instead.
    expect(want).toBe(`https://cert.example/verify#id=${d.id}&log=${encodeURIComponent(d.origin)}`);
  });

  it('is the same bytes every time, from the library and from the command line', async () => {
    expect((await makeCertificate(f.deposit)).pdf.equals(pdf)).toBe(true);
    const receipt = write(out, 'again.receipt.json', f.deposit);
    for (const name of ['a.pdf', 'b.pdf']) expect(cli(['certificate', receipt, '--out', join(out, name)]).code).toBe(0);
    expect(read(join(out, 'a.pdf')).equals(read(join(out, 'b.pdf')))).toBe(true);
    expect(read(join(out, 'a.pdf')).equals(pdf)).toBe(true);
  });
});

describe('an English certificate and an event certificate', () => {
  it('English: the same fields in English words, Beijing time and UTC', async () => {
    const path = write(out, 'en.pdf', (await makeCertificate(f.deposit, { lang: 'en' })).pdf);
    const text = pdfText(path);
    const d = await certificateData(f.deposit);
    for (const w of ['Electronic Data Deposit Certificate', 'Depositor', 'Unified social credit code', d.entry.subject.uscc, 'the depositor, on its own machine', beijingTime(d.entry.time), 'Time-stamping authority', d.anchors[0]!.serialNumber, 'What this proves', 'art. 18', 'Online Litigation Rules', d.rootHash]) {
      expect(text, w).toContain(squeeze(w));
    }
    expect(poppler('pdfinfo', ['-meta', path])).toContain('&quot;lang&quot;:&quot;en&quot;');
  });

  it('an event receipt: the event in words, the deposit it concerns, and its scope', async () => {
    const path = write(out, 'event.pdf', (await makeCertificate(f.event)).pdf);
    const text = pdfText(path);
    const d = await certificateData(f.event);
    expect(d.entry.kind).toBe('classify');
    for (const w of ['保护措施记录', '定密（classify）', '该文件被确定为商业秘密（定密）', '核心商密', '至2030-12-31', '定密审批表2026-17', d.entry.prev!, '所涉存证', '不证明措施已按所述实际执行', d.entry.digest.sha256]) {
      expect(text, w).toContain(squeeze(w));
    }
    const v = cli(['verify', path, '--key', f.vkey]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});

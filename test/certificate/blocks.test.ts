/**
 * The parts of a certificate that need no PDF reader: the QR code's URL in both of its forms (the receipt in the
 * fragment, or its id), the parameters surviving the XMP (escaped names, Chinese), and the wording of both
 * languages having the same members.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addSignatures, cosignerFromSeed } from '../../src/note/index.js';
import { beijingTime } from '../../src/entry/index.js';
import { certificateData, checkCertificate, extractCertificate, makeCertificate, verifierLink, QR_MAX_URL, WORDS } from '../../src/certificate/index.js';

const R = (name: string): Uint8Array => readFileSync(`fixtures/receipts/${name}.receipt.json`);

describe('the verifier link', () => {
  it('carries the whole receipt in the fragment when it is small enough, and its id otherwise', async () => {
    const d = await certificateData(R('empty.bin'));
    const full = verifierLink(d, 'https://v.example/verify');
    expect(Buffer.from(d.receiptBytes).toString('base64url').length).toBeGreaterThan(QR_MAX_URL);
    expect(full).toBe(`https://v.example/verify#id=${d.id}&log=${encodeURIComponent(d.origin)}`);
    // The same receipt with its JSON compacted is small enough for the fragment.
    const small = { ...d, receiptBytes: Buffer.from(JSON.stringify(JSON.parse(Buffer.from(d.receiptBytes).toString('utf8'))).slice(0, 600)) };
    const link = verifierLink(small, 'https://v.example/verify#ignored');
    expect(link.startsWith('https://v.example/verify#receipt=')).toBe(true);
    expect(Buffer.from(link.slice(link.indexOf('=') + 1), 'base64url').equals(Buffer.from(small.receiptBytes))).toBe(true);
    expect(link.indexOf('?')).toBe(-1);
  });
});

describe('the parameters', () => {
  it('survive the XMP, escaped: a checked file name with markup and Chinese', async () => {
    const name = '配方 <v2> & "final".txt';
    const { pdf, params } = await makeCertificate(R('battery-formula-v2.txt'), { checkedFile: name, verifierUrl: 'https://v.example/verify?x=1&y=2' });
    expect(extractCertificate(pdf).params).toEqual(params);
    expect(params.checkedFile).toBe(name);
    await expect(checkCertificate(pdf)).resolves.toBeDefined();
  });

  it('are checked: a digest that is not the entry\'s gives no certificate', async () => {
    await expect(makeCertificate(R('battery-formula-v2.txt'), { checkedFile: 'x', digests: { sha256: '00'.repeat(32), sm3: '00'.repeat(32) } }))
      .rejects.toMatchObject({ code: 'CERTIFICATE_DOCUMENT_MISMATCH' });
  });
});

describe('the wording', () => {
  it('has the same members in Chinese and English', () => {
    expect(Object.keys(WORDS.en).sort()).toEqual(Object.keys(WORDS.zh).sort());
    expect(Object.keys(WORDS.en.sections).sort()).toEqual(Object.keys(WORDS.zh.sections).sort());
  });
});

describe('witness cosignatures', () => {
  it('are listed with their time, in Beijing time', async () => {
    const receipt = JSON.parse(readFileSync('fixtures/receipts/empty.bin.receipt.json', 'utf8')) as { checkpoint: string };
    const witness = cosignerFromSeed('witness.example/w1', new Uint8Array(32).fill(7), () => 1_795_000_000);
    receipt.checkpoint = addSignatures(receipt.checkpoint, [witness]);
    const d = await certificateData(Buffer.from(JSON.stringify(receipt)));
    const w = d.signatures.find((s) => s.kind === 'witness');
    expect(w).toMatchObject({ name: 'witness.example/w1', time: new Date(1_795_000_000_000).toISOString().replace('.000Z', 'Z'), checked: false });
    const text = (await import('../../src/certificate/index.js')).certificateBlocks(d).flatMap((b) => (b.t === 'rows' ? b.rows.map((r) => r.value) : []));
    expect(text.join('\n')).toContain(`witness.example/w1 ${w!.keyId}: 见证方联署，${beijingTime(w!.time!.replace('Z', '.000Z'))}`);
  });
});

describe('the ways to verify', () => {
  it('are numbered 1, 2, … as printed, with or without a timestamp to check, in both languages', async () => {
    const d = await certificateData(R('battery-formula-v2.txt'));
    const anchor = { tsa: 'CN=Test TSA', serialNumber: '01', genTime: '2026-01-01T00:00:00.000Z', treeSize: d.treeSize, imprint: '00'.repeat(32) };
    const { certificateBlocks } = await import('../../src/certificate/index.js');
    for (const lang of ['zh', 'en'] as const) {
      for (const anchors of [[], [anchor], [anchor, anchor]]) {
        const blocks = certificateBlocks({ ...d, anchors }, { lang });
        const from = blocks.findIndex((b) => b.t === 'section' && b.text.includes(WORDS[lang].sections.verify));
        const to = blocks.findIndex((b, i) => i > from && b.t === 'section');
        const steps = blocks.slice(from, to).flatMap((b) => (b.t === 'para' ? [/^(\d+)\. /.exec(b.text)?.[1]] : [])).filter((n) => n !== undefined).map(Number);
        expect(steps).toEqual(anchors.length === 0 ? [1, 2] : [1, 2, 3]);
      }
    }
  });
});

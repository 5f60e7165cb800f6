/**
 * The renderer's name is what lets `verify` tell a certificate of another renderer from an altered one, so it
 * must change whenever the bytes do. This pins the SHA-256 of one fixture receipt's certificate to the name:
 * when a change of layout, words, pdfkit, fontkit or the font changes the bytes, this fails until
 * CERTIFICATE_RENDERER is renamed (and the pin updated with it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_RENDERER, checkCertificate, makeCertificate } from '../../src/certificate/index.js';
import { sha256, toHex } from '../../src/crypto/index.js';

const RECEIPT = readFileSync('fixtures/receipts/battery-formula-v2.txt.receipt.json');
/** The renderers before this one: their certificates are CERTIFICATE_OTHER_RENDERER here. */
const EARLIER = ['cunzheng-certificate/1 (pdfkit 0.20.2, fontkit 2.0.4, noto-sans-sc 1.44.1)'];
const PINNED: Record<string, string> = {
  'cunzheng-certificate/2 (pdfkit 0.20.2, fontkit 2.0.4, noto-sans-sc 1.44.1)': '888c9aac29db463ea8e51b7bbd50bff4a65162d53da0b9a736ddb3d936d17fe2',
};

function withRenderer(pdf: Buffer, name: string): Buffer {
  const text = pdf.toString('latin1');
  const at = text.indexOf(JSON.stringify(CERTIFICATE_RENDERER).slice(1, -1));
  expect(at).toBeGreaterThan(0);
  return Buffer.concat([pdf.subarray(0, at), Buffer.from(name, 'latin1'), pdf.subarray(at + CERTIFICATE_RENDERER.length)]);
}

describe('the certificate renderer', () => {
  it('names the bytes it makes: a fixture certificate has the SHA-256 pinned to CERTIFICATE_RENDERER', async () => {
    const { pdf, params } = await makeCertificate(RECEIPT);
    expect(params.renderer).toBe(CERTIFICATE_RENDERER);
    expect(Object.keys(PINNED)).toContain(CERTIFICATE_RENDERER);
    expect(toHex(sha256(pdf))).toBe(PINNED[CERTIFICATE_RENDERER]);
  });

  it('a certificate of another renderer is CERTIFICATE_OTHER_RENDERER, naming both, not a mismatch', async () => {
    const { pdf } = await makeCertificate(RECEIPT);
    expect(EARLIER).not.toContain(CERTIFICATE_RENDERER);
    for (const name of [...EARLIER, 'cunzheng-certificate/0 (pdfkit 0.19.0, fontkit 2.0.2, noto-sans-sc 1.44.0)']) {
      const e = await checkCertificate(withRenderer(pdf, name)).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'CERTIFICATE_OTHER_RENDERER', details: { renderer: name, ours: CERTIFICATE_RENDERER } });
    }
    await expect(checkCertificate(pdf)).resolves.toBeDefined();
  });

  it('a certificate that names no renderer is CERTIFICATE_MALFORMED', async () => {
    const { pdf } = await makeCertificate(RECEIPT);
    const text = pdf.toString('latin1');
    const field = `&quot;renderer&quot;:&quot;${CERTIFICATE_RENDERER}&quot;,`;
    const at = text.indexOf(field);
    expect(at).toBeGreaterThan(0);
    const none = Buffer.concat([pdf.subarray(0, at), pdf.subarray(at + field.length)]);
    await expect(checkCertificate(none)).rejects.toMatchObject({ code: 'CERTIFICATE_MALFORMED' });
  });
});

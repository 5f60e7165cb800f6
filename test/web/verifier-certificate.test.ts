/**
 * The verifier's certificate reader (web/verifier/certificate.ts, no Buffer) against the CLI's
 * (src/certificate/check.ts extractCertificate) on real certificates of the fixture receipts, in both
 * languages, and on PDFs cut or altered where the two scans look: the same receipt bytes or the same code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractCertificate, makeCertificate } from '../../src/certificate/index.js';
import { extractCertificateReceipt } from '../../web/verifier/certificate.js';
import { codeOfSync } from '../support/codes.js';
import { FIXTURES } from '../receipt/helpers.js';

const receipt = (n: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, 'receipts', `${n}.receipt.json`)));

describe('the verifier reads a certificate as the CLI does', () => {
  it('extracts the same receipt bytes from real certificates, and the same codes from damaged ones', async () => {
    for (const [name, lang] of [['battery-formula-v1.txt', 'zh'], ['empty.bin', 'en']] as const) {
      const pdf = new Uint8Array((await makeCertificate(receipt(name), { lang })).pdf);
      const ours = extractCertificateReceipt(pdf);
      expect(Buffer.from(ours).equals(Buffer.from(extractCertificate(pdf).receipt))).toBe(true);
      expect(Buffer.from(ours).equals(Buffer.from(receipt(name)))).toBe(true);
      const text = Buffer.from(pdf).toString('latin1');
      const at = text.indexOf('/Subtype /application#2Fjson');
      const damaged: Uint8Array[] = [
        pdf.subarray(1),
        pdf.subarray(0, at + 40),
        Uint8Array.from(Buffer.from(text.replace('/Subtype /application#2Fjson', '/Subtype /application#2Fjsox'), 'latin1')),
        Uint8Array.from(Buffer.from(text.replace('<cunzheng:params>', '<cunzheng:param>'), 'latin1')),
        new Uint8Array(0),
      ];
      for (const d of damaged) {
        const want = codeOfSync(() => extractCertificate(d));
        expect(want).toBe('CERTIFICATE_MALFORMED');
        expect(codeOfSync(() => extractCertificateReceipt(d))).toBe(want);
      }
    }
  });
});

/**
 * A certificate is hostile input to `verify cert.pdf`: a certificate with bytes flipped, cut or spliced anywhere
 * (the attached receipt, the parameters, the page content) is read back without a crash and never passes: each
 * is a CunzhengError with a certificate's or a receipt's code, never another exception.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCertificate, makeCertificate } from '../../src/certificate/index.js';
import { CunzhengError } from '../../src/errors.js';
import { fuzzRuns } from '../support/fuzz.js';

let pdf: Buffer;
let hot: number[];
beforeAll(async () => {
  pdf = (await makeCertificate(readFileSync('fixtures/receipts/battery-formula-v1.txt.receipt.json'), { checkedFile: 'a.txt' })).pdf;
  const text = pdf.toString('latin1');
  // Where a change matters most: the receipt attachment, the parameters, the first page's content.
  hot = [text.indexOf('"entry"'), text.indexOf('"index"'), text.indexOf('<cunzheng:params>') + 20, text.indexOf('BT\n') + 10, text.indexOf('/Length')];
});

async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    await checkCertificate(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    return e.code;
  }
}

describe('verify cert.pdf on hostile certificates', () => {
  it('a flipped byte, anywhere or where it matters most, is a coded failure', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (pos, xor, nearHot) => {
      const at = nearHot ? (hot[pos % hot.length]! + (pos % 64)) % pdf.length : pos % pdf.length;
      const bad = Buffer.from(pdf);
      bad[at]! ^= xor;
      expect(await outcome(bad)).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(await outcome(bad)).not.toBe('ok');
    }), { numRuns: fuzzRuns(40) });
  });

  it('a cut or a splice is a coded failure', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 64 }), async (a, b, junk) => {
      const from = a % pdf.length;
      const to = from + (b % 4096);
      const bad = Buffer.concat([pdf.subarray(0, from), junk, pdf.subarray(Math.min(to, pdf.length))]);
      if (bad.equals(pdf)) return;
      expect(await outcome(bad)).not.toBe('ok');
    }), { numRuns: fuzzRuns(30) });
  });
});

/**
 * The receipt attached to a certificate PDF, read as src/certificate/check.ts's extractCertificate reads it
 * (the same two linear scans, the same limits and CERTIFICATE_* codes), without Node's Buffer: that module
 * also makes certificates (pdfkit), which a browser bundle does not carry. A test compares the two on real
 * certificates. The printed fields are not made again here: `cunzheng verify cert.pdf` does that.
 */
import { CunzhengError } from '../../src/errors.js';
import { MAX_RECEIPT_BYTES } from '../../src/receipt/index.js';

export const MAX_CERTIFICATE_BYTES = 16 * 1024 * 1024;

const RECEIPT_STREAM = /\/Type \/EmbeddedFile\n\/Params <<\n[^>]{0,400}>>\n\/Subtype \/application#2Fjson\n\/Length (\d{1,8})\n>>\nstream\n/;

function malformed(why: string): CunzhengError {
  return new CunzhengError('CERTIFICATE_MALFORMED', `not a cunzheng certificate: ${why}`);
}

/** One character per byte, so string offsets are byte offsets. */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 32768) s += String.fromCharCode(...bytes.subarray(i, i + 32768));
  return s;
}

export function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46 && bytes[4] === 0x2d;
}

/** The attached receipt's bytes, or CERTIFICATE_TOO_LARGE / CERTIFICATE_MALFORMED. */
export function extractCertificateReceipt(pdf: Uint8Array): Uint8Array {
  if (pdf.length > MAX_CERTIFICATE_BYTES) throw new CunzhengError('CERTIFICATE_TOO_LARGE', `a certificate is at most ${MAX_CERTIFICATE_BYTES} bytes; this is ${pdf.length}`);
  if (!isPdf(pdf)) throw malformed('no PDF header');
  const text = latin1(pdf);
  const m = RECEIPT_STREAM.exec(text);
  if (m === null) throw malformed('no attached receipt');
  const length = Number(m[1]);
  const start = m.index + m[0].length;
  if (length > MAX_RECEIPT_BYTES || start + length > pdf.length) throw malformed('the attached receipt runs past the file');
  if (!/<cunzheng:params>([^<]{1,8192})<\/cunzheng:params>/.test(text)) throw malformed('no certificate parameters in its metadata');
  return pdf.slice(start, start + length);
}

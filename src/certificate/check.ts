/**
 * Reading a certificate back: its attached receipt and the parameters in its XMP, and the check that the
 * PDF is exactly the certificate those make (certificates are deterministic, so every printed field, the QR
 * code and the attachments are compared at once, byte for byte). A PDF is hostile input: at most
 * MAX_CERTIFICATE_BYTES, read with linear scans for the two places this module writes, never parsed as a
 * general PDF; anything else is CERTIFICATE_MALFORMED.
 */
import { CunzhengError } from '../errors.js';
import { MAX_RECEIPT_BYTES } from '../receipt/index.js';
import { makeCertificate } from './make.js';
import { CERTIFICATE_RENDERER, type CertificateParams } from './pdf.js';
import { CERTIFICATE_LANGS, type CertificateLang } from './words.js';

export const MAX_CERTIFICATE_BYTES = 16 * 1024 * 1024;

export interface ExtractedCertificate {
  receipt: Uint8Array;
  params: CertificateParams;
}

function malformed(why: string): CunzhengError {
  return new CunzhengError('CERTIFICATE_MALFORMED', `not a cunzheng certificate: ${why}`);
}

const RECEIPT_STREAM = /\/Type \/EmbeddedFile\n\/Params <<\n[^>]{0,400}>>\n\/Subtype \/application#2Fjson\n\/Length (\d{1,8})\n>>\nstream\n/;
const PARAMS = /<cunzheng:params>([^<]{1,8192})<\/cunzheng:params>/;

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[e]!);
}

function parseParams(text: string): CertificateParams {
  let v: unknown;
  try {
    v = JSON.parse(unescapeXml(text));
  } catch {
    throw malformed('its parameters are not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('its parameters are not an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['format', 'renderer', 'lang', 'verifierUrl', 'checkedFile'].includes(k)) throw malformed(`unknown parameter ${JSON.stringify(k.slice(0, 32))}`);
  if (o.format !== 'cunzheng/certificate/v1') throw malformed('unknown certificate format');
  if (typeof o.renderer !== 'string' || o.renderer.length === 0 || o.renderer.length > 256) throw malformed('no renderer named');
  if (!CERTIFICATE_LANGS.includes(o.lang as CertificateLang)) throw malformed('unknown language');
  if (typeof o.verifierUrl !== 'string' || o.verifierUrl.length > 1024) throw malformed('bad verifier URL');
  if (o.checkedFile !== undefined && (typeof o.checkedFile !== 'string' || o.checkedFile.length > 1024)) throw malformed('bad checked file name');
  return { format: 'cunzheng/certificate/v1', renderer: o.renderer, lang: o.lang as CertificateLang, verifierUrl: o.verifierUrl, ...(o.checkedFile === undefined ? {} : { checkedFile: o.checkedFile as string }) };
}

/** The attached receipt and the parameters of a certificate. */
export function extractCertificate(pdf: Uint8Array): ExtractedCertificate {
  if (!(pdf instanceof Uint8Array)) throw malformed('expected bytes');
  if (pdf.length > MAX_CERTIFICATE_BYTES) throw new CunzhengError('CERTIFICATE_TOO_LARGE', `a certificate is at most ${MAX_CERTIFICATE_BYTES} bytes; this is ${pdf.length}`);
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw malformed('no PDF header');
  const text = bytes.toString('latin1');
  const m = RECEIPT_STREAM.exec(text);
  if (m === null) throw malformed('no attached receipt');
  const length = Number(m[1]);
  const start = m.index + m[0].length;
  if (length > MAX_RECEIPT_BYTES || start + length > bytes.length) throw malformed('the attached receipt runs past the file');
  const p = PARAMS.exec(text);
  if (p === null) throw malformed('no certificate parameters in its metadata');
  const params = parseParams(Buffer.from(p[1]!, 'latin1').toString('utf8'));
  return { receipt: new Uint8Array(bytes.subarray(start, start + length)), params };
}

/**
 * Makes the certificate again from its own receipt and parameters and compares: CERTIFICATE_MISMATCH when
 * any byte differs (a printed field, the QR code, an attachment, the metadata), with the first offset.
 */
export async function checkCertificate(pdf: Uint8Array, extracted: ExtractedCertificate = extractCertificate(pdf)): Promise<ExtractedCertificate> {
  const { params } = extracted;
  if (params.renderer !== CERTIFICATE_RENDERER) {
    throw new CunzhengError('CERTIFICATE_OTHER_RENDERER', `the certificate was made by ${params.renderer}; this cunzheng renders ${CERTIFICATE_RENDERER}, so its printed fields cannot be made again byte for byte and were not compared; its attached receipt is the evidence and is checked on its own (cunzheng verify does so first), and the printed fields can be compared by the version that made it`, {
      details: { renderer: params.renderer, ours: CERTIFICATE_RENDERER },
    });
  }
  const again = await makeCertificate(extracted.receipt, { lang: params.lang, verifierUrl: params.verifierUrl, ...(params.checkedFile === undefined ? {} : { checkedFile: params.checkedFile }) });
  const a = again.pdf;
  if (a.length !== pdf.length || !a.equals(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength))) {
    let i = 0;
    while (i < a.length && i < pdf.length && a[i] === pdf[i]) i++;
    throw new CunzhengError('CERTIFICATE_MISMATCH', `the certificate is not the one its attached receipt makes: it differs from byte ${i} on (a printed field, the QR code, an attachment or its metadata was changed, or it was made by another version)`, {
      details: { offset: i, size: pdf.length, expectedSize: a.length },
    });
  }
  return extracted;
}

/**
 * The `certificate` job: one receipt → its certificate, on a worker thread (certificates.ts posts it).
 * makeCertificate is loaded on the first job, so the service's workers, which never make certificates, do not
 * pay for pdfkit and the font.
 */
import type { MakeCertificateOptions } from '../certificate/make.js';
import { sha256, sm3, toHex } from '../crypto/index.js';

export interface CertificateJob {
  receipt: Uint8Array;
  options: MakeCertificateOptions;
}

export interface CertificateJobResult {
  pdf: Uint8Array;
  id: string;
  /** The PDF's SHA-256 and SM3 (hex), computed here so that a package's manifest need not hash it again on its thread. */
  sha256: string;
  sm3: string;
}

/** Makes the certificate and hashes it; the PDF comes back in a buffer of its own, to be transferred. */
export async function runCertificateJob(job: CertificateJob): Promise<CertificateJobResult> {
  const { makeCertificate } = await import('../certificate/make.js');
  const { pdf, id } = await makeCertificate(job.receipt, job.options);
  const own = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? new Uint8Array(pdf.buffer, 0, pdf.byteLength) : new Uint8Array(pdf);
  return { pdf: own, id, sha256: toHex(sha256(own)), sm3: toHex(sm3(own)) };
}

/**
 * A receipt → its certificate's bytes. The one entry point the CLI, the HTTP route and `verify` use, so a
 * certificate made anywhere is made again, byte for byte, from its own attachment and parameters.
 */
import { CunzhengError } from '../errors.js';
import { certificateBlocks, defaultVerifierUrl, type CertificateOptions } from './blocks.js';
import { certificateData } from './model.js';
import { CERTIFICATE_RENDERER, renderCertificatePdf, type CertificateParams } from './pdf.js';

/** The digests of a document hashed by the caller, for `checkedFile`: both must equal the entry's (SM3 when it has one). */
export interface CheckedDigests {
  sha256: string;
  sm3?: string;
}

/** What makeCertificate takes: the printed options, and the caller's digests of the document to check. */
export type MakeCertificateOptions = CertificateOptions & { digests?: CheckedDigests };

export async function makeCertificate(receipt: Uint8Array, options: MakeCertificateOptions = {}): Promise<{ pdf: Buffer; params: CertificateParams; id: string }> {
  const data = await certificateData(receipt);
  if (options.digests !== undefined) {
    const d = data.entry.digest;
    const sm3Differs = d.sm3 !== undefined && options.digests.sm3 !== undefined && d.sm3 !== options.digests.sm3;
    if (d.sha256 !== options.digests.sha256 || sm3Differs || (d.sm3 !== undefined && options.digests.sm3 === undefined)) {
      throw new CunzhengError('CERTIFICATE_DOCUMENT_MISMATCH', `the file ${options.checkedFile ?? ''} is not the deposited document: its digest differs from the receipt's`, {
        details: { got: options.digests.sha256, want: d.sha256 },
      });
    }
  }
  const params: CertificateParams = {
    format: 'cunzheng/certificate/v1',
    renderer: CERTIFICATE_RENDERER,
    lang: options.lang ?? 'zh',
    verifierUrl: options.verifierUrl ?? defaultVerifierUrl(data.origin),
    ...(options.checkedFile === undefined ? {} : { checkedFile: options.checkedFile }),
  };
  const blocks = certificateBlocks(data, { lang: params.lang, verifierUrl: params.verifierUrl, ...(params.checkedFile === undefined ? {} : { checkedFile: params.checkedFile }) });
  return { pdf: await renderCertificatePdf(data, blocks, params), params, id: data.id };
}

export { certificateData, type CertificateAnchor, type CertificateData, type CertificateSignature } from './model.js';
export { attachmentNames, certificateBlocks, defaultVerifierUrl, verifierLink, QR_MAX_URL, type Block, type CertificateOptions, type Row } from './blocks.js';
export { CERTIFICATE_RENDERER, PARAMS_NS, renderCertificatePdf, type CertificateParams } from './pdf.js';
export { CERTIFICATE_LANGS, WORDS, type CertificateLang } from './words.js';
export { makeCertificate, type CheckedDigests, type MakeCertificateOptions } from './make.js';
export { checkCertificate, extractCertificate, MAX_CERTIFICATE_BYTES, type ExtractedCertificate } from './check.js';
export { checkExhibitParams, exhibitRow, EXHIBIT_LIST_FORMAT, MAX_EXHIBITS, type ExhibitInput, type ExhibitListInput, type ExhibitListParams, type ExhibitRow } from './exhibit-list.js';
export { EXHIBIT_LIST_RENDERER, EXHIBIT_PARAMS_NS, makeExhibitList } from './exhibit-pdf.js';
export { checkExhibitList, MAX_EXHIBIT_LIST_BYTES, readExhibitListParams } from './exhibit-read.js';

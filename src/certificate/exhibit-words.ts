/**
 * The exhibit list's words (证据目录), in Chinese (the default) and English. Only wording lives here; what
 * each exhibit says comes from exhibit-list.ts and where it goes on the page from exhibit-layout.ts.
 */
import type { CertificateLang } from './words.js';

export interface ExhibitWords {
  title: string;
  subtitle: string;
  caseTitle: string;
  origin: string;
  checkpoint: string;
  checkpointValue: (size: string, root: string) => string;
  count: string;
  countValue: (n: string) => string;
  statement: string[];
  colNo: string;
  colBody: string;
  id: string;
  leaf: string;
  time: string;
  receipt: string;
  certificate: string;
  level: string;
  concerns: string;
  none: string;
  footer: (origin: string, size: string) => string;
  page: (n: number, of: number) => string;
}

export const EXHIBIT_WORDS: Readonly<Record<CertificateLang, ExhibitWords>> = {
  zh: {
    title: '证据目录',
    subtitle: 'Exhibit List',
    caseTitle: '案由',
    origin: '存证账本（origin）',
    checkpoint: '检查点',
    checkpointValue: (size, root) => `树大小 ${size}，根哈希（Base64）${root}`,
    count: '证据数量',
    countValue: (n) => `${n} 项`,
    statement: [
      '本目录列出证据包中的全部电子数据存证证据：每项注明编号、类型、文件、存证编号、账本叶子序号、存证时间（北京时间，UTC+08:00）、SHA-256 与 SM3 摘要，以及证据包中对应的存证回执与存证证书文件。',
      '各项回执均可离线核验，并已证明与上述检查点一致（一致性证明随证据包提供）。本目录本身由证据包清单（manifest）覆盖，该清单的根哈希已存证于同一账本。',
    ],
    colNo: '编号',
    colBody: '证据（类型、文件、存证编号、叶子序号、存证时间、摘要、证据包内文件）',
    id: '存证编号',
    leaf: '叶子序号',
    time: '存证时间',
    receipt: '回执',
    certificate: '证书',
    level: '密级',
    concerns: '所涉存证',
    none: '—',
    footer: (origin, size) => `证据目录 · ${origin} · 树大小 ${size}`,
    page: (n, of) => `第 ${n} 页 / 共 ${of} 页`,
  },
  en: {
    title: 'Exhibit List',
    subtitle: '证据目录',
    caseTitle: 'Case',
    origin: 'Ledger origin',
    checkpoint: 'Checkpoint',
    checkpointValue: (size, root) => `tree size ${size}, root hash (base64) ${root}`,
    count: 'Exhibits',
    countValue: (n) => n,
    statement: [
      'This list names every exhibit of the evidence package: its number, kind, document, deposit id, leaf index in the ledger, time of deposit (Beijing time, UTC+08:00), SHA-256 and SM3 digests, and the files of its receipt and certificate in the package.',
      "Each receipt verifies offline and is proven consistent with the checkpoint above (the proofs are in the package). The list itself is covered by the package's manifest, whose root hash is deposited in the same ledger.",
    ],
    colNo: 'No.',
    colBody: 'Exhibit (kind, document, deposit id, leaf index, time, digests, files in the package)',
    id: 'Deposit id',
    leaf: 'Leaf',
    time: 'Time',
    receipt: 'Receipt',
    certificate: 'Certificate',
    level: '密级',
    concerns: 'Concerns',
    none: '—',
    footer: (origin, size) => `Exhibit list · ${origin} · tree size ${size}`,
    page: (n, of) => `Page ${n} of ${of}`,
  },
};

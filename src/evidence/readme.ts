/**
 * The package's README.txt: what the package is, how to verify it step by step, and what it proves and does
 * not — in Chinese, then in English. Plain text (UTF-8, LF), made only from the package's inputs, so the same
 * inputs give the same bytes. Pure.
 */
import { beijingTime, ENTRY_KIND_TERMS, type EntryKind } from '../entry/index.js';
import { CHECKPOINT, CONSISTENCY, EXHIBIT_LIST, MANIFEST, PACKAGE_RECEIPT, POLICY, SHA256SUMS, SM3SUMS, TSA_ROOTS, VERIFIER_HTML, VERIFIER_KEYS } from './layout.js';

export interface ReadmeExhibit {
  label: string;
  id: string;
  kind: string;
  /** The entry's time, ISO 8601 UTC. */
  time: string;
  sha256: string;
}

export interface ReadmeInput {
  title: string | null;
  origin: string;
  exhibits: readonly ReadmeExhibit[];
  /** The verifier keys were taken from the log itself (GET /v1/log), not given by the person who made the package. */
  keysFromLog: boolean;
  hasPolicy: boolean;
  hasTsaRoots: boolean;
  hasVerifier: boolean;
  hasExhibitList: boolean;
  /** Exhibits whose receipts carry RFC 3161 tokens: [label, number of tokens]. */
  anchored: readonly (readonly [string, number])[];
}

const KIND_EN: Record<string, string> = {
  deposit: 'deposit', classify: 'classification', reclassify: 'reclassification', conceal: 'concealment measures',
  declassify: 'declassification', destroy: 'destruction', 'access-grant': 'access granted', 'access-revoke': 'access revoked',
  'departure-audit': 'departure audit',
};

const one = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');

function table(exhibits: readonly ReadmeExhibit[], zh: boolean): string[] {
  return exhibits.map((e) => {
    const kind = zh ? (ENTRY_KIND_TERMS[e.kind as EntryKind] ?? e.kind) : (KIND_EN[e.kind] ?? e.kind);
    return `  ${e.label}  ${beijingTime(e.time)}  ${kind}  ${e.id}  SHA-256 ${e.sha256}`;
  });
}

function tsaSteps(input: ReadmeInput, zh: boolean): string[] {
  if (input.anchored.length === 0) return [zh ? '   （本证据包的回执均未附可信时间戳。）' : '   (No receipt in this package carries a timestamp token.)'];
  const roots = input.hasTsaRoots ? TSA_ROOTS : (zh ? '<时间戳机构根证书.pem>' : '<TSA roots.pem>');
  return [
    zh ? `   回执中的 RFC 3161 时间戳（${input.anchored.map(([l, n]) => `${l}×${n}`).join('、')}）可用 openssl 逐个核验，例如 E001 的第 i 个：`
      : `   The RFC 3161 tokens in receipts (${input.anchored.map(([l, n]) => `${l}×${n}`).join(', ')}) are checked one by one with openssl, e.g. E001's i-th:`,
    `     jq -r '.anchors[i].token' exhibits/E001.receipt.json | base64 -d > anchor.tst`,
    `     openssl ts -verify -in anchor.tst -token_in -CAfile ${roots} -digest <SHA-256>`,
    zh ? '   <SHA-256> 为被盖章检查点正文的 SHA-256，印在该证据存证证书的"可信时间戳"与"核验方法"中（连同完整命令）。'
      : '   <SHA-256> is that of the stamped checkpoint body, printed in the exhibit\'s certificate (timestamps and "how to verify", with the whole command).',
  ];
}

/** The README's text. */
export function readmeText(input: ReadmeInput): string {
  const title = input.title === null ? '' : one(input.title);
  const n = input.exhibits.length;
  const keyHint = input.keysFromLog;
  const zh = [
    '证据包 / Evidence package' + (title === '' ? '' : `：${title}`),
    '',
    '=== 中文 ===',
    '',
    `本证据包收录 ${n} 份电子数据存证的回执（存证回执）与存证证书，均来自存证账本 ${one(input.origin)}。`,
    '每份证据（E001 起编号）包括：exhibits/Exxx.receipt.json（回执，可离线核验）与 exhibits/Exxx.certificate.pdf（存证证书，PDF/A-3，内嵌同一回执）。',
    ...(input.hasExhibitList ? [`${EXHIBIT_LIST} 为证据目录，列明每份证据的编号、摘要与时间。`] : []),
    '',
    '证据清单：',
    ...table(input.exhibits, true),
    '',
    '核验步骤：',
    `1. 文件完整性：解压后执行  sha256sum -c ${SHA256SUMS}  （国密：按 ${SM3SUMS} 用 SM3 工具逐个核对，例如 gmssl sm3）。`,
    `   ${MANIFEST} 列出每个文件的大小、SHA-256 与 SM3；${SHA256SUMS}、${SM3SUMS} 与之一致。`,
    `2. 证据包本身的存证：把 ${SHA256SUMS} 的每一行（含行尾换行）作为一片叶子，按 RFC 6962 计算 Merkle 树根`,
    `   （叶 = SHA-256(0x00‖行)，节点 = SHA-256(0x01‖左‖右)）；${SM3SUMS} 以 SM3 同法计算。两个树根即为 ${PACKAGE_RECEIPT}`,
    '   所存证的 SHA-256 与 SM3 摘要：证据包在该回执所示时间已存在且此后未被改动。',
    '3. 一条命令核验全部内容（离线）：',
    '     cunzheng verify case.zip --key <存证平台公布的验证公钥>' + (input.hasPolicy ? ' --policy <见证策略文件>' : '') + (input.hasTsaRoots ? ' --tsa-roots <时间戳机构根证书.pem>' : ''),
    ...(input.hasPolicy || input.hasTsaRoots ? [`   （本包中的 ${[input.hasPolicy ? POLICY : '', input.hasTsaRoots ? TSA_ROOTS : ''].filter(Boolean).join('、')} 是制作本包时所用的文件，可对照使用；信任须来自您自己核实过的文件。）`] : []),
    '   它检查：文件清单与摘要、两个树根、证据包回执、每份回执、每份证书（重新生成并逐字节比对）、',
    `   以及从每份回执的检查点到 ${CHECKPOINT} 的一致性证明（${CONSISTENCY}）。`,
    `4. 验证公钥：${VERIFIER_KEYS} 仅为提示${keyHint ? '（取自存证平台本身）' : ''}，须与存证平台另行公布的公钥核对，不可仅凭本包信任。`,
    '5. 单份证书：pdfdetach -saveall exhibits/E001.certificate.pdf 取出内嵌回执，再  cunzheng verify E001.certificate.pdf --key …',
    '6. 可信时间戳：',
    ...tsaSteps(input, true),
    ...(input.hasVerifier ? [`7. 浏览器核验：用浏览器打开 ${VERIFIER_HTML}（离线可用），载入回执文件即可核验。`] : []),
    '',
    '证明范围：本证据包证明所列文件摘要在所示时间已存在于存证账本中且此后未被篡改，以及证据包本身的完整性与存在时间。',
    '它不证明：权属、秘密性、商业价值、存证前内容的真实性（《人民法院在线诉讼规则》第十八条）；保护措施记录证明的是记录，不是措施已被执行。',
    '',
  ];
  const en = [
    '=== English ===',
    '',
    `This package holds the receipts and certificates of ${n} deposit(s) and lifecycle event(s) from the log ${one(input.origin)}.`,
    'Each exhibit (numbered from E001) is exhibits/Exxx.receipt.json (the receipt, verifiable offline) and exhibits/Exxx.certificate.pdf (the certificate, PDF/A-3, with the same receipt attached).',
    ...(input.hasExhibitList ? [`${EXHIBIT_LIST} is the exhibit list: each exhibit's number, digest and time.`] : []),
    '',
    'Exhibits:',
    ...table(input.exhibits, false),
    '',
    'How to verify:',
    `1. Files: after unzipping, run  sha256sum -c ${SHA256SUMS}  (SM3: check ${SM3SUMS} with an SM3 tool, e.g. gmssl sm3).`,
    `   ${MANIFEST} lists every file with its size, SHA-256 and SM3; ${SHA256SUMS} and ${SM3SUMS} agree with it.`,
    `2. The package's own deposit: each line of ${SHA256SUMS} (with its newline) is one leaf of an RFC 6962 Merkle tree`,
    `   (leaf = SHA-256(0x00 || line), node = SHA-256(0x01 || left || right)); ${SM3SUMS} likewise with SM3. The two roots are`,
    `   the SHA-256 and SM3 digests deposited in ${PACKAGE_RECEIPT}: the package existed at that receipt's time, unchanged since.`,
    '3. Everything at once, offline:',
    '     cunzheng verify case.zip --key <the verifier key the operator publishes>' + (input.hasPolicy ? ' --policy <witness policy file>' : '') + (input.hasTsaRoots ? ' --tsa-roots <TSA roots.pem>' : ''),
    ...(input.hasPolicy || input.hasTsaRoots ? [`   (${[input.hasPolicy ? POLICY : '', input.hasTsaRoots ? TSA_ROOTS : ''].filter(Boolean).join(' and ')} in this package are the files it was made with, to compare with; trust comes from files you checked yourself.)`] : []),
    '   It checks the manifest and every digest, both roots, the package receipt, every receipt, every certificate (made',
    `   again and compared byte for byte) and the consistency proofs (${CONSISTENCY}) from each receipt's checkpoint to ${CHECKPOINT}.`,
    `4. Keys: ${VERIFIER_KEYS} is a hint${keyHint ? ' (taken from the log itself)' : ''}; check it against the key the operator publishes elsewhere. Never trust it because it is here.`,
    '5. One certificate: pdfdetach -saveall exhibits/E001.certificate.pdf takes out its receipt; or  cunzheng verify E001.certificate.pdf --key …',
    '6. Timestamps:',
    ...tsaSteps(input, false),
    ...(input.hasVerifier ? [`7. In a browser: open ${VERIFIER_HTML} (works offline) and load a receipt file.`] : []),
    '',
    'What it proves: the listed digests were in the log at the times shown and have not changed since; the package itself is complete and existed at its receipt\'s time.',
    'What it does not prove: ownership, secrecy, value, or that the content was authentic before it was deposited; an event\'s record proves the record, not that the measure was carried out.',
    '',
  ];
  return [...zh, ...en].join('\n');
}

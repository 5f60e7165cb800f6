/**
 * The certificate's words, in Chinese (the default) and English. Only wording lives here; what is said
 * comes from certificate/model.ts and the order of it from certificate/blocks.ts.
 */
export type CertificateLang = 'zh' | 'en';
export const CERTIFICATE_LANGS: readonly CertificateLang[] = ['zh', 'en'];

export interface Words {
  title: string;
  subtitle: string;
  eventTitle: string;
  id: string;
  sections: { subject: string; document: string; event: string; time: string; tsa: string; ledger: string; verify: string; scope: string };
  kind: string;
  subjectName: string;
  uscc: string;
  operator: string;
  tenant: string;
  platform: string;
  docTitle: string;
  filename: string;
  size: (n: string) => string;
  level: string;
  notGiven: string;
  hashedBy: { client: string; server: string; label: string };
  concerns: string;
  received: string;
  utc: string;
  tsaName: string;
  tsaSerial: string;
  tsaTime: string;
  tsaTree: string;
  tsaImprint: string;
  noAnchor: string;
  origin: string;
  leafIndex: string;
  treeSize: string;
  root: string;
  logKey: string;
  logKeyFingerprint: string;
  signatures: string;
  sigEd25519: (checked: boolean) => string;
  sigSm2: string;
  sigWitness: (time: string | undefined) => string;
  noSignatures: string;
  verifyIntro: string;
  verifyCli: string;
  verifyOpenssl: string;
  verifyBrowser: string;
  verifyQr: string;
  keyWarning: string;
  scope: string[];
  eventScope: string;
  documentChecked: (name: string) => string;
  attachments: string;
  page: (n: number, of: number) => string;
}

export const WORDS: Readonly<Record<CertificateLang, Words>> = {
  zh: {
    title: '电子数据存证证书',
    subtitle: 'Electronic Data Deposit Certificate',
    eventTitle: '保护措施记录',
    id: '存证编号',
    sections: { subject: '一、存证主体', document: '二、存证文件', event: '三、记录的事项', time: '存证时间', tsa: '可信时间戳', ledger: '存证账本', verify: '核验方法', scope: '证明范围' },
    kind: '存证类型',
    subjectName: '存证主体',
    uscc: '统一社会信用代码',
    operator: '操作人（用户编号）',
    tenant: '租户编号',
    platform: '存证平台（账本）',
    docTitle: '文件标题',
    filename: '文件名',
    size: (n) => `${n} 字节`,
    level: '密级',
    notGiven: '（未提交）',
    hashedBy: { label: '摘要计算方', client: '由存证主体在本地计算，文件内容未提交', server: '由存证平台根据上传的文件计算（文件内容不留存）' },
    concerns: '所涉存证（文件版本）',
    received: '存证时间（北京时间）',
    utc: '协调世界时（UTC）',
    tsaName: '时间戳服务机构',
    tsaSerial: '时间戳序列号',
    tsaTime: '时间戳时间（北京时间）',
    tsaTree: '所盖账本状态（树大小）',
    tsaImprint: '所盖检查点摘要（SHA-256）',
    noAnchor: '本回执尚未取得可信时间戳（RFC 3161）。存证时间由存证平台的签名检查点证明；取得时间戳后可用 cunzheng receipt upgrade 更新回执并重新生成证书。',
    origin: '账本标识（origin）',
    leafIndex: '叶子序号',
    treeSize: '树大小',
    root: '根哈希（Base64）',
    logKey: '账本公钥（回执所载）',
    logKeyFingerprint: '公钥指纹（SHA-256）',
    signatures: '检查点签名',
    sigEd25519: (checked) => `账本 Ed25519 签名${checked ? '（已用上述公钥核验）' : ''}`,
    sigSm2: '账本 SM2 签名（国密，需以账本 SM2 公钥核验）',
    sigWitness: (time) => `见证方联署${time === undefined ? '' : `，${time}`}`,
    noSignatures: '无',
    verifyIntro: '本证书可离线核验，无需依赖存证平台：',
    verifyCli: '命令行：从本 PDF 取出附件后核验回执与原文件（VKEY 为存证平台公开的账本公钥）：',
    verifyOpenssl: '可信时间戳：以 OpenSSL 核验回执中的时间戳（TSA 根证书由时间戳服务机构提供）：',
    verifyBrowser: '浏览器：扫描右侧二维码或打开以下地址（回执数据仅在网址 # 之后，不发送至服务器）：',
    verifyQr: '扫码核验',
    keyWarning: '回执所载公钥仅为提示：核验时须使用存证平台另行公布的公钥，并比对上述指纹。',
    scope: [
      '本证书证明：上述账本在上述公钥下收录了本条存证记录；该记录载明文件摘要、存证主体与账本收到的时间；因此具有该摘要的电子数据不晚于上述时间（及各时间戳的时间）已经存在，且此后未被篡改。',
      '本证书不证明：该电子数据的权属或作者、其保密性或商业价值，亦不证明其在存证之前的真实性。依《人民法院在线诉讼规则》第十八条，存证之前数据的真实性，须结合存证平台、取证与存证过程等因素另行审查。',
    ],
    eventScope: '本回执所证为一项保护措施的记录：企业在所示时间记录了上述措施；它证明该记录不晚于该时间存在且未被篡改，不证明措施已按所述实际执行。',
    documentChecked: (name) => `已核对：文件 ${name} 的 SHA-256（及 SM3）摘要与本存证记录一致（证书生成时在本地计算）。`,
    attachments: '附件（嵌入本 PDF）：存证回执 receipt.json，及其 C2SP tlog-proof。可用 pdfdetach -saveall 取出。',
    page: (n, of) => `第 ${n} 页，共 ${of} 页`,
  },
  en: {
    title: 'Electronic Data Deposit Certificate',
    subtitle: '电子数据存证证书',
    eventTitle: 'Record of a protection measure',
    id: 'Deposit id',
    sections: { subject: '1. Depositor', document: '2. Document', event: '3. What was recorded', time: 'Time of deposit', tsa: 'Trusted timestamp', ledger: 'Ledger', verify: 'How to verify', scope: 'What this proves' },
    kind: 'Kind',
    subjectName: 'Depositor',
    uscc: 'Unified social credit code',
    operator: 'Operator (user id)',
    tenant: 'Tenant id',
    platform: 'Platform (ledger)',
    docTitle: 'Title',
    filename: 'File name',
    size: (n) => `${n} bytes`,
    level: 'Classification level (密级)',
    notGiven: '(not submitted)',
    hashedBy: { label: 'Digest computed by', client: 'the depositor, on its own machine; the content was not submitted', server: 'the service, from the uploaded file (the content is not kept)' },
    concerns: 'Deposit concerned (document version)',
    received: 'Received (Beijing time)',
    utc: 'UTC',
    tsaName: 'Time-stamping authority',
    tsaSerial: 'Serial number',
    tsaTime: 'Time (Beijing time)',
    tsaTree: 'Ledger state stamped (tree size)',
    tsaImprint: 'Stamped checkpoint digest (SHA-256)',
    noAnchor: 'This receipt has no trusted timestamp (RFC 3161) yet. The time is proven by the signed checkpoint of the ledger; once stamped, cunzheng receipt upgrade refreshes the receipt and a new certificate can be made.',
    origin: 'Ledger origin',
    leafIndex: 'Leaf index',
    treeSize: 'Tree size',
    root: 'Root hash (base64)',
    logKey: 'Log key (as in the receipt)',
    logKeyFingerprint: 'Key fingerprint (SHA-256)',
    signatures: 'Checkpoint signatures',
    sigEd25519: (checked) => `log, Ed25519${checked ? ' (checked against the key above)' : ''}`,
    sigSm2: "log, SM2 (国密; check with the log's SM2 key)",
    sigWitness: (time) => `witness cosignature${time === undefined ? '' : `, ${time}`}`,
    noSignatures: 'none',
    verifyIntro: 'This certificate can be verified offline, without the platform:',
    verifyCli: 'Command line: take the attachments out of this PDF and verify the receipt with the file (VKEY: the log key the platform published):',
    verifyOpenssl: "Trusted timestamp: verify the receipt's token with OpenSSL (the TSA root certificate comes from the TSA):",
    verifyBrowser: 'Browser: scan the QR code or open this address (the receipt is only after the #, never sent to a server):',
    verifyQr: 'Scan to verify',
    keyWarning: "The key in the receipt is only a hint: verify with the key the platform published elsewhere and compare the fingerprint above.",
    scope: [
      'This certificate proves that the ledger above, under the key above, contains this deposit record; that the record names the digest of the document, the depositor and the time the ledger received it; and so that electronic data with that digest existed, unchanged, no later than that time (and no later than each timestamp).',
      'It does not prove who owns or wrote the data, that it is secret or valuable, or that it was authentic before it was deposited: under art. 18 of the SPC Online Litigation Rules (人民法院在线诉讼规则), authenticity before deposit is examined separately.',
    ],
    eventScope: 'This receipt is of an event: the enterprise recorded the measure above at the time shown. It proves the record existed, unchanged, no later than that time; not that the measure was carried out as described.',
    documentChecked: (name) => `Checked: the SHA-256 (and SM3) of the file ${name} equal this deposit's (computed locally when the certificate was made).`,
    attachments: 'Attached (embedded in this PDF): the receipt, receipt.json, and its C2SP tlog-proof. pdfdetach -saveall takes them out.',
    page: (n, of) => `Page ${n} of ${of}`,
  },
};

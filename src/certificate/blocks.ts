/**
 * The certificate as an ordered list of blocks (title, sections, label/value rows, paragraphs, commands),
 * from CertificateData and the options: everything printed, nothing about where it goes on the page
 * (pdf.ts lays it out). The same inputs always give the same blocks. Pure, like model.ts, words.ts and
 * event-words.ts (test/repo/layers-rules.ts PURE_FILES): a browser can print the same fields.
 */
import { toBase64 } from '../crypto/index.js';
import { beijingTime, isLifecycleKind, type Entry } from '../entry/index.js';
import { eventRows, kindText, type Row } from './event-words.js';
import type { CertificateData } from './model.js';
import { WORDS, type CertificateLang } from './words.js';

export type { Row };

export interface CertificateOptions {
  /** zh (default) or en. */
  lang?: CertificateLang;
  /** The browser verifier's address; default `https://<the origin's host>/verify`. */
  verifierUrl?: string;
  /** The name of the document that was hashed and found to match, when the certificate says so. */
  checkedFile?: string;
}

export type Block =
  | { t: 'title'; text: string; sub: string; kind?: string }
  | { t: 'section'; text: string }
  | { t: 'rows'; rows: Row[] }
  | { t: 'para'; text: string; small?: boolean; strong?: boolean }
  | { t: 'code'; text: string }
  | { t: 'qr'; url: string; caption: string };

/** Longest QR URL that carries the whole receipt; beyond it the fragment carries the id. */
export const QR_MAX_URL = 1200;

export function defaultVerifierUrl(origin: string): string {
  const host = origin.split('/')[0]!;
  return `https://${host}/verify`;
}

/** The QR code's URL: the receipt (base64url) in the fragment, or its id when that would be too long. */
export function verifierLink(data: CertificateData, verifierUrl: string): string {
  const base = verifierUrl.split('#')[0]!;
  const full = `${base}#receipt=${toBase64(data.receiptBytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
  if (full.length <= QR_MAX_URL) return full;
  return `${base}#id=${data.id}&log=${encodeURIComponent(data.origin)}`;
}

export function attachmentNames(id: string): { receipt: string; tlogProof: string } {
  return { receipt: `${id}.receipt.json`, tlogProof: `${id}.tlog-proof` };
}

const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const utc = (iso: string): string => iso.replace('T', ' ').replace('Z', ' UTC');

function metaString(entry: Entry, key: string): string | undefined {
  const v = entry.meta?.[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

export function certificateBlocks(data: CertificateData, options: CertificateOptions = {}): Block[] {
  const lang = options.lang ?? 'zh';
  const w = WORDS[lang];
  const e = data.entry;
  const event = isLifecycleKind(e.kind) && e.event !== undefined ? { kind: e.kind, event: e.event } : undefined;
  const names = attachmentNames(data.id);
  const blocks: Block[] = [];

  // An event's certificate says so under the title, in larger type than the other language's title.
  blocks.push({ t: 'title', text: w.title, sub: w.subtitle, ...(event === undefined ? {} : { kind: w.eventTitle }) });
  blocks.push({ t: 'rows', rows: [
    { label: w.id, value: data.id, mono: true },
    { label: w.kind, value: kindText(e.kind, lang) },
    { label: w.received, value: beijingTime(e.time) },
    { label: w.utc, value: utc(e.time) },
  ] });

  blocks.push({ t: 'section', text: w.sections.subject });
  const subject: Row[] = [{ label: w.subjectName, value: e.subject.name }, { label: w.uscc, value: e.subject.uscc, mono: true }];
  if (e.operator !== undefined) subject.push({ label: w.operator, value: e.operator, mono: true });
  subject.push({ label: w.tenant, value: e.tenant, mono: true }, { label: w.platform, value: data.origin, mono: true });
  blocks.push({ t: 'rows', rows: subject });

  blocks.push({ t: 'section', text: w.sections.document });
  const doc: Row[] = [];
  if (event !== undefined) doc.push({ label: w.concerns, value: e.prev ?? '', mono: true });
  else {
    doc.push({ label: w.docTitle, value: metaString(e, 'title') ?? w.notGiven });
    doc.push({ label: w.filename, value: metaString(e, 'filename') ?? metaString(e, 'path') ?? w.notGiven });
  }
  doc.push({ label: w.level, value: (event !== undefined && typeof (event.event as { level?: unknown }).level === 'string' ? (event.event as { level: string }).level : metaString(e, 'level')) ?? w.notGiven });
  if (e.size !== undefined) doc.push({ label: lang === 'zh' ? '文件大小' : 'Size', value: w.size(group(e.size)) });
  doc.push({ label: 'SHA-256', value: e.digest.sha256, mono: true });
  if (e.digest.sm3 !== undefined) doc.push({ label: 'SM3', value: e.digest.sm3, mono: true });
  doc.push({ label: w.hashedBy.label, value: e.hashedBy === 'client' ? w.hashedBy.client : w.hashedBy.server });
  blocks.push({ t: 'rows', rows: doc });
  if (options.checkedFile !== undefined) blocks.push({ t: 'para', text: `✔ ${w.documentChecked(options.checkedFile)}`, strong: true });

  if (event !== undefined) {
    blocks.push({ t: 'section', text: w.sections.event });
    blocks.push({ t: 'rows', rows: eventRows(event.kind, event.event, lang) });
  }

  let n = event === undefined ? 3 : 4;
  const num = (s: string): string => (lang === 'zh' ? `${'一二三四五六七八'[n++ - 1]}、${s}` : `${n++}. ${s}`);
  blocks.push({ t: 'section', text: num(w.sections.tsa) });
  if (data.anchors.length === 0) blocks.push({ t: 'para', text: w.noAnchor });
  for (const a of data.anchors) {
    blocks.push({ t: 'rows', rows: [
      { label: w.tsaName, value: a.tsa },
      { label: w.tsaSerial, value: a.serialNumber, mono: true },
      { label: w.tsaTime, value: beijingTime(a.genTime) },
      { label: w.utc, value: utc(a.genTime) },
      { label: w.tsaTree, value: group(a.treeSize) },
      { label: w.tsaImprint, value: a.imprint, mono: true },
    ] });
  }

  blocks.push({ t: 'section', text: num(w.sections.ledger) });
  const sigs = data.signatures.map((s) => {
    const what = s.kind === 'log-ed25519' ? w.sigEd25519(s.checked) : s.kind === 'log-sm2' ? w.sigSm2 : w.sigWitness(s.time === undefined ? undefined : beijingTime(s.time.replace('Z', '.000Z')));
    return `${s.name} ${s.keyId}: ${what}`;
  });
  blocks.push({ t: 'rows', rows: [
    { label: w.origin, value: data.origin, mono: true },
    { label: w.leafIndex, value: String(data.leafIndex), mono: true },
    { label: w.treeSize, value: String(data.treeSize), mono: true },
    { label: w.root, value: data.rootHash, mono: true },
    { label: w.logKey, value: data.logVerifierKey, mono: true },
    { label: w.logKeyFingerprint, value: data.logKeyFingerprint, mono: true },
    { label: w.signatures, value: sigs.length === 0 ? w.noSignatures : sigs.join('\n') },
  ] });
  blocks.push({ t: 'para', text: w.keyWarning, small: true });

  blocks.push({ t: 'section', text: num(w.sections.verify) });
  blocks.push({ t: 'para', text: w.verifyIntro });
  // The ways to check, numbered as printed: the OpenSSL step only when there is a timestamp to check.
  let step = 1;
  const stepped = (text: string): string => `${step++}. ${text}`;
  blocks.push({ t: 'para', text: stepped(w.verifyCli) });
  blocks.push({ t: 'code', text: `pdfdetach -saveall certificate.pdf\ncunzheng verify ${names.receipt} --file DOC --key "$VKEY"\ncunzheng verify certificate.pdf --key "$VKEY"` });
  if (data.anchors.length > 0) {
    blocks.push({ t: 'para', text: stepped(w.verifyOpenssl) });
    blocks.push({ t: 'code', text: data.anchors.map((a, i) => `jq -r '.anchors[${i}].token' ${names.receipt} | base64 -d > anchor${i}.tst\nopenssl ts -verify -in anchor${i}.tst -token_in -CAfile tsa-root.pem \\\n  -digest ${a.imprint}`).join('\n') });
  }
  const url = verifierLink(data, options.verifierUrl ?? defaultVerifierUrl(data.origin));
  blocks.push({ t: 'para', text: stepped(w.verifyBrowser) });
  blocks.push({ t: 'qr', url, caption: w.verifyQr });

  blocks.push({ t: 'section', text: num(w.sections.scope) });
  for (const p of w.scope) blocks.push({ t: 'para', text: p });
  if (event !== undefined) blocks.push({ t: 'para', text: w.eventScope });
  blocks.push({ t: 'para', text: w.attachments, small: true });
  return blocks;
}

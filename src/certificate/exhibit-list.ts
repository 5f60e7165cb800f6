/**
 * The exhibit list of an evidence package (证据目录), as data: the input checked (hostile: bounded counts and
 * lengths, no control or bidi characters in what is printed), the parameters it is made with (stored in the
 * PDF so a verifier can make it again), and one row per exhibit read from its receipt and entry. Pure, like
 * blocks.ts (test/repo/layers-rules.ts PURE_FILES): no Node I/O, no clock.
 *
 * The receipts are parsed, not verified: the list prints what each receipt says; the package's verifier
 * checks the receipts and their proofs. A receipt that does not parse, whose id is not derived from its
 * entry, of another log, or whose leaf is beyond the package's checkpoint, is EXHIBIT_LIST_RECEIPT_INVALID.
 */
import { fromBase64 } from '../crypto/index.js';
import { beijingTime, ENTRY_KIND_TERMS, isLifecycleKind, parseEntry, type Entry } from '../entry/index.js';
import { CunzhengError } from '../errors.js';
import { hashLeaf } from '../merkle/index.js';
import { depositIdFromLeafHash, parseReceipt } from '../receipt/index.js';
import { eventRows } from './event-words.js';
import { EXHIBIT_WORDS } from './exhibit-words.js';
import { CERTIFICATE_LANGS, type CertificateLang } from './words.js';

export const EXHIBIT_LIST_FORMAT = 'cunzheng/exhibit-list/v1';
/** At most this many exhibits in one list (a package holds up to 10,000). */
export const MAX_EXHIBITS = 100_000;
export const MAX_EXHIBIT_FILE_CHARS = 255;
/** As `cunzheng evidence --title` allows. */
export const MAX_EXHIBIT_TITLE_CHARS = 500;
const NO_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
const MAX_ORIGIN_CHARS = 256;

export interface ExhibitInput {
  /** The exhibit's number, e.g. "E001": 1–16 letters, digits, '.', '_' or '-', unique in the list. */
  no: string;
  /** The receipt's exact bytes. */
  receipt: Uint8Array;
  /** Where the receipt and the certificate are in the package (printed as given). */
  receiptFile: string;
  certificateFile: string;
}

export interface ExhibitListInput {
  lang?: CertificateLang;
  /** 案由: the case title, as the user gave it. */
  title?: string;
  /** The log's origin: every receipt must be of it. */
  origin: string;
  /** The package's newest checkpoint: what every exhibit is proven consistent with. */
  checkpoint: { size: number; rootHash: string };
  exhibits: readonly ExhibitInput[];
}

/** What the list was made with, stored in its XMP: the input without the receipts' bytes. */
export interface ExhibitListParams {
  format: typeof EXHIBIT_LIST_FORMAT;
  renderer: string;
  lang: CertificateLang;
  title?: string;
  origin: string;
  checkpoint: { size: number; rootHash: string };
  exhibits: { no: string; receiptFile: string; certificateFile: string }[];
}

/** One exhibit as printed. */
export interface ExhibitRow {
  no: string;
  /** 存证, 定密 … (en: deposit, classify (定密) …). */
  kind: string;
  /** The document (title and file name, or —), or for an event what it records and the deposit concerned. */
  what: string;
  level?: string;
  id: string;
  leafIndex: number;
  /** Beijing time, +08:00. */
  time: string;
  /** The entry's UTC time (the list's date is the newest of them). */
  utc: string;
  sha256: string;
  sm3?: string;
  receiptFile: string;
  certificateFile: string;
}

type Bad = (why: string, details?: Record<string, unknown>) => CunzhengError;
const malformed: Bad = (why, details) => new CunzhengError('EXHIBIT_LIST_MALFORMED', `exhibit list: ${why}`, details === undefined ? undefined : { details });

// C0, DEL, C1, line/paragraph separators and bidi controls: nothing printed may forge another line or reorder it.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

function text(v: unknown, what: string, max: number, bad: Bad): string {
  if (typeof v !== 'string' || v.length === 0) throw bad(`${what}: expected a non-empty string`);
  if (v.length > max) throw bad(`${what}: longer than ${max} characters`);
  if (UNPRINTABLE.test(v)) throw bad(`${what}: holds a control, line-separator or bidi character`);
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Record<string, unknown>, keys: readonly string[], what: string, bad: Bad): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw bad(`${what}: unknown field ${JSON.stringify(k.slice(0, 32))}`);
}

/**
 * The parameters checked, from make's input (receipts aside) or from a PDF's XMP: the same rules both ways,
 * so whatever a list was made with can be read back, and nothing else can.
 */
export function checkExhibitParams(v: unknown, bad: Bad = malformed, withReceipts = false): ExhibitListParams {
  if (!isObject(v)) throw bad('expected an object');
  const keys = ['lang', 'title', 'origin', 'checkpoint', 'exhibits'];
  only(v, withReceipts ? keys : ['format', 'renderer', ...keys], 'the list', bad);
  if (!withReceipts) {
    if (v.format !== EXHIBIT_LIST_FORMAT) throw bad('unknown format');
    text(v.renderer, 'renderer', 256, bad);
  }
  const lang = v.lang === undefined && withReceipts ? 'zh' : v.lang;
  if (!CERTIFICATE_LANGS.includes(lang as CertificateLang)) throw bad('lang: expected "zh" or "en"');
  const title = v.title === undefined ? undefined : text(v.title, 'title', MAX_EXHIBIT_TITLE_CHARS, bad);
  const origin = text(v.origin, 'origin', MAX_ORIGIN_CHARS, bad);
  const cp = v.checkpoint;
  if (!isObject(cp)) throw bad('checkpoint: expected { size, rootHash }');
  only(cp, ['size', 'rootHash'], 'checkpoint', bad);
  if (typeof cp.size !== 'number' || !Number.isSafeInteger(cp.size) || cp.size < 1) throw bad('checkpoint.size: expected a positive integer');
  try {
    fromBase64(cp.rootHash, 32, 'checkpoint.rootHash');
  } catch {
    throw bad('checkpoint.rootHash: expected the base64 of a 32-byte hash');
  }
  const list = v.exhibits;
  if (!Array.isArray(list) || list.length === 0) throw bad('exhibits: expected a non-empty array');
  if (list.length > MAX_EXHIBITS) {
    throw new CunzhengError('EXHIBIT_LIST_TOO_LARGE', `exhibit list: ${list.length} exhibits, at most ${MAX_EXHIBITS}`, { details: { count: list.length, max: MAX_EXHIBITS } });
  }
  const seen = new Set<string>();
  const exhibits = list.map((e: unknown, i) => {
    const where = `exhibits[${i}]`;
    if (!isObject(e)) throw bad(`${where}: expected an object`);
    only(e, withReceipts ? ['no', 'receipt', 'receiptFile', 'certificateFile'] : ['no', 'receiptFile', 'certificateFile'], where, bad);
    if (typeof e.no !== 'string' || !NO_RE.test(e.no)) throw bad(`${where}.no: expected 1-16 letters, digits, '.', '_' or '-' (E001)`);
    if (seen.has(e.no)) throw bad(`${where}.no: ${e.no} appears twice`, { no: e.no });
    seen.add(e.no);
    if (withReceipts && !(e.receipt instanceof Uint8Array)) throw bad(`${where}.receipt: expected the receipt's bytes`);
    return { no: e.no, receiptFile: text(e.receiptFile, `${where}.receiptFile`, MAX_EXHIBIT_FILE_CHARS, bad), certificateFile: text(e.certificateFile, `${where}.certificateFile`, MAX_EXHIBIT_FILE_CHARS, bad) };
  });
  return {
    format: EXHIBIT_LIST_FORMAT,
    renderer: withReceipts ? '' : (v.renderer as string),
    lang: lang as CertificateLang,
    ...(title === undefined ? {} : { title }),
    origin,
    checkpoint: { size: cp.size, rootHash: cp.rootHash as string },
    exhibits,
  };
}

function receiptInvalid(no: string, why: string, code: string, cause?: unknown): CunzhengError {
  return new CunzhengError('EXHIBIT_LIST_RECEIPT_INVALID', `exhibit ${no}: ${why}`, { cause, details: { no, code } });
}

function meta(entry: Entry, key: string): string | undefined {
  const v = entry.meta?.[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function what(entry: Entry, lang: CertificateLang): { what: string; level?: string } {
  const w = EXHIBIT_WORDS[lang];
  const level = meta(entry, 'level');
  if (isLifecycleKind(entry.kind)) {
    const ev = entry.event;
    const said = ev === undefined ? [] : [eventRows(entry.kind, ev, lang)[0]!.value];
    if (entry.prev !== undefined) said.push(`${w.concerns} ${entry.prev}`);
    const evLevel = ev !== undefined && typeof (ev as { level?: unknown }).level === 'string' ? (ev as { level: string }).level : level;
    return { what: said.length === 0 ? w.none : said.join(lang === 'zh' ? '；' : '; '), ...(evLevel === undefined ? {} : { level: evLevel }) };
  }
  const title = meta(entry, 'title');
  const file = meta(entry, 'filename') ?? meta(entry, 'path');
  const doc = title !== undefined && file !== undefined ? (lang === 'zh' ? `${title}（${file}）` : `${title} (${file})`) : title ?? file ?? w.none;
  return { what: doc, ...(level === undefined ? {} : { level }) };
}

/** One exhibit's row, from its receipt: parsed (not verified), of this log, within the checkpoint. */
export function exhibitRow(e: ExhibitInput, params: Pick<ExhibitListParams, 'lang' | 'origin' | 'checkpoint'>): ExhibitRow {
  let receipt;
  let entry: Entry;
  let entryBytes: Uint8Array;
  try {
    receipt = parseReceipt(e.receipt);
    entryBytes = fromBase64(receipt.entry, undefined, 'entry');
    entry = parseEntry(entryBytes);
  } catch (cause) {
    if (!(cause instanceof CunzhengError)) throw cause;
    throw receiptInvalid(e.no, `its receipt (${e.receiptFile}) does not parse: ${cause.code}: ${cause.message}`, cause.code, cause);
  }
  if (depositIdFromLeafHash(hashLeaf(entryBytes)) !== receipt.id) throw receiptInvalid(e.no, 'the receipt id is not derived from its entry', 'RECEIPT_ID_MISMATCH');
  if (receipt.log.origin !== params.origin) throw receiptInvalid(e.no, `the receipt is of the log ${JSON.stringify(receipt.log.origin.slice(0, 64))}, not ${JSON.stringify(params.origin)}`, 'OTHER_LOG');
  if (receipt.index >= params.checkpoint.size) throw receiptInvalid(e.no, `leaf ${receipt.index} is beyond the checkpoint (tree size ${params.checkpoint.size})`, 'BEYOND_CHECKPOINT');
  const kind = params.lang === 'zh' ? ENTRY_KIND_TERMS[entry.kind] : entry.kind === 'deposit' ? 'deposit' : `${entry.kind} (${ENTRY_KIND_TERMS[entry.kind]})`;
  return {
    no: e.no,
    kind,
    ...what(entry, params.lang),
    id: receipt.id,
    leafIndex: receipt.index,
    time: beijingTime(entry.time),
    utc: entry.time,
    sha256: entry.digest.sha256,
    ...(entry.digest.sm3 === undefined ? {} : { sm3: entry.digest.sm3 }),
    receiptFile: e.receiptFile,
    certificateFile: e.certificateFile,
  };
}

/** The input checked and its parameters (renderer named by the caller). */
export function exhibitListParams(input: ExhibitListInput, renderer: string): ExhibitListParams {
  return { ...checkExhibitParams(input, malformed, true), renderer };
}

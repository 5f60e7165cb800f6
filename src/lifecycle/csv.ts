/**
 * The 清单 as CSV, for Excel and for the archive: UTF-8 with a byte-order mark first (without it Excel reads
 * Chinese as mojibake), CRLF after every record (the last too), RFC 4180 quoting (a field holding `"`, `,`,
 * CR or LF is quoted, `"` doubled), one header row in Chinese (default) or English, statuses and kinds in
 * the same language, times in Beijing time with the offset ("2026-12-02 16:30:00 +08:00").
 *
 * Formula injection (CWE-1236): a spreadsheet runs a cell that begins with = + - @ (or TAB/CR, which some
 * strip first) as a formula, and titles, labels and level names are the depositor's text. Such a cell is
 * written with a leading apostrophe ('=1+1), which Excel and LibreOffice show as text. Applied to every
 * cell, so no column can be forgotten.
 *
 * `header: false` writes the records alone, without the header and the byte-order mark (to append to a file).
 */
import { concealMeasureInfo, ENTRY_KIND_TERMS, isConcealMeasure, type EntryKind } from '../entry/index.js';
import { LONG_TERM } from './display.js';
import type { InventoryRow } from './inventory-row.js';
import { beijingDateTime } from './time.js';
import type { DisplayStatus } from './types.js';

export type CsvLang = 'zh' | 'en';
export interface CsvOptions {
  header?: boolean;
  lang?: CsvLang;
}

export const CSV_BOM = '\uFEFF';

const STATUS_TERMS: Readonly<Record<CsvLang, Readonly<Record<DisplayStatus, string>>>> = {
  zh: { unclassified: '未定密', classified: '已定密', expired: '已过期', declassified: '已解密', destroyed: '已销毁' },
  en: { unclassified: 'unclassified', classified: 'classified', expired: 'expired', declassified: 'declassified', destroyed: 'destroyed' },
};

const KIND_WORDS_EN: Readonly<Record<EntryKind, string>> = {
  deposit: 'deposit',
  classify: 'classify',
  reclassify: 'reclassify',
  conceal: 'conceal',
  declassify: 'declassify',
  destroy: 'destroy',
  'access-grant': 'access grant',
  'access-revoke': 'access revoke',
  'departure-audit': 'departure audit',
};

type Column = readonly [zh: string, en: string, cell: (r: InventoryRow, lang: CsvLang) => string];

const list = (items: readonly string[]): string => items.join('; ');
const opt = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

/** The columns, in order. */
const COLUMNS: readonly Column[] = [
  ['文档编号', 'Document', (r) => r.doc],
  ['最新版本编号', 'Latest version', (r) => r.latestId],
  ['标题', 'Title', (r) => opt(r.title)],
  ['文件名', 'File name', (r) => opt(r.filename)],
  ['大小（字节）', 'Size (bytes)', (r) => opt(r.size)],
  ['密级', 'Level', (r) => opt(r.level)],
  ['保密期限', 'Secrecy period', (r, lang) => (r.period === LONG_TERM && lang === 'en' ? 'long-term (长期)' : opt(r.period))],
  ['到期日', 'Expiry', (r) => opt(r.expiry)],
  ['状态', 'Status', (r, lang) => STATUS_TERMS[lang][r.status]],
  ['知悉人数', 'People in scope', (r) => String(r.peopleCount)],
  ['知悉范围', 'Need-to-know scope', (r) => list(r.people)],
  ['隐密措施', 'Conceal measures', (r, lang) => list(lang === 'zh' ? r.measures.map((m) => (isConcealMeasure(m) ? concealMeasureInfo(m).term : m)) : r.measures)],
  ['最近事件', 'Last event', (r, lang) => (lang === 'zh' ? ENTRY_KIND_TERMS[r.lastEvent] : KIND_WORDS_EN[r.lastEvent])],
  ['最近事件时间', 'Last event time', (r) => beijingDateTime(r.lastEventTime)],
  ['最近操作人', 'Last operator', (r) => opt(r.lastOperator)],
  ['版本数', 'Versions', (r) => String(r.versions)],
  ['事件数', 'Events', (r) => String(r.events)],
  ['标签', 'Labels', (r) => list(r.labels)],
  ['建档时间', 'Created', (r) => beijingDateTime(r.created)],
];

export const CSV_COLUMNS: Readonly<Record<CsvLang, readonly string[]>> = {
  zh: COLUMNS.map((c) => c[0]),
  en: COLUMNS.map((c) => c[1]),
};

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: guarded against formula injection, then quoted when RFC 4180 needs it. */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function record(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function inventoryCsv(rows: readonly InventoryRow[], options: CsvOptions = {}): string {
  const lang: CsvLang = options.lang ?? 'zh';
  const header = options.header ?? true;
  const out: string[] = header ? [CSV_BOM + record(CSV_COLUMNS[lang])] : [];
  for (const r of rows) out.push(record(COLUMNS.map((c) => c[2](r, lang))));
  return out.join('');
}

/**
 * The inventory as a terminal table: one line per document, columns aligned by terminal width (cli/text-width.ts:
 * a CJK character takes two columns), headers and words in Chinese by default or English. Everything the
 * service sent is shown through `cell`: control characters (escape sequences) become '?', long texts are cut
 * with '…' so one title cannot push the table off the screen.
 */
import { ENTRY_KIND_TERMS } from '../../src/entry/index.js';
import { displayWidth, padEnd, padStart } from '../text-width.js';

/**
 * A row as GET /v1/inventory answers it (lifecycle's InventoryRow); only what the table shows is read, and
 * read as unknown: it came over the network.
 */
export type TableRow = Record<string, unknown>;

type Lang = 'zh' | 'en';

const STATUS: Record<Lang, Record<string, string>> = {
  zh: { unclassified: '未定密', classified: '已定密', expired: '已过期', declassified: '已解密', destroyed: '已销毁' },
  en: { unclassified: 'unclassified', classified: 'classified', expired: 'expired', declassified: 'declassified', destroyed: 'destroyed' },
};

const KIND: Record<Lang, Readonly<Record<string, string>>> = { zh: ENTRY_KIND_TERMS, en: {} };

interface Column {
  head: Record<Lang, string>;
  max: number;
  right?: boolean;
  value: (r: TableRow, lang: Lang) => string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');

/** The time of an entry in Beijing, to the minute: 2026-12-02T08:30:00.000Z → 2026-12-02 16:30. */
export function beijingMinute(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return time;
  const d = new Date(ms + 8 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

const COLUMNS: Column[] = [
  { head: { zh: '文档', en: 'document' }, max: 32, value: (r) => str(r.doc) },
  { head: { zh: '名称', en: 'name' }, max: 30, value: (r) => str(r.title) || str(r.filename) },
  { head: { zh: '版本', en: 'ver' }, max: 6, right: true, value: (r) => str(r.versions) },
  { head: { zh: '密级', en: 'level' }, max: 16, value: (r) => str(r.level) },
  { head: { zh: '保密期限', en: 'period' }, max: 10, value: (r) => str(r.period) },
  { head: { zh: '状态', en: 'status' }, max: 12, value: (r, lang) => STATUS[lang][str(r.status)] ?? str(r.status) },
  { head: { zh: '到期日', en: 'expiry' }, max: 10, value: (r) => str(r.expiry) },
  { head: { zh: '知悉人数', en: 'people' }, max: 8, right: true, value: (r) => str(r.peopleCount) },
  { head: { zh: '最近事件', en: 'last event' }, max: 16, value: (r, lang) => KIND[lang][str(r.lastEvent)] ?? str(r.lastEvent) },
  { head: { zh: '时间（北京）', en: 'time (Beijing)' }, max: 16, value: (r) => (str(r.lastEventTime) === '' ? '' : beijingMinute(str(r.lastEventTime))) },
];

/** `s` without control characters, cut to `max` columns with '…'. */
export function cell(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  if (displayWidth(clean) <= max) return clean;
  let out = '';
  let w = 0;
  for (const ch of clean) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

export function formatInventoryTable(rows: readonly object[], lang: Lang): string {
  const cells = rows.map((r) => COLUMNS.map((c) => cell(c.value(r as TableRow, lang), c.max)));
  const heads = COLUMNS.map((c) => c.head[lang]);
  const widths = COLUMNS.map((_, i) => Math.max(displayWidth(heads[i]!), ...cells.map((line) => displayWidth(line[i]!))));
  const line = (values: string[]): string => values.map((v, i) => (COLUMNS[i]!.right ? padStart(v, widths[i]!) : padEnd(v, widths[i]!))).join('  ').trimEnd();
  return [line(heads), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

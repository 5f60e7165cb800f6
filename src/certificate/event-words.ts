/**
 * A lifecycle event in words, as label/value rows: Chinese for a Chinese certificate, and the English of
 * entry/describe-event.ts (eventLines) for an English one, so the certificate and `cunzheng verify` agree.
 */
import { concealMeasureInfo, ENTRY_KIND_TERMS, PERIOD_LONG_TERM, type ConcealMeasure, type EntryEvent, type EventRecord, type LifecycleKind } from '../entry/index.js';
import { eventLines } from '../entry/describe-event.js';
import type { CertificateLang } from './words.js';

export interface Row {
  label: string;
  value: string;
  mono?: boolean;
}

const RECORDED_ZH: Readonly<Record<LifecycleKind, string>> = {
  classify: '该文件被确定为商业秘密（定密）',
  reclassify: '该文件的密级或保密期限被变更（密级变更）',
  conceal: '对该文件采取了隐密措施（隐密）',
  declassify: '该文件被解密，不再作为商业秘密管理（解密）',
  destroy: '该文件被销毁（销毁）',
  'access-grant': '一名人员被纳入该文件的知悉范围（知悉范围授权）',
  'access-revoke': '一名人员被移出该文件的知悉范围（知悉范围撤销）',
  'departure-audit': '对离职人员进行了审计：其返还与销毁的文件（离职审计）',
};

function recordRows(record: EventRecord | undefined): Row[] {
  if (record === undefined) return [{ label: '措施书面记录', value: '未随事件存证' }];
  const rows: Row[] = [{ label: '措施书面记录 SHA-256', value: record.sha256, mono: true }];
  if (record.sm3 !== undefined) rows.push({ label: '措施书面记录 SM3', value: record.sm3, mono: true });
  if (record.size !== undefined) rows.push({ label: '措施书面记录大小', value: `${record.size} 字节` });
  return rows;
}

function zhRows(kind: LifecycleKind, event: EntryEvent): Row[] {
  const e = event as Partial<Record<string, unknown>>;
  const rows: Row[] = [{ label: '记录事项', value: RECORDED_ZH[kind] }];
  if (typeof e.level === 'string') rows.push({ label: '密级', value: e.level });
  if (typeof e.period === 'string') rows.push({ label: '保密期限', value: e.period === PERIOD_LONG_TERM ? '长期' : `至 ${e.period}（北京日期，含当日）` });
  if (typeof e.basis === 'string') rows.push({ label: '定密依据', value: e.basis });
  if (Array.isArray(e.measures)) {
    for (const m of e.measures as ConcealMeasure[]) {
      const info = concealMeasureInfo(m);
      rows.push({ label: '隐密措施', value: `${info.term}（${m}；《最高人民法院关于审理侵犯商业秘密民事案件适用法律若干问题的规定》第六条第${info.spcItem}项）` });
    }
  }
  if (typeof e.who === 'string') rows.push({ label: '人员', value: `${e.who}（企业内部编号，账本不载姓名）` });
  if (typeof e.role === 'string') rows.push({ label: '岗位', value: e.role });
  if (typeof e.reason === 'string') rows.push({ label: '理由', value: e.reason });
  if (typeof e.method === 'string') rows.push({ label: '销毁方式', value: e.method });
  if (Array.isArray(e.returned)) rows.push({ label: `返还（${e.returned.length} 项）`, value: (e.returned as string[]).join(' '), mono: true });
  if (Array.isArray(e.destroyed)) rows.push({ label: `销毁（${e.destroyed.length} 项）`, value: (e.destroyed as string[]).join(' '), mono: true });
  if (kind === 'departure-audit' && e.returned === undefined && e.destroyed === undefined) rows.push({ label: '返还或销毁', value: '未列明' });
  rows.push(...recordRows(e.record as EventRecord | undefined));
  return rows;
}

function enRows(kind: LifecycleKind, event: EntryEvent): Row[] {
  const rows: Row[] = [];
  for (const line of eventLines(kind, event)) {
    const at = line.indexOf(': ');
    if (line.startsWith('  ') && rows.length > 0) rows[rows.length - 1]!.value += `\n${line.trim()}`;
    else if (at < 0) rows.push({ label: '', value: line });
    else rows.push({ label: line.slice(0, at), value: line.slice(at + 2), mono: /SHA-256|SM3/.test(line.slice(0, at)) });
  }
  return rows;
}

export function eventRows(kind: LifecycleKind, event: EntryEvent, lang: CertificateLang): Row[] {
  return lang === 'zh' ? zhRows(kind, event) : enRows(kind, event);
}

export function kindText(kind: keyof typeof ENTRY_KIND_TERMS, lang: CertificateLang): string {
  return lang === 'zh' ? `${ENTRY_KIND_TERMS[kind]}（${kind}）` : `${kind} (${ENTRY_KIND_TERMS[kind]})`;
}

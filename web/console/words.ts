/**
 * Words for the core's values in the chosen language. The Chinese terms of kinds and measures are the
 * core's own (src/entry/kinds.ts, measures.ts: what certificates and the 清单 print), and times are shown
 * as the 清单 shows them: Beijing time with the offset (src/lifecycle/time.ts).
 */
import { ENTRY_KIND_TERMS, type EntryKind } from '../../src/entry/kinds.js';
import { CONCEAL_MEASURES } from '../../src/entry/measures.js';
import { beijingDateTime } from '../../src/lifecycle/time.js';
import { lang, t } from './i18n.js';

const KIND_EN: Record<EntryKind, string> = {
  deposit: 'deposit', classify: 'classify', reclassify: 'reclassify', conceal: 'conceal', declassify: 'declassify',
  destroy: 'destroy', 'access-grant': 'access grant', 'access-revoke': 'access revoke', 'departure-audit': 'departure audit',
};

export function kindWord(kind: string): string {
  if (!Object.hasOwn(KIND_EN, kind)) return kind;
  return lang() === 'zh' ? ENTRY_KIND_TERMS[kind as EntryKind] : KIND_EN[kind as EntryKind];
}

export const STATUSES = ['unclassified', 'classified', 'expired', 'declassified', 'destroyed'] as const;
const STATUS_ZH: Record<string, string> = { unclassified: '未定密', classified: '已定密', expired: '已过期', declassified: '已解密', destroyed: '已销毁' };

export function statusWord(status: string): string {
  return lang() === 'zh' ? (STATUS_ZH[status] ?? status) : status;
}

export const MEASURES = CONCEAL_MEASURES.map((m) => m.code);

export function measureWord(code: string): string {
  const m = CONCEAL_MEASURES.find((x) => x.code === code);
  return m === undefined ? code : lang() === 'zh' ? m.term : code;
}

export function roleWord(role: string): string {
  return role === 'officer' ? t('roleOfficer') : role === 'depositor' ? t('roleDepositor') : role === 'viewer' ? t('roleViewer') : role;
}

/** "2026-12-02T08:30:00.123Z" → "2026-12-02 16:30:00 +08:00". */
export function beijing(time: string | undefined): string {
  return time === undefined ? '' : beijingDateTime(time);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * The 商业秘密清单: `GET /v1/inventory?status=&level=&label=&since=&until=&limit=&cursor=` (officers and
 * viewers; a depositor is answered 403 ROLE_FORBIDDEN, shown as it comes). A page may come back short with
 * `next`: "load more" follows it. The CSV is the same route with `Accept: text/csv` (and `lang`). Documents
 * ticked here go into an evidence package: `POST /v1/evidence {ids, title?, lang}` (application/zip).
 */
import { call, callJson } from '../api.js';
import { clear, h, live, saveFile } from '../dom.js';
import { errorView } from '../error-text.js';
import { joinCsvParts } from '../csv-parts.js';
import { lang, t } from '../i18n.js';
import { STATUSES, beijing, kindWord, statusWord } from '../words.js';
import { actionButton, table } from './common.js';
import { evidenceBox, evidenceState, type EvidenceState } from './evidence.js';
import type { Session } from '../main.js';

interface Row {
  doc: string;
  latestId: string;
  title?: string;
  filename?: string;
  labels: string[];
  level?: string;
  period?: string;
  expiry?: string;
  status: string;
  peopleCount: number;
  lastEvent: string;
  lastEventTime: string;
  versions: number;
  events: number;
}

/** Whether the service has the evidence-package route (POST /v1/evidence): it has (src/http/routes/evidence.ts). */
export const EVIDENCE = true;

const FILTERS = ['status', 'level', 'label', 'since', 'until'] as const;

/** The filters as the route's query (a date is midnight Beijing time, with its offset). */
function query(filters: Record<string, string>): URLSearchParams {
  const q = new URLSearchParams();
  for (const name of ['status', 'level', 'label']) if ((filters[name] ?? '').trim() !== '') q.set(name, filters[name]!.trim());
  for (const name of ['since', 'until']) if ((filters[name] ?? '') !== '') q.set(name, `${filters[name]}T00:00:00+08:00`);
  return q;
}

/** What the screen holds, kept when it is drawn again in the other language. */
interface State {
  /** The filters as entered (not yet applied, maybe). */
  filters: Record<string, string>;
  /** The query of the rows shown: the one "load more" goes on with. */
  applied: string;
  rows: Row[];
  next: string | null;
  selected: Set<string>;
  /** The evidence package's matter and outcome (screens/evidence.ts). */
  evidence: EvidenceState;
  loading: boolean;
  error?: unknown;
  /** Bumped by each new filter: a late answer to an older one is dropped. */
  run: number;
}

let st: State | undefined;

export function inventoryScreen(_session: Session, _arg?: string, keep = false): HTMLElement {
  if (!keep || st === undefined) st = { filters: {}, applied: '', rows: [], next: null, selected: new Set(), evidence: evidenceState(), loading: false, run: 0 };
  const s = st;
  const levels = h('select', { name: 'level' }, h('option', { value: '' }, t('any')));
  void callJson<{ levels: string[] }>('/v1/tenant/levels').then((r) => {
    levels.append(...r.levels.map((l) => h('option', { value: l }, l)));
    levels.value = s.filters.level ?? '';
  }).catch(() => undefined);
  const form = h('form', { id: 'inventory-filter', class: 'filters' },
    h('label', {}, t('status'), h('select', { name: 'status' }, h('option', { value: '' }, t('any')), ...STATUSES.map((x) => h('option', { value: x }, statusWord(x))))),
    h('label', {}, t('level'), levels),
    h('label', {}, t('label'), h('input', { name: 'label', type: 'text', maxlength: '256' })),
    h('label', {}, t('since'), h('input', { name: 'since', type: 'date' })),
    h('label', {}, t('until'), h('input', { name: 'until', type: 'date' })),
    h('button', { type: 'submit' }, t('filter')));
  for (const name of FILTERS) {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)!;
    if (name !== 'level') el.value = s.filters[name] ?? '';
  }
  const remember = (ev: Event): void => {
    const el = ev.target as HTMLInputElement | HTMLSelectElement;
    if ((FILTERS as readonly string[]).includes(el.name)) s.filters[el.name] = el.value;
  };
  form.addEventListener('input', remember);
  form.addEventListener('change', remember);
  const out = h('div', { id: 'inventory-out' });

  const load = async (cursor: string | null, run: number): Promise<void> => {
    const q = new URLSearchParams(s.applied);
    q.set('limit', '100');
    // A page that examined its 5,000 documents without a match comes back empty with next: go on.
    for (let pages = 0; pages < 20; pages++) {
      if (cursor !== null) q.set('cursor', cursor);
      const page = await callJson<{ rows: Row[]; next: string | null }>(`/v1/inventory?${q}`);
      if (run !== s.run) return;
      s.rows.push(...page.rows);
      cursor = s.next = page.next;
      if (page.rows.length > 0 || s.next === null) break;
    }
  };
  /** Draws the rows into the screen's output as it is now (the screen may have been drawn again meanwhile). */
  const show = (): void => {
    const el = live('inventory-out');
    if (el === null) return;
    clear(el);
    if (s.loading) el.append(h('p', { class: 'loading' }, t('loading')));
    else if (s.error !== undefined) el.append(errorView(s.error));
    else el.append(...render());
  };
  const render = (): Node[] => {
    const more = s.next === null ? null : actionButton(t('loadMore'), { id: 'inventory-more' }, async () => {
      await load(s.next, s.run);
      show();
    });
    return [
      h('p', { class: 'status', id: 'inventory-count' }, t('rowsShown', s.rows.length)),
      table('inventory-table', ['' as never, 'document', 'level', 'period', 'status', 'people', 'lastEvent', 'lastEventTime', 'versions', 'events'], s.rows.map((r) => {
        const box = h('input', { type: 'checkbox', 'data-doc': r.doc, checked: s.selected.has(r.latestId) });
        box.addEventListener('change', () => (box.checked ? s.selected.add(r.latestId) : s.selected.delete(r.latestId)));
        return [
          box,
          h('a', { href: `#history/${r.latestId}`, class: 'doc' }, r.title ?? r.filename ?? t('untitled'), h('code', { class: 'doc-id' }, r.doc), r.labels.length === 0 ? null : h('span', { class: 'labels' }, r.labels.join(' · '))),
          r.level ?? '', r.period === undefined ? '' : r.period + (r.expiry !== undefined && r.expiry !== r.period ? ` (${r.expiry})` : ''),
          h('span', { class: `status-${r.status}` }, statusWord(r.status)), r.peopleCount, kindWord(r.lastEvent), beijing(r.lastEventTime), r.versions, r.events,
        ];
      }), (i) => ({ 'data-doc': s.rows[i]!.doc, 'data-status': s.rows[i]!.status })),
      more ?? '',
    ].filter((n): n is HTMLElement => n !== '');
  };
  const refresh = (): void => {
    const run = ++s.run;
    s.applied = query(s.filters).toString();
    s.rows = [];
    s.selected.clear();
    s.next = null;
    s.error = undefined;
    s.loading = true;
    show();
    load(null, run).then(
      () => {
        if (run === s.run) s.loading = false;
      },
      (e: unknown) => {
        if (run !== s.run) return;
        s.loading = false;
        s.error = e;
      },
    ).finally(() => {
      if (run === s.run) show();
    });
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    refresh();
  });
  queueMicrotask(() => (keep && s.run > 0 ? show() : refresh()));

  const csv = actionButton(t('downloadCsv'), { id: 'inventory-csv', class: 'quiet' }, async () => {
    // Past the service's cap (50,000 rows an answer) the CSV comes in parts, each naming the next: one file.
    const parts: Uint8Array[] = [];
    let cursor: string | null = null;
    do {
      const q = query(s.filters);
      q.set('lang', lang());
      if (cursor !== null) q.set('cursor', cursor);
      const res = await call(`/v1/inventory?${q}`, { accept: 'text/csv' });
      parts.push(new Uint8Array(await res.arrayBuffer()));
      cursor = res.headers.get('cunzheng-next');
    } while (cursor !== null && parts.length < 10_000);
    saveFile(lang() === 'zh' ? '商业秘密清单.csv' : 'inventory.csv', new Blob(joinCsvParts(parts) as BlobPart[], { type: 'text/csv' }));
  });
  return h('section', { class: 'card wide' }, h('h2', {}, t('navInventory')), form, h('div', { class: 'row' }, csv, EVIDENCE ? evidenceBox(s.evidence, () => [...s.selected]) : null), out);
}

/**
 * The 商业秘密清单: `GET /v1/inventory?status=&level=&label=&since=&until=&limit=&cursor=` (officers and
 * viewers; a depositor is answered 403 ROLE_FORBIDDEN, shown as it comes). A page may come back short with
 * `next`: "load more" follows it. The CSV is the same route with `Accept: text/csv` (and `lang`). Documents
 * ticked here go into an evidence package: `POST /v1/evidence {ids, title?, lang}` (application/zip).
 */
import { call, callJson } from '../api.js';
import { clear, field, h, saveFile } from '../dom.js';

import { lang, t } from '../i18n.js';
import { STATUSES, beijing, kindWord, statusWord } from '../words.js';
import { actionButton, fill, table } from './common.js';
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

/** Whether the service has the evidence-package route (POST /v1/evidence): not yet, so the button is left out. */
export const EVIDENCE = false;

/** The filters of the form as the route's query (a date is midnight Beijing time, with its offset). */
function query(form: HTMLElement): URLSearchParams {
  const q = new URLSearchParams();
  for (const name of ['status', 'level', 'label']) if (field(form, name) !== '') q.set(name, field(form, name));
  for (const name of ['since', 'until']) if (field(form, name) !== '') q.set(name, `${field(form, name)}T00:00:00+08:00`);
  return q;
}

export function inventoryScreen(_session: Session): HTMLElement {
  const levels = h('select', { name: 'level' }, h('option', { value: '' }, t('any')));
  void callJson<{ levels: string[] }>('/v1/tenant/levels').then((r) => levels.append(...r.levels.map((l) => h('option', { value: l }, l)))).catch(() => undefined);
  const form = h('form', { id: 'inventory-filter', class: 'filters' },
    h('label', {}, t('status'), h('select', { name: 'status' }, h('option', { value: '' }, t('any')), ...STATUSES.map((s) => h('option', { value: s }, statusWord(s))))),
    h('label', {}, t('level'), levels),
    h('label', {}, t('label'), h('input', { name: 'label', type: 'text', maxlength: '256' })),
    h('label', {}, t('since'), h('input', { name: 'since', type: 'date' })),
    h('label', {}, t('until'), h('input', { name: 'until', type: 'date' })),
    h('button', { type: 'submit' }, t('filter')));
  const out = h('div', { id: 'inventory-out' });
  const selected = new Set<string>();
  const rows: Row[] = [];
  let next: string | null = null;

  const load = async (cursor: string | null): Promise<void> => {
    const q = query(form);
    q.set('limit', '100');
    // A page that examined its 5,000 documents without a match comes back empty with next: go on.
    for (let pages = 0; pages < 20; pages++) {
      if (cursor !== null) q.set('cursor', cursor);
      const page = await callJson<{ rows: Row[]; next: string | null }>(`/v1/inventory?${q}`);
      rows.push(...page.rows);
      cursor = next = page.next;
      if (page.rows.length > 0 || next === null) break;
    }
  };
  const render = (): Node[] => {
    const more = next === null ? null : actionButton(t('loadMore'), { id: 'inventory-more' }, async () => {
      await load(next);
      clear(out);
      out.append(...render());
    });
    return [
      h('p', { class: 'status', id: 'inventory-count' }, t('rowsShown', rows.length)),
      table('inventory-table', ['' as never, 'document', 'level', 'period', 'status', 'people', 'lastEvent', 'lastEventTime', 'versions', 'events'], rows.map((r) => {
        const box = h('input', { type: 'checkbox', 'data-doc': r.doc, checked: selected.has(r.latestId) });
        box.addEventListener('change', () => (box.checked ? selected.add(r.latestId) : selected.delete(r.latestId)));
        return [
          box,
          h('a', { href: `#history/${r.latestId}`, class: 'doc' }, r.title ?? r.filename ?? t('untitled'), h('code', { class: 'doc-id' }, r.doc), r.labels.length === 0 ? null : h('span', { class: 'labels' }, r.labels.join(' · '))),
          r.level ?? '', r.period === undefined ? '' : r.period + (r.expiry !== undefined && r.expiry !== r.period ? ` (${r.expiry})` : ''),
          h('span', { class: `status-${r.status}` }, statusWord(r.status)), r.peopleCount, kindWord(r.lastEvent), beijing(r.lastEventTime), r.versions, r.events,
        ];
      }), (i) => ({ 'data-doc': rows[i]!.doc, 'data-status': rows[i]!.status })),
      more ?? '',
    ].filter((n): n is HTMLElement => n !== '');
  };
  const refresh = (): void => {
    rows.length = 0;
    selected.clear();
    next = null;
    void fill(out, async () => {
      await load(null);
      return render();
    });
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    refresh();
  });
  refresh();

  const csv = actionButton(t('downloadCsv'), { id: 'inventory-csv', class: 'quiet' }, async () => {
    const q = query(form);
    q.set('lang', lang());
    const res = await call(`/v1/inventory?${q}`, { accept: 'text/csv' });
    saveFile(lang() === 'zh' ? '商业秘密清单.csv' : 'inventory.csv', await res.blob());
  });
  return h('section', { class: 'card wide' }, h('h2', {}, t('navInventory')), form, h('div', { class: 'row' }, csv, EVIDENCE ? evidenceBox(selected) : null), out);
}

function evidenceBox(selected: Set<string>): HTMLElement {
  const title = h('input', { name: 'evidence-title', type: 'text', maxlength: '200', placeholder: t('evidenceTitle') });
  const out = h('span');
  const go = actionButton(t('evidenceButton'), { id: 'evidence-go' }, async () => {
    clear(out);
    if (selected.size === 0) {
      out.append(h('span', { class: 'status' }, t('evidenceNone')));
      return;
    }
    const res = await call('/v1/evidence', { json: { ids: [...selected], lang: lang(), ...(title.value.trim() === '' ? {} : { title: title.value.trim() }) }, accept: 'application/zip' });
    saveFile('evidence.zip', await res.blob());
  });
  return h('span', { class: 'evidence' }, title, go, out);
}


/**
 * The tenant's deposits, newest first: `GET /v1/deposits?limit=100&cursor=` (a depositor sees their own),
 * each with its receipt and certificates (`GET /v1/deposits/<id>/certificate?lang=zh|en`) and a link to
 * its document's history.
 */
import { callJson } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { beijing, kindWord } from '../words.js';
import { actionButton, downloadsOf, fill, idCell, table } from './common.js';
import type { Session } from '../main.js';

interface Listed {
  id: string;
  leafIndex: number;
  kind: string;
  time: string;
  operator: string;
  sha256: string;
  title?: string;
}

export function depositsScreen(_session: Session): HTMLElement {
  const out = h('div', { id: 'deposits-out' });
  const rows: Listed[] = [];
  let cursor: string | undefined;
  const load = async (): Promise<void> => {
    const page = await callJson<{ deposits: Listed[]; cursor?: string }>(`/v1/deposits?limit=100${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    rows.push(...page.deposits);
    cursor = page.cursor;
  };
  const render = (): Node[] => [
    table('deposits-table', ['time', 'kind', 'document', 'depositId', 'operator', '' as never], rows.map((r) => [
      beijing(r.time), kindWord(r.kind),
      h('span', {}, r.title ?? t('untitled'), h('br'), h('code', { class: 'digest', title: 'SHA-256' }, r.sha256)),
      idCell(r.id), r.operator,
      h('span', {}, h('a', { href: `#history/${r.id}` }, t('history')), ' ', downloadsOf(r.id)),
    ]), (i) => ({ 'data-id': rows[i]!.id })),
    ...(cursor === undefined ? [] : [actionButton(t('loadMore'), { id: 'deposits-more' }, async () => {
      await load();
      clear(out);
      out.append(...render());
    })]),
  ];
  void fill(out, async () => {
    await load();
    return render();
  });
  return h('section', { class: 'card wide' }, h('h2', {}, t('navDeposits')), out);
}

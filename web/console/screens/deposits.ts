/**
 * The tenant's deposits, newest first: `GET /v1/deposits?limit=100&cursor=` (a depositor sees their own),
 * each with its receipt and certificates (`GET /v1/deposits/<id>/certificate?lang=zh|en`) and a link to
 * its document's history.
 */
import { callJson } from '../api.js';
import { clear, h, live } from '../dom.js';
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

/** The pages loaded so far, kept when the screen is drawn again in the other language. */
let kept: { rows: Listed[]; cursor: string | undefined } | undefined;

export function depositsScreen(_session: Session, _arg?: string, keep = false): HTMLElement {
  const out = h('div', { id: 'deposits-out' });
  const again = keep && kept !== undefined && kept.rows.length > 0;
  if (!again) kept = { rows: [], cursor: undefined };
  const s = kept!;
  const rows = s.rows;
  const load = async (): Promise<void> => {
    const page = await callJson<{ deposits: Listed[]; cursor?: string }>(`/v1/deposits?limit=100${s.cursor === undefined ? '' : `&cursor=${s.cursor}`}`);
    rows.push(...page.deposits);
    s.cursor = page.cursor;
  };
  const render = (): Node[] => [
    table('deposits-table', ['time', 'kind', 'document', 'depositId', 'operator', '' as never], rows.map((r) => [
      beijing(r.time), kindWord(r.kind),
      h('span', {}, r.title ?? t('untitled'), h('br'), h('code', { class: 'digest', title: 'SHA-256' }, r.sha256)),
      idCell(r.id), r.operator,
      h('span', {}, h('a', { href: `#history/${r.id}` }, t('history')), ' ', downloadsOf(r.id)),
    ]), (i) => ({ 'data-id': rows[i]!.id })),
    ...(s.cursor === undefined ? [] : [actionButton(t('loadMore'), { id: 'deposits-more' }, async () => {
      await load();
      const el = live('deposits-out') ?? out;
      clear(el);
      el.append(...render());
    })]),
  ];
  if (again) out.append(...render());
  else {
    void fill(out, async () => {
      await load();
      return render();
    });
  }
  return h('section', { class: 'card wide' }, h('h2', {}, t('navDeposits')), out);
}

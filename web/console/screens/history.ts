/**
 * A document's life: `GET /v1/deposits/<id>/history` (every page, `cursor`), its state, then every version
 * and event in ledger order — what the entry holds (decoded from the receipt's `entry`), by whom, in
 * Beijing time — each with its receipt and certificates, a link to record a measure about it, and the
 * document's evidence package (screens/evidence.ts: for a depositor, the way to one of their own documents).
 */
import { callJson } from '../api.js';
import { field, h } from '../dom.js';
import { t, type Key } from '../i18n.js';
import { entryOf, type ReceiptJson } from '../receipt-zip.js';
import { beijing, bytes, kindWord, measureWord, statusWord } from '../words.js';
import { downloadsOf, fill, idCell, table } from './common.js';
import { evidenceBox, evidenceState, type EvidenceState } from './evidence.js';
import type { Session } from '../main.js';

interface Item {
  id: string;
  leafIndex: number;
  kind: string;
  time: string;
  operator: string;
  receipt: ReceiptJson;
}

interface State {
  doc: string;
  display: string;
  level?: string;
  period?: string;
  expiry?: string;
  created: string;
  versions: number;
  events: number;
  measures: string[];
  people: { who: string; role?: string }[];
  latest: { id: string; title?: string; filename?: string };
}

export const ID_RE = /^[0-9a-fA-F]{32}$/;

/** The id form shared by history and event: it moves to `#<screen>/<id>`. */
export function idForm(screen: string, id: string | undefined): HTMLElement {
  const form = h('form', { class: 'filters', id: `${screen}-id` },
    h('label', {}, t('idPrompt'), h('input', { name: 'id', type: 'text', value: id ?? '', pattern: '[0-9a-fA-F]{32}', required: true, spellcheck: 'false', size: '36' })),
    h('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#${screen}/${field(form, 'id').toLowerCase()}`;
  });
  return form;
}

const FIELD_WORDS: Record<string, Key> = {
  level: 'level', period: 'period', basis: 'basis', reason: 'reason', method: 'method', who: 'who', role: 'personRole',
  returned: 'returned', destroyed: 'destroyedIds', measures: 'measures', record: 'recordShort', title: 'title',
};

/** What the entry says, in a few lines. */
function details(receipt: ReceiptJson): HTMLElement {
  const e = entryOf(receipt);
  const lines: [string, string][] = [];
  const meta = (e.meta ?? {}) as Record<string, unknown>;
  for (const k of ['title', 'filename', 'level']) if (typeof meta[k] === 'string') lines.push([k in FIELD_WORDS ? t(FIELD_WORDS[k]!) : k, meta[k] as string]);
  if (typeof e.size === 'number' && e.kind === 'deposit') lines.push([t('size'), bytes(e.size)]);
  if (e.kind === 'deposit') lines.push(['SHA-256', (e.digest as { sha256: string }).sha256]);
  const ev = (e.event ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(ev)) {
    const word = FIELD_WORDS[k] === undefined ? k : t(FIELD_WORDS[k]!);
    if (k === 'measures' && Array.isArray(v)) lines.push([word, v.map((m) => measureWord(String(m))).join('、')]);
    else if (k === 'record' && typeof v === 'object' && v !== null) lines.push([word, `SHA-256 ${(v as { sha256: string }).sha256}`]);
    else lines.push([word, Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return h('dl', { class: 'details' }, ...lines.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** The evidence box's state of the document shown (kept while the same document is drawn again). */
let evidence: { doc: string; state: EvidenceState } | undefined;

export function historyScreen(_session: Session, id: string | undefined): HTMLElement {
  const out = h('div', { id: 'history-out' });
  if (id !== undefined && ID_RE.test(id)) {
    void fill(out, async () => {
      const items: Item[] = [];
      let state: State | undefined;
      let cursor: string | undefined;
      do {
        const page = await callJson<{ doc: string; state: State; items: Item[]; cursor?: string }>(`/v1/deposits/${id.toLowerCase()}/history${cursor === undefined ? '' : `?cursor=${cursor}`}`);
        state = page.state;
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor !== undefined && items.length < 10_000);
      const s = state;
      if (evidence?.doc !== s.doc) evidence = { doc: s.doc, state: evidenceState() };
      return [
        h('h3', {}, t('historyOf', s.latest.title ?? s.latest.filename ?? s.doc)),
        h('dl', { class: 'state', id: 'history-state', 'data-status': s.display },
          h('dt', {}, t('state')), h('dd', {}, statusWord(s.display)),
          ...(s.level === undefined ? [] : [h('dt', {}, t('level')), h('dd', {}, s.level)]),
          ...(s.period === undefined ? [] : [h('dt', {}, t('period')), h('dd', {}, s.period + (s.expiry !== undefined && s.expiry !== s.period ? ` (${t('expiry')} ${s.expiry})` : ''))]),
          h('dt', {}, t('created')), h('dd', {}, beijing(s.created)),
          h('dt', {}, t('versions')), h('dd', {}, s.versions),
          h('dt', {}, t('events')), h('dd', {}, s.events),
          ...(s.measures.length === 0 ? [] : [h('dt', {}, t('measures')), h('dd', {}, s.measures.map(measureWord).join('、'))]),
          ...(s.people.length === 0 ? [] : [h('dt', {}, t('scope')), h('dd', {}, s.people.map((p) => (p.role === undefined ? p.who : `${p.who}（${p.role}）`)).join('、'))])),
        h('p', {}, h('a', { href: `#event/${s.latest.id}`, id: 'history-record-event', class: 'button' }, t('recordEvent')), ' ', evidenceBox(evidence.state, () => [s.latest.id], 'evidenceThis')),
        table('history-table', ['time', 'kind', 'details', 'depositId', 'operator', '' as never], items.map((it) => [
          beijing(it.time), kindWord(it.kind), details(it.receipt), idCell(it.id), it.operator, downloadsOf(it.id),
        ]), (i) => ({ 'data-kind': items[i]!.kind, 'data-id': items[i]!.id })),
      ];
    });
  }
  return h('section', { class: 'card wide' }, h('h2', {}, t('navHistory')), idForm('history', id), out);
}

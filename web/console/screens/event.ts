/**
 * Record a protection measure about a deposit, as `cunzheng event KIND ID` does: `POST
 * /v1/deposits/<id>/events {kind, …fields of the kind, record?: {sha256, sm3, size}}` (officers; others are
 * answered 403 ROLE_FORBIDDEN). The written record (a signed 定密审批表, a destruction certificate) is hashed
 * here (web/shared/hash-client.ts); only its digests and size are sent. The fields each kind takes are the
 * CLI's (cli/commands/event.ts FLAGS_OF); the service checks them, and its codes are the answer.
 */
import { hashFiles } from '../../shared/hash-client.js';
import { callJson } from '../api.js';
import { clear, field, fileList, h, live, saveFile } from '../dom.js';
import { errorView } from '../error-text.js';
import { t, type Key } from '../i18n.js';
import { receiptText, type ReceiptJson } from '../receipt-zip.js';
import { MEASURES, bytes, kindWord, measureWord } from '../words.js';
import { ID_RE, idForm } from './history.js';
import type { Session } from '../main.js';

const KINDS = ['classify', 'reclassify', 'conceal', 'declassify', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'] as const;
type Kind = (typeof KINDS)[number];
type Field = 'level' | 'period' | 'basis' | 'measures' | 'reason' | 'method' | 'who' | 'role' | 'returned' | 'destroyed';

const FIELDS_OF: Record<Kind, Field[]> = {
  classify: ['level', 'period', 'basis'],
  reclassify: ['level', 'period', 'basis'],
  conceal: ['measures'],
  declassify: ['reason'],
  destroy: ['reason', 'method'],
  'access-grant': ['who', 'role'],
  'access-revoke': ['who', 'role'],
  'departure-audit': ['who', 'returned', 'destroyed'],
};
const LABEL: Record<Field, Key> = {
  level: 'level', period: 'period', basis: 'basis', measures: 'measures', reason: 'reason', method: 'method',
  who: 'who', role: 'personRole', returned: 'returned', destroyed: 'destroyedIds',
};

let levels: string[] | undefined;

function fieldInput(f: Field): HTMLElement {
  if (f === 'level') {
    const select = h('select', { name: 'level' }, h('option', { value: '' }, '—'), ...(levels ?? []).map((l) => h('option', { value: l }, l)));
    return h('label', {}, t(LABEL[f]), select);
  }
  if (f === 'measures') {
    return h('fieldset', { class: 'measures' }, h('legend', {}, t('measures')),
      ...MEASURES.map((m) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'measure', value: m }), measureWord(m))));
  }
  if (f === 'period') return h('label', {}, t('period'), h('input', { name: 'period', type: 'text', placeholder: t('periodHint'), maxlength: '10' }));
  return h('label', {}, t(LABEL[f]), h('input', { name: f, type: 'text', maxlength: f === 'returned' || f === 'destroyed' ? '40000' : '512' }));
}

function bodyOf(form: HTMLElement, kind: Kind): Record<string, unknown> {
  const body: Record<string, unknown> = { kind };
  for (const f of FIELDS_OF[kind]) {
    if (f === 'measures') body.measures = [...form.querySelectorAll<HTMLInputElement>('input[name="measure"]:checked')].map((i) => i.value);
    else if (f === 'returned' || f === 'destroyed') {
      const v = field(form, f);
      if (v !== '') body[f] = v.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    } else if (field(form, f) !== '') body[f] = field(form, f);
  }
  return body;
}

/** Kept when the screen is drawn again in the other language: the form as filled, the record chosen, the outcome. */
interface State {
  id: string;
  kind: Kind;
  values: Record<string, string>;
  measures: Set<string>;
  record?: File;
  status: (() => string) | null;
  done?: { receipt: ReceiptJson; kind: Kind };
  error?: unknown;
}

let st: State | undefined;

export function eventScreen(_session: Session, id: string | undefined, keep = false): HTMLElement {
  const section = h('section', { class: 'card' }, h('h2', {}, t('navEvent')), h('p', { class: 'hint' }, t('eventIntro')), idForm('event', id));
  if (id === undefined || !ID_RE.test(id)) return section;
  if (!keep || st === undefined || st.id !== id) st = { id, kind: KINDS[0], values: {}, measures: new Set(), status: null };
  const s = st;
  const kind = h('select', { name: 'kind' }, ...KINDS.map((k) => h('option', { value: k }, `${kindWord(k)} (${k})`)));
  kind.value = s.kind;
  const fields = h('div', { class: 'fields' });
  const record = h('input', { type: 'file', name: 'record', id: 'event-record' });
  if (s.record !== undefined) record.files = fileList([s.record]);
  record.addEventListener('change', () => (s.record = record.files?.[0]));
  const status = h('p', { class: 'status', id: 'event-status' }, s.status === null ? '' : s.status());
  const say = (text: (() => string) | null): void => {
    s.status = text;
    const el = live('event-status');
    if (el !== null) el.textContent = text === null ? '' : text();
  };
  const out = h('div', { id: 'event-out' });
  const showOut = (): void => {
    const el = live('event-out') ?? out;
    clear(el);
    if (s.error !== undefined) el.append(errorView(s.error));
    if (s.done === undefined) return;
    const { receipt, kind: k } = s.done;
    const b = h('button', { type: 'button', id: 'event-receipt', 'data-id': receipt.id }, t('downloadReceipt'));
    b.addEventListener('click', () => saveFile(`${id.toLowerCase()}.${k}.${receipt.id.slice(0, 8)}.receipt.json`, new Blob([receiptText(receipt)], { type: 'application/json' })));
    el.append(h('p', { id: 'event-done', 'data-id': receipt.id }, b, ' ', h('a', { href: `#history/${id.toLowerCase()}` }, t('history'))));
  };
  const drawFields = (): void => {
    clear(fields);
    fields.append(...FIELDS_OF[kind.value as Kind].map(fieldInput));
    for (const el of fields.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]')) {
      if (el.name === 'measure') (el as HTMLInputElement).checked = s.measures.has(el.value);
      else if (s.values[el.name] !== undefined) el.value = s.values[el.name]!;
    }
  };
  fields.addEventListener('input', (ev) => {
    const el = ev.target as HTMLInputElement | HTMLSelectElement;
    if (el.name === 'measure') (el as HTMLInputElement).checked ? s.measures.add(el.value) : s.measures.delete(el.value);
    else s.values[el.name] = el.value;
  });
  kind.addEventListener('change', () => {
    s.kind = kind.value as Kind;
    drawFields();
  });
  if (levels === undefined) {
    void callJson<{ levels: string[] }>('/v1/tenant/levels').then((r) => {
      levels = r.levels;
      drawFields();
    }).catch(() => undefined);
  }
  drawFields();
  showOut();
  const form = h('form', { id: 'event-form' },
    h('label', {}, t('eventKind'), kind), fields,
    h('label', {}, t('eventRecord'), record),
    h('button', { type: 'submit', id: 'event-go' }, t('submitEvent')), status, out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    s.error = undefined;
    s.done = undefined;
    showOut();
    const k = kind.value as Kind;
    const body = bodyOf(form, k);
    const file = s.record;
    void (async () => {
      if (file !== undefined) {
        const [d] = await hashFiles([file], (done, total) => say(() => t('hashing', bytes(done), bytes(total))));
        body.record = { sha256: d!.sha256, sm3: d!.sm3, size: d!.size };
      }
      const receipt = await callJson<ReceiptJson>(`/v1/deposits/${id.toLowerCase()}/events`, { json: body });
      say(() => t('eventDone', receipt.id));
      s.done = { receipt, kind: k };
      showOut();
    })().catch((e: unknown) => {
      say(null);
      s.error = e;
      showOut();
    });
  });
  section.append(form);
  return section;
}

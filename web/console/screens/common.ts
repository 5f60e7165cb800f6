/** What several screens share: tables, a section filled by a request, and the downloads of one deposit. */
import { call, callJson } from '../api.js';
import { append, clear, h, saveFile } from '../dom.js';
import { errorView } from '../error-text.js';
import { t, type Key } from '../i18n.js';
import { receiptText, type ReceiptJson } from '../receipt-zip.js';

type Cell = Node | string | number | null | undefined;

export function table(id: string, heads: Key[], rows: Cell[][], rowAttrs?: (i: number) => Record<string, string>): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', id }, t('empty'));
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', {}, k === ('' as Key) ? '' : t(k))))),
    h('tbody', {}, ...rows.map((r, i) => h('tr', rowAttrs?.(i) ?? {}, ...r.map((c) => h('td', {}, c)))))));
}

/** Runs `work`, showing "loading" in `el` until it is done and the error (code and words) if it fails. */
export async function fill(el: HTMLElement, work: () => Promise<Node | Node[]>): Promise<void> {
  clear(el);
  el.append(h('p', { class: 'loading' }, t('loading')));
  try {
    const out = await work();
    clear(el);
    append(el, ...(Array.isArray(out) ? out : [out]));
  } catch (e) {
    clear(el);
    el.append(errorView(e));
  }
}

/** A button whose action may fail: the error is shown right after it (and cleared on the next try). */
export function actionButton(label: string, attrs: Record<string, string>, action: () => Promise<void>): HTMLElement {
  const out = h('span', { class: 'action-error' });
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', () => {
    clear(out);
    button.disabled = true;
    action().catch((e: unknown) => out.append(errorView(e))).finally(() => { button.disabled = false; });
  });
  return h('span', { class: 'action' }, button, out);
}

export function downloadsOf(id: string): HTMLElement {
  return h('span', { class: 'downloads' },
    actionButton(t('receipt'), { 'data-action': 'receipt', 'data-id': id, class: 'small' }, async () => {
      const r = await callJson<ReceiptJson>(`/v1/deposits/${id}`);
      saveFile(`${id}.receipt.json`, new Blob([receiptText(r)], { type: 'application/json' }));
    }),
    ...(['zh', 'en'] as const).map((l) => actionButton(t(l === 'zh' ? 'certificateZh' : 'certificateEn'), { 'data-action': `certificate-${l}`, 'data-id': id, class: 'small' }, async () => {
      const res = await call(`/v1/deposits/${id}/certificate?lang=${l}`, { accept: 'application/pdf' });
      saveFile(`${id}.certificate${l === 'en' ? '.en' : ''}.pdf`, await res.blob());
    })));
}

export function idCell(id: string): HTMLElement {
  return h('code', { class: 'id', title: id }, id);
}

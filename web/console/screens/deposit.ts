/**
 * Deposit files and folders, as `cunzheng deposit` does: each file hashed here (SHA-256 and SM3, in a Web
 * Worker: web/shared/hash-client.ts), then `POST /v1/deposits {"items": [{sha256, sm3, size, meta?}]}` in
 * batches of 1,000 — only digests and sizes, and the file's name and path only when asked (`--names`), the
 * title when given (`--title`). Every receipt is checked to name the digest sent, and all of them are
 * offered as one zip of `<path>.receipt.json` (receipt-zip.ts).
 */
import { hashFiles } from '../../shared/hash-client.js';
import { callJson } from '../api.js';
import { clear, fileList, h, live, saveFile } from '../dom.js';
import { errorView } from '../error-text.js';
import { t } from '../i18n.js';
import { entryOf, receiptText, zipTexts, type ReceiptJson } from '../receipt-zip.js';
import { bytes } from '../words.js';
import { idCell, table } from './common.js';
import type { Session } from '../main.js';

const BATCH = 1000;

interface Outcome {
  path: string;
  size: number;
  id?: string;
  created?: boolean;
  error?: unknown;
}

/**
 * Kept across redraws (a language switch, a visit to another screen): the chosen files, the title and the
 * names box, the status line (in the language of the moment), a run under way, the last run's outcome.
 */
let chosen: File[] = [];
let last: { outcomes: Outcome[]; zip: Uint8Array | null; error?: unknown } | undefined;
let chosenBy = '';
let title = '';
let sendNames = false;
let busy = false;
let status: (() => string) | null = null;

const say = (s: (() => string) | null): void => {
  status = s;
  const el = live('deposit-status');
  if (el !== null) el.textContent = s === null ? '' : s();
};

const pathOf = (f: File): string => (f.webkitRelativePath !== '' ? f.webkitRelativePath : f.name).replace(/^\/+/, '');

export function depositScreen(_session: Session): HTMLElement {
  const statusLine = h('p', { id: 'deposit-status', class: 'status' }, status === null ? '' : status());
  const results = h('div', { id: 'deposit-results' });
  const showChosen = (): void => say(chosen.length === 0 ? null : () => t('selected', chosen.length, bytes(chosen.reduce((n, f) => n + f.size, 0))));
  const picker = (label: string, attrs: Record<string, string | boolean>): HTMLElement => {
    const input = h('input', { type: 'file', ...attrs });
    // Drawn again: the picker that chose the files shows them again.
    if (chosenBy === attrs.id && chosen.length > 0) input.files = fileList(chosen);
    input.addEventListener('change', () => {
      chosen = Array.from(input.files ?? []);
      chosenBy = String(attrs.id);
      last = undefined;
      clear(results);
      showChosen();
    });
    return h('label', { class: 'picker' }, label, input);
  };
  const titleInput = h('input', { name: 'title', type: 'text', maxlength: '1024', placeholder: t('titleHint'), value: title });
  titleInput.addEventListener('input', () => (title = titleInput.value));
  const names = h('input', { name: 'names', type: 'checkbox', checked: sendNames });
  names.addEventListener('change', () => (sendNames = names.checked));
  const button = h('button', { type: 'button', id: 'deposit-go', disabled: busy }, t('depositButton'));
  button.addEventListener('click', () => {
    if (chosen.length === 0) {
      say(() => t('nothingSelected'));
      return;
    }
    busy = true;
    button.disabled = true;
    void run(chosen, title.trim(), sendNames, say).then((r) => {
      last = r;
      busy = false;
      const [go, out] = [live('deposit-go') as HTMLButtonElement | null, live('deposit-results')];
      if (go !== null) go.disabled = false;
      if (out !== null) showResults(out);
    });
  });
  showResults(results);
  return h('section', { class: 'card' },
    h('h2', {}, t('navDeposit')),
    h('p', { class: 'hint' }, t('depositIntro')),
    h('div', { class: 'row' },
      picker(t('chooseFiles'), { id: 'deposit-files', multiple: true }),
      picker(t('chooseFolder'), { id: 'deposit-folder', webkitdirectory: true, multiple: true })),
    h('label', {}, t('title'), titleInput),
    h('label', { class: 'check' }, names, t('sendNames')),
    button, statusLine, results);
}

async function run(files: File[], title: string, sendNames: boolean, say: (s: (() => string) | null) => void): Promise<NonNullable<typeof last>> {
  const outcomes: Outcome[] = [];
  const texts: { name: string; text: string }[] = [];
  try {
    const digests = await hashFiles(files, (done, total) => say(() => t('hashing', bytes(done), bytes(total))));
    for (let b = 0; b < files.length; b += BATCH) {
      say(() => t('depositing', b, files.length));
      const chunk = files.slice(b, b + BATCH);
      const items = chunk.map((f, k) => {
        const d = digests[b + k]!;
        const meta = {
          ...(title === '' ? {} : { title }),
          ...(sendNames ? { filename: f.name.slice(0, 1024), path: pathOf(f).slice(0, 1024) } : {}),
        };
        return { sha256: d.sha256, sm3: d.sm3, size: d.size, ...(Object.keys(meta).length === 0 ? {} : { meta }) };
      });
      let reply: { receipts: ReceiptJson[]; created: boolean[] };
      try {
        reply = await callJson<{ receipts: ReceiptJson[]; created: boolean[] }>('/v1/deposits', { json: { items } });
      } catch (e) {
        for (const f of chunk) outcomes.push({ path: pathOf(f), size: f.size, error: e });
        continue;
      }
      chunk.forEach((f, k) => {
        const receipt = reply.receipts[k];
        const digest = receipt === undefined ? undefined : (entryOf(receipt).digest as { sha256?: string } | undefined)?.sha256;
        if (receipt === undefined || digest !== items[k]!.sha256) {
          outcomes.push({ path: pathOf(f), size: f.size, error: new Error('DEPOSIT_WRONG_RECEIPT: the service answered with a receipt for another digest') });
          return;
        }
        outcomes.push({ path: pathOf(f), size: f.size, id: receipt.id, created: reply.created[k] !== false });
        texts.push({ name: `${pathOf(f)}.receipt.json`, text: receiptText(receipt) });
      });
    }
    const [made, had] = [outcomes.filter((o) => o.created === true).length, outcomes.filter((o) => o.created === false).length];
    say(() => t('depositDone', made, had));
    return { outcomes, zip: texts.length === 0 ? null : zipTexts(texts) };
  } catch (e) {
    say(null);
    return { outcomes, zip: null, error: e };
  }
}

function zipName(outcomes: Outcome[]): string {
  const top = outcomes[0]?.path.split('/')[0];
  const folder = top !== undefined && outcomes.every((o) => o.path.startsWith(`${top}/`)) ? top : 'deposit';
  return `${folder}.receipts.zip`;
}

function showResults(el: HTMLElement): void {
  clear(el);
  if (last === undefined) return;
  const { outcomes, zip, error } = last;
  if (error !== undefined) el.append(errorView(error));
  if (zip !== null) {
    const b = h('button', { type: 'button', id: 'deposit-zip' }, t('downloadZip'));
    b.addEventListener('click', () => saveFile(zipName(outcomes), new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' })));
    el.append(b);
  }
  el.append(table('deposit-table', ['file', 'size', 'depositId', 'result'], outcomes.map((o) => [
    o.path, bytes(o.size), o.id === undefined ? '' : idCell(o.id),
    o.error !== undefined ? errorView(o.error) : o.created === true ? t('resultNew') : t('resultAlready'),
  ])));
}

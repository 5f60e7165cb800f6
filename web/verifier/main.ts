/**
 * The browser verifier (/verify, or the downloaded file opened from disk): receipts, documents, trusted keys,
 * an optional policy and TSA roots in; one result per receipt out, as `cunzheng verify` gives it. Documents
 * are hashed in Web Workers (web/shared/hash-client.ts); everything is checked by the pure core (run.ts).
 * Nothing leaves the page: its CSP (index.html) has no connect-src.
 */
import './style.css';
import { hashFilesSettled, isFileFailure, type FileDigests } from '../shared/hash-client.js';
import { parseFragment, type Fragment } from './fragment.js';
import { h, renderOutcome, renderSummary } from './render.js';
import { isSetupError, parseTrust, verifyAll, type DocumentInput, type Outcome, type ReceiptInput } from './run.js';
import { WORDS, explain, type Lang } from './words.js';

interface State {
  lang: Lang;
  receipts: ReceiptInput[];
  documents: File[];
  fragment: Fragment;
  servedKey: string[];
  outcomes: Outcome[] | null;
  setupError: { code: string; message: string; where: string } | null;
  progress: { done: number; total: number } | null;
  busy: boolean;
  /** `#results`' data-state: kept, like everything above, when the language switches (the page is redrawn). */
  phase: 'idle' | 'running' | 'done';
  /** The engine that hashed the last run's documents (`#results`' data-hash-engine). */
  engine: string | null;
  /** The status line, in the language of the moment. */
  status: ((w: (typeof WORDS)[Lang]) => string) | null;
}

const state: State = {
  lang: new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh',
  receipts: [],
  documents: [],
  fragment: parseFragment(location.hash),
  servedKey: (document.querySelector('meta[name="cunzheng-served-key"]')?.getAttribute('content') ?? '').split(/\s+/).filter((k) => k.length > 0),
  outcomes: null,
  setupError: null,
  progress: null,
  busy: false,
  phase: 'idle',
  engine: null,
  status: null,
};
if (state.fragment.receipt !== undefined) state.receipts.push({ name: 'receipt (link)', bytes: state.fragment.receipt });

const app = document.getElementById('app')!;
const text = (id: string, value: string): void => {
  const el = document.getElementById(id);
  if (el !== null) el.textContent = value;
};
const say = (status: State['status']): void => {
  state.status = status;
  text('status', status === null ? '' : status(WORDS[state.lang]));
};

/** A file's relative path in a chosen folder, or its name. */
const pathOf = (f: File): string => (f.webkitRelativePath !== '' ? f.webkitRelativePath : f.name);

async function readReceipts(files: FileList | null): Promise<void> {
  for (const f of Array.from(files ?? [])) state.receipts.push({ name: pathOf(f), bytes: new Uint8Array(await f.arrayBuffer()) });
  state.outcomes = null;
  render();
}

function fileButton(id: string, label: string, attrs: Record<string, string>, onFiles: (files: FileList | null) => void): HTMLElement {
  const input = h('input', { type: 'file', id, class: 'visually-hidden', ...attrs }) as HTMLInputElement;
  input.addEventListener('change', () => {
    onFiles(input.files);
    input.value = '';
  });
  return h('label', { class: 'button', for: id }, label, input);
}

function textFileButton(id: string, target: string, label: string): HTMLElement {
  return fileButton(id, label, { accept: '.txt,.pem,.crt,.cer,text/plain' }, (files) => {
    const f = files?.[0];
    if (f === undefined) return;
    void f.text().then((t) => {
      (document.getElementById(target) as HTMLTextAreaElement).value = t;
    });
  });
}

function build(): void {
  const w = WORDS[state.lang];
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${w.title} · cunzheng`;
  const keysArea = h('textarea', { id: 'keys', rows: '3', spellcheck: 'false', placeholder: 'origin+keyid+base64' }) as HTMLTextAreaElement;
  keysArea.value = state.fragment.keys.join('\n');
  app.replaceChildren(
    h('header', {},
      h('h1', {}, w.title),
      h('button', { id: 'lang', type: 'button', class: 'lang' }, w.other),
      h('p', { class: 'subtitle' }, w.subtitle),
    ),
    h('section', {},
      h('h2', {}, w.receipts),
      h('p', { class: 'hint' }, w.receiptsHint),
      fileButton('receipts', w.chooseFiles, { multiple: '', accept: '.json,.pdf,application/json,application/pdf' }, (f) => void readReceipts(f)),
      h('ul', { id: 'receipt-list', class: 'files' }),
      h('p', { id: 'fragment-note', class: 'note' }),
    ),
    h('section', {},
      h('h2', {}, w.documents),
      h('p', { class: 'hint' }, w.documentsHint),
      fileButton('documents', w.chooseFiles, { multiple: '' }, (f) => addDocuments(f)),
      ' ',
      fileButton('folder', w.chooseFolder, { webkitdirectory: '', multiple: '' }, (f) => addDocuments(f)),
      h('p', { id: 'document-count', class: 'files' }),
    ),
    h('section', {},
      h('h2', {}, w.keys),
      h('p', { class: 'hint' }, w.keysHint),
      state.servedKey.length === 0 ? null : h('div', { class: 'served' },
        h('label', {}, h('input', { type: 'checkbox', id: 'use-served-key', checked: '' }), ` ${w.useServedKey}`),
        h('p', { class: 'warn' }, w.servedKey),
        ...state.servedKey.map((k) => h('code', { class: 'key' }, k)),
      ),
      keysArea,
    ),
    h('details', { id: 'optional' },
      h('summary', {}, w.optional),
      h('label', { for: 'policy' }, w.policy), ' ', textFileButton('policy-file', 'policy', w.loadFile),
      h('textarea', { id: 'policy', rows: '4', spellcheck: 'false' }),
      h('label', { for: 'tsa' }, w.tsa), ' ', textFileButton('tsa-file', 'tsa', w.loadFile),
      h('textarea', { id: 'tsa', rows: '4', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' }),
      h('label', {}, h('input', { type: 'checkbox', id: 'require-documents' }), ` ${w.requireDocs}`),
    ),
    h('p', {}, h('button', { id: 'verify', type: 'button', class: 'primary' }, w.verify), ' ', h('button', { id: 'clear', type: 'button' }, w.clear), h('span', { id: 'status', class: 'status' })),
    h('progress', { id: 'progress', max: '1', value: '0', hidden: '' }),
    h('div', { id: 'setup-error' }),
    h('p', { id: 'summary', class: 'summary' }),
    h('div', { id: 'results', 'data-state': state.phase }),
    h('section', { class: 'scope' }, h('h2', {}, w.scopeTitle), ...w.scope.map((p) => h('p', {}, p))),
    h('footer', {}, w.offline),
  );
  document.getElementById('lang')!.addEventListener('click', () => {
    const keep = collectText();
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    build();
    restoreText(keep);
  });
  document.getElementById('verify')!.addEventListener('click', () => void run());
  document.getElementById('clear')!.addEventListener('click', () => {
    if (state.busy) return;
    state.receipts = [];
    state.documents = [];
    state.outcomes = null;
    state.setupError = null;
    state.phase = 'idle';
    render();
  });
  render();
}

function collectText(): Record<string, string | boolean> {
  const v = (id: string): string => (document.getElementById(id) as HTMLTextAreaElement | null)?.value ?? '';
  const c = (id: string): boolean => (document.getElementById(id) as HTMLInputElement | null)?.checked ?? false;
  return { keys: v('keys'), policy: v('policy'), tsa: v('tsa'), requireDocuments: c('require-documents'), useServed: c('use-served-key'), open: (document.getElementById('optional') as HTMLDetailsElement).open };
}

function restoreText(t: Record<string, string | boolean>): void {
  for (const id of ['keys', 'policy', 'tsa']) (document.getElementById(id) as HTMLTextAreaElement).value = t[id] as string;
  (document.getElementById('require-documents') as HTMLInputElement).checked = t.requireDocuments as boolean;
  const served = document.getElementById('use-served-key') as HTMLInputElement | null;
  if (served !== null) served.checked = t.useServed as boolean;
  (document.getElementById('optional') as HTMLDetailsElement).open = t.open as boolean;
}

function addDocuments(files: FileList | null): void {
  state.documents.push(...Array.from(files ?? []));
  state.outcomes = null;
  render();
}

/** Redraws the parts that follow the state (file lists, progress, results). */
function render(): void {
  const w = WORDS[state.lang];
  document.getElementById('receipt-list')!.replaceChildren(...state.receipts.map((r) => h('li', {}, r.name)));
  const f = state.fragment;
  text('fragment-note', f.error !== undefined ? `${f.error.code}: ${f.error.message}` : f.id !== undefined && f.receipt === undefined ? w.fragmentId(f.id, f.log ?? '') : f.receipt !== undefined ? w.fragmentReceipt : '');
  const bytes = state.documents.reduce((n, d) => n + d.size, 0);
  text('document-count', state.documents.length === 0 ? '' : w.fileCount(state.documents.length, (bytes / 1048576).toFixed(1)));
  const progress = document.getElementById('progress') as HTMLProgressElement;
  progress.hidden = state.progress === null;
  if (state.progress !== null) progress.value = state.progress.total === 0 ? 1 : state.progress.done / state.progress.total;
  (document.getElementById('verify') as HTMLButtonElement).disabled = state.busy;
  text('status', state.status === null ? '' : state.status(w));
  const results = document.getElementById('results')!;
  results.dataset.state = state.phase;
  if (state.engine === null) delete results.dataset.hashEngine;
  else results.dataset.hashEngine = state.engine;
  const setup = document.getElementById('setup-error')!;
  setup.replaceChildren();
  if (state.setupError !== null) {
    const e = state.setupError;
    setup.append(h('p', { class: 'bad', 'data-code': e.code }, `${w.setupError} (${e.where}): ${explain(w, e.code)} — `, h('code', {}, e.code), ` ${e.message}`));
  }
  results.replaceChildren(...(state.outcomes ?? []).map((o) => renderOutcome(w, state.lang, o)));
  text('summary', state.outcomes === null ? '' : renderSummary(w, state.outcomes));
}

async function run(): Promise<void> {
  // The page may be redrawn meanwhile (the language switch): everything shown goes through the state and render().
  const t = collectText();
  state.setupError = null;
  state.outcomes = null;
  state.engine = null;
  if (state.receipts.length === 0) {
    state.phase = 'idle';
    say((w) => w.noReceipt);
    render();
    return;
  }
  const keys = (t.keys as string).split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
  if (t.useServed === true) keys.push(...state.servedKey);
  const trust = parseTrust({ keys, policyText: t.policy as string, tsaPem: t.tsa as string });
  if (isSetupError(trust)) {
    state.setupError = trust;
    state.phase = 'done';
    say(null);
    render();
    return;
  }
  state.busy = true;
  state.phase = 'running';
  state.status = (w) => w.hashing;
  state.progress = { done: 0, total: 1 };
  render();
  try {
    let docs: DocumentInput[] = [];
    if (state.documents.length > 0) {
      const digests = await hashFilesSettled(state.documents, (done, total) => {
        state.progress = { done, total };
        (document.getElementById('progress') as HTMLProgressElement).value = total === 0 ? 1 : done / total;
      });
      state.engine = digests.find((d): d is FileDigests => !isFileFailure(d))?.engine ?? null;
      docs = digests.map((d, i) => {
        const path = pathOf(state.documents[i]!);
        return isFileFailure(d) ? { path, sha256: '', sm3: '', error: { code: d.error.code, message: d.error.message } } : { path, sha256: d.sha256, sm3: d.sm3 };
      });
    }
    say((w) => w.verifying);
    state.outcomes = await verifyAll(state.receipts, docs, trust, t.requireDocuments === true);
  } catch (e) {
    // Not a file that could not be read (each is its receipts' FILE_* failure): a bug, shown on every receipt.
    const message = e instanceof Error ? e.message : String(e);
    state.outcomes = state.receipts.map((r) => ({ receipt: r.name, ok: false, code: 'VERIFIER_INTERNAL', message, document: null }));
  } finally {
    state.busy = false;
    state.progress = null;
    state.status = null;
  }
  state.phase = 'done';
  render();
}

build();
// The link's receipt with a key (in the link or from the server): verified at once.
if (state.fragment.receipt !== undefined && (state.fragment.keys.length > 0 || state.servedKey.length > 0)) void run();

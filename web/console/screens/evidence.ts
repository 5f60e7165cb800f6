/**
 * The evidence package (证据包) from the console: `POST /v1/evidence {ids, title?, lang}` with the session's
 * key — what `curl -d '{"ids":[…]}' $URL/v1/evidence` does — read as it streams (the bytes received shown as
 * they come, with the exhibit count the service announces in `Cunzheng-Exhibits`), then saved as a Blob
 * download under the name the service gives (its `filename*` with the matter, else `filename`). An answer
 * cut off midway (the service failed after it had started; no package) is an error of its own,
 * EVIDENCE_INCOMPLETE, and nothing is saved. What the box shows is kept in a state the screen owns, so a
 * language switch draws it again — also for a package that finishes after the switch.
 */
import { ApiError, call } from '../api.js';
import { clear, h, live, saveFile } from '../dom.js';
import { errorView } from '../error-text.js';
import { lang, t } from '../i18n.js';

export interface EvidenceState {
  title: string;
  busy: boolean;
  received: number;
  exhibits: number;
  saved?: { name: string; bytes: number; exhibits: number };
  error?: unknown;
}

export function evidenceState(): EvidenceState {
  return { title: '', busy: false, received: 0, exhibits: 0 };
}

/** The file name of a Content-Disposition: filename* (RFC 8187, UTF-8) before filename; never a path. */
export function dispositionName(header: string | null): string {
  const ext = /filename\*=UTF-8''([^;\s]+)/i.exec(header ?? '')?.[1];
  let name: string | undefined;
  if (ext !== undefined) {
    try {
      name = decodeURIComponent(ext);
    } catch {
      name = undefined;
    }
  }
  name ??= /filename="([^"]+)"/.exec(header ?? '')?.[1];
  const safe = (name ?? '').replace(/[\\/\u0000-\u001f]/g, '_');
  return /\.zip$/i.test(safe) ? safe : 'evidence.zip';
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** Asks for the package and reads it whole, telling `progress` the bytes so far. */
async function fetchPackage(ids: string[], title: string, progress: (received: number, exhibits: number) => void): Promise<{ name: string; blob: Blob; exhibits: number }> {
  const res = await call('/v1/evidence', { json: { ids, lang: lang(), ...(title === '' ? {} : { title }) }, accept: 'application/zip' });
  const exhibits = Number(res.headers.get('cunzheng-exhibits') ?? '0') || 0;
  const name = dispositionName(res.headers.get('content-disposition'));
  const chunks: Uint8Array[] = [];
  let received = 0;
  progress(0, exhibits);
  if (res.body === null) throw new ApiError(0, 'EVIDENCE_INCOMPLETE', 'the answer has no body');
  const reader = res.body.getReader();
  for (;;) {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (e) {
      throw new ApiError(0, 'EVIDENCE_INCOMPLETE', `the package was cut off after ${received} bytes (${(e as Error).message}): the service failed while making it; nothing was saved`);
    }
    if (r.done) break;
    chunks.push(r.value);
    received += r.value.byteLength;
    progress(received, exhibits);
  }
  return { name, blob: new Blob(chunks as BlobPart[], { type: 'application/zip' }), exhibits };
}

/** The box: the matter, the button, and what happened. `ids()`: the deposits to package now. */
export function evidenceBox(s: EvidenceState, ids: () => string[], label: 'evidenceButton' | 'evidenceThis' = 'evidenceButton'): HTMLElement {
  const title = h('input', { name: 'evidence-title', type: 'text', maxlength: '190', placeholder: t('evidenceTitle'), value: s.title });
  title.addEventListener('input', () => (s.title = title.value));
  const button = h('button', { type: 'button', id: 'evidence-go' }, t(label));
  button.disabled = s.busy;
  const out = h('span', { id: 'evidence-out', 'aria-live': 'polite' });
  /** Draws the outcome into the box as it is now (the screen may have been drawn again meanwhile). */
  const show = (): void => {
    const el = live('evidence-out');
    const go = live('evidence-go') as HTMLButtonElement | null;
    if (go !== null) go.disabled = s.busy;
    if (el === null) return;
    clear(el);
    if (s.busy) el.append(h('span', { class: 'loading', id: 'evidence-busy' }, t('evidenceBusy', mb(s.received), s.exhibits)));
    else if (s.error !== undefined) el.append(errorView(s.error));
    else if (s.saved !== undefined) el.append(h('span', { class: 'status', id: 'evidence-saved' }, t('evidenceSaved', s.saved.name, s.saved.exhibits, mb(s.saved.bytes))));
  };
  button.addEventListener('click', () => {
    const chosen = ids();
    s.error = undefined;
    s.saved = undefined;
    if (chosen.length === 0) {
      show();
      live('evidence-out')?.append(h('span', { class: 'status' }, t('evidenceNone')));
      return;
    }
    s.busy = true;
    s.received = 0;
    s.exhibits = 0;
    show();
    fetchPackage(chosen, s.title.trim(), (received, exhibits) => {
      s.received = received;
      s.exhibits = exhibits;
      show();
    }).then(({ name, blob, exhibits }) => {
      saveFile(name, blob);
      s.saved = { name, bytes: blob.size, exhibits };
    }, (e: unknown) => {
      s.error = e;
    }).finally(() => {
      s.busy = false;
      show();
    });
  });
  queueMicrotask(show);
  return h('span', { class: 'evidence' }, title, button, out);
}

/**
 * One result per receipt, in the page's language: what it proves (or which check failed, with the core's code
 * and message), as cli/format-verify.ts says it. The element carries `data-verdict` ("verified" / "failed")
 * and `data-code` (empty when verified) for automation.
 */
import { beijingTime, describeEntry, ENTRY_KIND_TERMS, type Entry } from '../../src/entry/index.js';
import type { Outcome } from './run.js';
import { explain, type Words } from './words.js';

type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function row(label: string, ...value: Child[]): HTMLElement {
  return h('div', { class: 'row' }, h('dt', {}, label), h('dd', {}, ...value));
}

const isEvent = (e: Entry): boolean => e.v === 2 && e.kind !== 'deposit' && e.event !== undefined;

function metaText(e: Entry): string | undefined {
  if (e.meta === undefined) return undefined;
  const parts = Object.entries(e.meta).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return parts.length === 0 ? undefined : parts.join('; ');
}

function verified(w: Words, lang: 'zh' | 'en', o: Extract<Outcome, { ok: true }>): HTMLElement[] {
  const r = o.result;
  const e = r.entry;
  const event = isEvent(e);
  const rows: HTMLElement[] = [
    row(event ? w.eventId : w.depositId, h('code', {}, r.id)),
    row(w.log, `${r.origin} — ${w.signedBy} `, h('code', {}, r.logKey)),
    row(w.ledgerLabel, w.ledger(r.leafIndex, r.treeSize, r.rootHash)),
  ];
  if (lang === 'zh') {
    rows.push(row(w.kind, `${ENTRY_KIND_TERMS[e.kind]}（${e.kind}）`));
    rows.push(row(w.depositor, `${e.subject.name}（${w.uscc} ${e.subject.uscc}）`));
    rows.push(row(w.tenant, e.tenant));
    if (e.operator !== undefined) rows.push(row(w.operator, e.operator));
    rows.push(row(w.received, beijingTime(e.time)));
    rows.push(row(w.digest, h('code', {}, `SHA-256 ${e.digest.sha256}`), e.digest.sm3 === undefined ? null : h('br'), e.digest.sm3 === undefined ? null : h('code', {}, `SM3 ${e.digest.sm3}`)));
    const m = metaText(e);
    if (m !== undefined) rows.push(row(w.meta, m));
  } else {
    rows.push(row('Entry', h('ul', {}, ...describeEntry(e).map((l) => h('li', {}, l)))));
  }
  if (o.document !== null) {
    const which = [r.matched.sha256 && 'SHA-256', r.matched.sm3 && 'SM3'].filter(Boolean).join(lang === 'zh' ? ' 与 ' : ' and ');
    rows.push(row(w.document, h('span', { class: 'good' }, w.matches(o.document, which))));
  } else {
    rows.push(row(w.document, h('span', { class: 'warn' }, w.notCompared)));
  }
  if (r.anchors.length === 0) rows.push(row(w.anchor, w.anchorsNone));
  for (const a of r.anchors) {
    rows.push(row(w.anchor, a.tokenChecked ? w.anchorChecked(a.tsa ?? '', a.treeSize, beijingTime(a.genTime!)) : h('span', { class: 'warn' }, w.anchorUnchecked(a.treeSize))));
    if (a.revocation !== undefined) {
      const sources = a.revocation.certificates.flatMap((c) => c.sources).map((x) =>
        w.revocationSource(x.source.toUpperCase(), x.status === 'good', beijingTime(x.producedAt ?? x.thisUpdate), x.revocationTime === undefined ? undefined : beijingTime(x.revocationTime)));
      rows.push(row(w.revocation, a.revocation.checked ? h('span', { class: 'good' }, w.revocationChecked(sources.join('；'))) : h('span', { class: 'warn' }, w.revocationNotChecked)));
    }
  }
  if (r.policy === undefined) {
    for (const c of r.cosignatures) rows.push(row(w.witness, w.cosigned(c.name, beijingTime(new Date(c.time * 1000).toISOString()))));
  } else {
    const p = r.policy;
    const which = p.checkpoint === 'receipt' ? w.policyReceipt : w.policyAnchor(p.anchor ?? 0);
    rows.push(row(w.witness, w.policyMet(which, p.treeSize, p.cosigners.length)));
    for (const c of p.cosigners) rows.push(row('', w.cosigned(c.witness, beijingTime(new Date(c.time * 1000).toISOString()))));
  }
  if (o.certificate) rows.push(row(w.certificate, h('span', { class: 'warn' }, w.certificateNote)));
  const out = [h('dl', {}, ...rows)];
  if (event) out.push(h('p', { class: 'note' }, w.eventScope));
  return out;
}

export function renderOutcome(w: Words, lang: 'zh' | 'en', o: Outcome): HTMLElement {
  const el = h('article', { class: `result ${o.ok ? 'ok' : 'bad'}`, 'data-verdict': o.ok ? 'verified' : 'failed', 'data-code': o.ok ? '' : o.code, 'data-receipt': o.receipt });
  el.append(h('h3', {}, h('span', { class: 'mark' }, o.ok ? '✔' : '✘'), ` ${o.receipt}：`.replace('：', lang === 'zh' ? '：' : ': '), h('strong', {}, o.ok ? w.verified : w.failed)));
  if (o.ok) el.append(...verified(w, lang, o));
  else {
    el.append(h('p', {}, explain(w, o.code)));
    el.append(h('p', { class: 'code' }, `${w.code}: `, h('code', {}, o.code), ` — ${o.message}`));
    if (o.document !== null) el.append(h('p', { class: 'small' }, `${w.document}: ${o.document}`));
  }
  return el;
}

export function renderSummary(w: Words, outcomes: readonly Outcome[]): string {
  const ok = outcomes.filter((o) => o.ok).length;
  const compared = outcomes.filter((o) => o.ok && o.document !== null).length;
  const without = outcomes.filter((o) => o.ok && o.document === null).length;
  return w.summary(ok, outcomes.length, compared, without);
}

/** The human output of `cunzheng verify`: what a receipt proves, and what it does not. */
import { beijingTime, describeEntry, ENTRY_KIND_TERMS, type Entry } from '../src/entry/index.js';
import type { VerifiedReceipt } from '../src/receipt/index.js';
import { displayWidth, padEnd } from './text-width.js';
import { describeCosigners } from './policy-file.js';

export const SCOPE_STATEMENT = [
  '',
  'What a verified receipt proves: the log named above, under the key you trusted, contains this entry; the',
  'entry records the document digest, the depositor and the time the log received it; a document with that',
  'digest therefore existed, unchanged, no later than that time (and no later than each anchor\'s time).',
  'What it does not prove: who owns or wrote the document, that it is secret or valuable, or that it was',
  'authentic before it was deposited.',
].join('\n');

/** A v2 lifecycle entry: its receipt is of an event (a protection measure), not of a deposit. */
function isEvent(entry: Entry): boolean {
  return entry.v === 2 && entry.kind !== 'deposit' && entry.event !== undefined;
}

/** One sentence: what was recorded, about which document version, by whom and when. */
export function eventSummary(entry: Entry): string {
  return `${ENTRY_KIND_TERMS[entry.kind]} (${entry.kind}) of document version ${entry.prev ?? ''}, recorded by operator ${entry.operator ?? ''}` +
    ` of tenant ${entry.tenant} (${entry.subject.name}), received ${beijingTime(entry.time)} (Beijing time)`;
}

export const EVENT_SCOPE_STATEMENT = [
  'This receipt is of an event: the enterprise recorded the measure above, about the document version named,',
  'at the time shown. It proves the record existed, unchanged, no later than that time; not that the measure',
  'was carried out as described.',
];

export function formatVerified(path: string, r: VerifiedReceipt, file: string | undefined): string {
  const event = isEvent(r.entry);
  const lines = [`✔ ${path}: VERIFIED`];
  if (event) lines.push(`Event id: ${r.id}`, `Event: ${eventSummary(r.entry)}`);
  else lines.push(`Deposit id: ${r.id}`);
  lines.push(`Log: ${r.origin} (checkpoint signed by the trusted key ${r.logKey})`);
  lines.push(`Ledger: entry ${r.leafIndex} of a tree of ${r.treeSize}, root ${r.rootHash}`);
  lines.push(...describeEntry(r.entry));
  if (file !== undefined) {
    const which = [r.matched.sha256 && 'SHA-256', r.matched.sm3 && 'SM3'].filter(Boolean).join(' and ');
    lines.push(`Document: ${file} matches the receipt (${which})${event ? ': it is the document version the event concerns' : ''}`);
  } else {
    lines.push('Document: not compared (give --file DOC to check a document against this receipt)');
  }
  if (event) lines.push(...EVENT_SCOPE_STATEMENT);
  if (r.anchors.length === 0) {
    lines.push('Anchors: none. This receipt is unanchored: it proves inclusion in the signed ledger and the time the');
    lines.push('  log recorded, but carries no third-party timestamp yet (cunzheng receipt upgrade adds it later).');
  } else {
    for (const a of r.anchors) {
      if (a.tokenChecked) {
        lines.push(`Anchor: RFC 3161 timestamp by ${a.tsa}: the checkpoint of size ${a.treeSize}, and so this entry,`);
        lines.push(`  existed no later than ${beijingTime(a.genTime!)} (Beijing time); ${a.genTime} UTC`);
        if (a.revocation !== undefined) lines.push(`  revocation: ${describeRevocation(a.revocation)}`);
      } else {
        lines.push(`Anchor: RFC 3161 token over the checkpoint of size ${a.treeSize}, bound to this receipt, NOT checked:`);
        lines.push('  give --tsa-roots PEM (the TSA\'s root certificates) to check it and learn its time.');
      }
    }
  }
  if (r.policy === undefined) {
    for (const c of r.cosignatures) lines.push(`Witness: ${c.name} cosigned at ${new Date(c.time * 1000).toISOString()}`);
  } else lines.push(...formatPolicyMet(r.policy));
  return lines.map((l, i) => (i === 0 ? l : `  ${l}`)).join('\n');
}

/** "checked as of genTime (OCSP good, produced …)" / "not checked (no evidence)", per certificate of the TSA chain. */
export function describeRevocation(report: NonNullable<VerifiedReceipt['anchors'][number]['revocation']>): string {
  if (!report.checked) return 'not checked (no evidence)';
  const each = report.certificates.map((c) => {
    const s = c.sources.map((x) => {
      const when = x.producedAt === undefined ? `issued ${beijingTime(x.thisUpdate)}` : `produced ${beijingTime(x.producedAt)}`;
      return `${x.source.toUpperCase()} ${x.status === 'good' ? 'good' : `revoked ${beijingTime(x.revocationTime!)} (${x.reason ?? 'no reason'}), after genTime`}, ${when}`;
    });
    return report.certificates.length === 1 ? s.join('; ') : `${c.subject}: ${s.join('; ')}`;
  });
  return `checked as of genTime (${each.join('; ')})`;
}

/** The policy lines: which checkpoint met it, and each witness that cosigned it (Beijing time). */
export function formatPolicyMet(p: NonNullable<VerifiedReceipt['policy']>): string[] {
  const which = p.checkpoint === 'receipt' ? 'the receipt\'s checkpoint' : `the checkpoint of anchors[${p.anchor}]`;
  const cosigned = describeCosigners(p.cosigners);
  return [
    `Policy: met by ${which} (size ${p.treeSize}): signed by the listed log and cosigned by ${cosigned.length === 0 ? 'no witness (quorum none)' : `${cosigned.length} witness${cosigned.length === 1 ? '' : 'es'} of the quorum`}`,
    ...cosigned.map((c) => `  Cosigned by ${c} (Beijing time)`),
  ];
}

export function formatFailure(path: string, code: string, message: string): string {
  return `✘ ${path}: NOT VERIFIED\n  ${code}: ${message}`;
}

/** One line per receipt: status, leaf, time received (Beijing), document comparison. */
export function formatSummaryTable(
  outcomes: ({ receipt: string; ok: true; result: VerifiedReceipt; document: string | null } | { receipt: string; ok: false; code: string; document: string | null })[],
): string {
  const rows = outcomes.map((o) =>
    o.ok
      ? ['verified', o.receipt, String(o.result.leafIndex), beijingTime(o.result.entry.time), o.document === null ? 'not compared' : 'matches']
      : ['FAILED', o.receipt, '', '', o.code],
  );
  const head = ['status', 'receipt', 'leaf', 'received (Beijing time)', 'document'];
  // Terminal columns, not UTF-16 units: a CJK file name is twice as wide as its length (text-width.ts).
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]): string => cells.map((c, i) => padEnd(c, widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * The last line of a multi-receipt run. A receipt checked without its document proves that the log holds
 * its entry, not that any file on this disk is the one deposited: the count says so plainly.
 */
export function formatCounts(total: number, failed: number, compared: number, withoutDocument: number): string {
  const verified = total - failed;
  const head = `${verified} of ${total} receipts verified${failed ? `, ${failed} failed` : ''}`;
  const docs = `${compared} ${compared === 1 ? 'document' : 'documents'} compared`;
  if (withoutDocument === 0) return `${head}; ${docs}.`;
  const without = withoutDocument === 1 ? '1 receipt was checked WITHOUT its document' : `${withoutDocument} receipts were checked WITHOUT their documents`;
  return [
    `${head}; ${docs}.`,
    `${without}: only the log's record was checked, not any file (give --documents DIR or --file DOC;`,
    '--require-documents makes this a failure).',
  ].join('\n');
}

/**
 * Real entries for the lifecycle tests (buildEntry, format v2 with an operator and an event): a document's
 * root deposit, its new versions and its events, each with the id the ledger gives it (the first 16 bytes
 * of its leaf hash, lowercase hex).
 */
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { buildEntry, type Entry, type EntryEvent, type LifecycleKind, type MetaValue } from '../../src/entry/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { depositIdFromLeafHash } from '../../src/receipt/deposit-id.js';
import { SAMPLE_USCC } from '../entry/fixtures.js';

export const TENANT = 'tn_0123456789abcdef01234567';
export const OFFICER = 'u_00112233445566aa';
export const T0 = Date.parse('2026-12-02T08:30:00.000Z');
const SUBJECT = { name: '示例科技有限公司', uscc: SAMPLE_USCC };

export interface Made {
  entry: Entry;
  id: string;
}

let counter = 0;

function make(input: Parameters<typeof buildEntry>[0], step: number): Made {
  const { entry, bytes } = buildEntry(input, { time: new Date(T0 + step * 60_000) });
  return { entry, id: depositIdFromLeafHash(hashLeaf(bytes)) };
}

function digestOf(text: string): { sha256: string } {
  return { sha256: toHex(sha256(utf8(text))) };
}

export function rootDeposit(opts: { step?: number; title?: string; filename?: string; labels?: string[]; size?: number; operator?: string } = {}): Made {
  const meta: Record<string, MetaValue> = {};
  if (opts.title !== undefined) meta.title = opts.title;
  if (opts.filename !== undefined) meta.filename = opts.filename;
  if (opts.labels !== undefined) meta.labels = opts.labels;
  counter++;
  return make({
    kind: 'deposit', tenant: TENANT, subject: SUBJECT, operator: opts.operator ?? OFFICER, digest: digestOf(`document ${counter}`),
    ...(opts.size === undefined ? {} : { size: opts.size }), ...(Object.keys(meta).length === 0 ? {} : { meta }), hashedBy: 'client',
  }, opts.step ?? 0);
}

export function newVersion(prev: string, step: number, meta?: Record<string, MetaValue>): Made {
  return make({
    kind: 'deposit', tenant: TENANT, subject: SUBJECT, operator: OFFICER, digest: digestOf(`version ${step}`), size: 100 + step,
    ...(meta === undefined ? {} : { meta }), prev, hashedBy: 'client',
  }, step);
}

/** An event about `prev`; its digest, as design §1 says, is copied from the deposit it concerns (here: a stand-in). */
export function lifecycleEvent(kind: LifecycleKind, event: EntryEvent, prev: string, step: number, operator = OFFICER): Made {
  return make({ kind, tenant: TENANT, subject: SUBJECT, operator, digest: digestOf(`deposit ${prev}`), event, prev, hashedBy: 'client' }, step);
}

/** An entry as an unchecked caller might hand it over: `event` replaced by what is given (never written so). */
export function withEvent(made: Made, event: Record<string, unknown> | undefined): Made {
  const { event: _dropped, ...rest } = made.entry;
  return { entry: (event === undefined ? rest : { ...rest, event }) as Entry, id: made.id };
}

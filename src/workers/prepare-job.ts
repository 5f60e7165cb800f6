/**
 * The prepare job: a deposit request's body turned into entry bytes off the main thread — the JSON parsed,
 * hex lowercased and the request schema checked (http/deposit-body.ts), every item validated and its entry
 * built (service/deposit-entries.ts) under the tenant's subject and the request's operator (format v2). The same two functions run on the main
 * thread for small bodies, so a body gets the same entries or the same error either way. The entries come
 * back packed in one transferred buffer; errors come back as their code, message and details.
 */
import { EntryBuilder } from '../entry/index.js';
import { parseDepositBody } from '../http/deposit-body.js';
import { buildDepositEntries, type DepositInput } from '../service/deposit-entries.js';

export interface PrepareRequest {
  /** The raw request body (transferred); on the main thread also a body another parser made (text/plain). */
  body: Uint8Array | unknown;
  tenant: { id: string; name: string; uscc: string };
  /** The user who made the request: every entry names them. */
  operator: string;
}

/** What the service appends: per item its digest and prev (the rest is in the entry), and the entry bytes. */
export interface PreparedDeposits {
  batch: boolean;
  items: DepositInput[];
  entries: Uint8Array[];
}

export interface PreparedPayload {
  batch: boolean;
  sha256s: string[];
  prevs: (string | null)[];
  entries: Uint8Array;
  ends: Uint32Array;
}

const builders = new Map<string, EntryBuilder>();

/** The entry builder of (tenant, operator) (subject and operator checked once), kept for those this thread has seen. */
function builderOf(t: PrepareRequest['tenant'], operator: string): EntryBuilder {
  const key = `${t.id}\u0000${t.name}\u0000${t.uscc}\u0000${operator}`;
  let b = builders.get(key);
  if (b === undefined) {
    if (builders.size >= 4096) builders.clear();
    b = new EntryBuilder('deposit', t.id, { name: t.name, uscc: t.uscc }, operator);
    builders.set(key, b);
  }
  return b;
}

/** Parses, checks and builds (either thread); throws the CunzhengError the request is answered with. */
export function runPrepareJob(req: PrepareRequest): PreparedPayload {
  const body = parseDepositBody(req.body);
  const entries = buildDepositEntries(builderOf(req.tenant, req.operator), body.items, 'client', body.batch);
  let total = 0;
  for (const e of entries) total += e.length;
  const packed = new Uint8Array(total);
  const ends = new Uint32Array(entries.length);
  let at = 0;
  entries.forEach((e, i) => {
    packed.set(e, at);
    at += e.length;
    ends[i] = at;
  });
  return { batch: body.batch, sha256s: body.items.map((i) => i.sha256), prevs: body.items.map((i) => i.prev ?? null), entries: packed, ends };
}

/** The payload as the service takes it: entries as views of the one buffer (LevelDB copies what it writes). */
export function unpackPrepared(p: PreparedPayload): PreparedDeposits {
  const entries: Uint8Array[] = new Array(p.ends.length);
  let start = 0;
  for (let i = 0; i < p.ends.length; i++) {
    entries[i] = p.entries.subarray(start, p.ends[i]!);
    start = p.ends[i]!;
  }
  const items = p.sha256s.map((sha256, i): DepositInput => (p.prevs[i] === null ? { sha256 } : { sha256, prev: p.prevs[i]! }));
  return { batch: p.batch, items, entries };
}

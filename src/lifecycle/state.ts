/**
 * A document's state from its entries, in ledger order: startDocument(root) for its root deposit, then
 * applyEntry for each entry whose `prev` leads to it (new versions and events). Pure: the input state is
 * never changed, a new one is returned. A rule violation (rules.ts) throws CunzhengError with a LIFECYCLE_*
 * code (HTTP 409) and details {doc, status, kind, who?}; the caller then writes nothing.
 */
import { isLowerHex } from '../crypto/index.js';
import type { Entry } from '../entry/index.js';
import { CunzhengError } from '../errors.js';
import { STATUS_RULES, type LifecycleCode } from './rules.js';
import { MAX_PEOPLE, type DocLatest, type DocState, type LifecycleEvent, type ScopePerson } from './types.js';

const STATUS_WORDS: Readonly<Record<DocState['status'], string>> = {
  unclassified: 'unclassified (未定密)',
  classified: 'classified (已定密)',
  declassified: 'declassified (已解密)',
  destroyed: 'destroyed (已销毁)',
};

function lifecycleError(code: LifecycleCode, message: string, details: Record<string, unknown>): CunzhengError<LifecycleCode> {
  return new CunzhengError(code, message, { details });
}

function latestOf(entry: Entry, id: string): DocLatest {
  const latest: DocLatest = { id, time: entry.time, sha256: entry.digest.sha256 };
  const meta = entry.meta;
  if (meta !== undefined) {
    if (typeof meta.title === 'string') latest.title = meta.title;
    if (typeof meta.filename === 'string') latest.filename = meta.filename;
  }
  if (entry.size !== undefined) latest.size = entry.size;
  if (meta !== undefined && Array.isArray(meta.labels)) latest.labels = [...meta.labels];
  return latest;
}

function lastOf(entry: Entry, id: string): DocState['last'] {
  return entry.operator === undefined ? { kind: entry.kind, id, time: entry.time } : { kind: entry.kind, id, time: entry.time, operator: entry.operator };
}

/** The state of a document that is its root deposit alone (a deposit without `prev`). */
export function startDocument(root: Entry, id: string): DocState {
  if (root.kind !== 'deposit' || root.prev !== undefined || !isLowerHex(id, 32)) {
    const why = !isLowerHex(id, 32) ? 'its id is not 32 lowercase hex digits' : root.kind !== 'deposit' ? `it is a ${root.kind} entry, not a deposit` : 'it has a prev: it is a new version of another document';
    throw lifecycleError('LIFECYCLE_NOT_IN_DOCUMENT', `entry ${id} cannot start a document: ${why}`, { doc: id, kind: root.kind });
  }
  const state: DocState = { doc: id, tenant: root.tenant, created: root.time, latest: latestOf(root, id), versions: 1, status: 'unclassified', measures: [], people: [], last: lastOf(root, id), events: 0 };
  if (root.operator !== undefined) state.createdBy = root.operator;
  return state;
}

function copyState(s: DocState): DocState {
  return { ...s, latest: { ...s.latest, ...(s.latest.labels === undefined ? {} : { labels: [...s.latest.labels] }) }, measures: [...s.measures], people: s.people.map((p) => ({ ...p })), last: { ...s.last } };
}

function need(entry: Entry, id: string, state: DocState, field: keyof LifecycleEvent): string {
  const value = (entry.event as LifecycleEvent | undefined)?.[field];
  if (typeof value !== 'string') {
    throw lifecycleError('LIFECYCLE_NO_EVENT', `${entry.kind} entry ${id} carries no event.${field}: only a format v2 entry with its event can change a document`, {
      doc: state.doc, status: state.status, kind: entry.kind, field: `event.${field}`,
    });
  }
  return value;
}

function statusRefusal(code: Exclude<LifecycleCode, 'LIFECYCLE_NOT_IN_DOCUMENT' | 'LIFECYCLE_NO_EVENT'>, state: DocState, entry: Entry, who?: string): CunzhengError {
  const doc = state.doc;
  const what = entry.kind === 'deposit' ? 'a new version' : `a ${entry.kind} event`;
  let message: string;
  switch (code) {
    case 'LIFECYCLE_ALREADY_CLASSIFIED':
      message = `document ${doc} is already classified (${state.level}, period ${state.period}): record a reclassify to change its level or period, or declassify it first`;
      break;
    case 'LIFECYCLE_NOT_CLASSIFIED':
      message = `document ${doc} is ${STATUS_WORDS[state.status]}: ${entry.kind} needs a classified document; record a classify first`;
      break;
    case 'LIFECYCLE_DESTROYED':
      message = `document ${doc} was destroyed (${state.last.kind === 'destroy' ? state.last.time : 'earlier'}): after destroy only a departure-audit can be recorded, not ${what}`;
      break;
    case 'LIFECYCLE_NOT_GRANTED':
      message = `${who} is not in the need-to-know scope of document ${doc}: there is nothing to revoke (grant first, or check the person reference)`;
      break;
    case 'LIFECYCLE_ALREADY_GRANTED':
      message = `${who} is already in the need-to-know scope of document ${doc}: revoke first to record a new grant (for example with another role)`;
      break;
    case 'LIFECYCLE_SCOPE_FULL':
      message = `the need-to-know scope of document ${doc} already holds ${MAX_PEOPLE} people, the most one document can: revoke someone before granting ${who}`;
      break;
  }
  return lifecycleError(code, message, { doc, status: state.status, kind: entry.kind, ...(who === undefined ? {} : { who }) });
}

/**
 * The state after `entry` (whose id is `id`) joins the document. Throws LIFECYCLE_NOT_IN_DOCUMENT for an
 * entry that cannot belong to it (another tenant, no prev, a malformed id), LIFECYCLE_NO_EVENT for an event
 * kind without its event (a v1 entry), and the rule codes of rules.ts.
 */
export function applyEntry(state: DocState, entry: Entry, id: string): DocState {
  if (entry.tenant !== state.tenant || entry.prev === undefined || !isLowerHex(id, 32) || id === state.doc) {
    const why = entry.tenant !== state.tenant ? `it belongs to tenant ${entry.tenant}, the document to ${state.tenant}`
      : entry.prev === undefined ? 'it has no prev (a deposit without prev starts a document of its own)'
        : !isLowerHex(id, 32) ? 'its id is not 32 lowercase hex digits' : 'it is the document\'s root';
    throw lifecycleError('LIFECYCLE_NOT_IN_DOCUMENT', `entry ${id} cannot join document ${state.doc}: ${why}`, { doc: state.doc, status: state.status, kind: entry.kind });
  }
  const kind = entry.kind;
  if (kind !== 'deposit' && entry.event === undefined) {
    throw lifecycleError('LIFECYCLE_NO_EVENT', `${kind} entry ${id} carries no event: only a format v2 entry with its event can change a document`, {
      doc: state.doc, status: state.status, kind,
    });
  }
  const who = kind === 'access-grant' || kind === 'access-revoke' || kind === 'departure-audit' ? need(entry, id, state, 'who') : undefined;
  // Each code written out where it is thrown, so the status table's scan of the source finds it.
  switch (STATUS_RULES[kind][state.status]) {
    case null:
      break;
    case 'LIFECYCLE_ALREADY_CLASSIFIED':
      throw statusRefusal('LIFECYCLE_ALREADY_CLASSIFIED', state, entry, who);
    case 'LIFECYCLE_NOT_CLASSIFIED':
      throw statusRefusal('LIFECYCLE_NOT_CLASSIFIED', state, entry, who);
    case 'LIFECYCLE_DESTROYED':
      throw statusRefusal('LIFECYCLE_DESTROYED', state, entry, who);
  }

  const next = copyState(state);
  next.last = lastOf(entry, id);
  if (kind === 'deposit') {
    next.latest = latestOf(entry, id);
    next.versions += 1;
    return next;
  }
  next.events += 1;
  const event = entry.event as LifecycleEvent;
  switch (kind) {
    case 'classify':
      next.status = 'classified';
      next.level = need(entry, id, state, 'level');
      next.period = need(entry, id, state, 'period');
      if (event.basis === undefined) delete next.basis;
      else next.basis = event.basis;
      break;
    case 'reclassify':
      if (event.level === undefined && event.period === undefined) need(entry, id, state, 'level');
      if (event.level !== undefined) next.level = event.level;
      if (event.period !== undefined) next.period = event.period;
      if (event.basis !== undefined) next.basis = event.basis;
      break;
    case 'conceal':
      if (event.measures === undefined) need(entry, id, state, 'measures');
      for (const m of event.measures!) if (!next.measures.includes(m)) next.measures.push(m);
      break;
    case 'declassify':
      next.status = 'declassified';
      break;
    case 'destroy':
      next.status = 'destroyed';
      break;
    case 'access-grant': {
      if (next.people.some((p) => p.who === who)) throw statusRefusal('LIFECYCLE_ALREADY_GRANTED', state, entry, who);
      if (next.people.length >= MAX_PEOPLE) throw statusRefusal('LIFECYCLE_SCOPE_FULL', state, entry, who);
      const person: ScopePerson = event.role === undefined ? { who: who!, since: entry.time } : { who: who!, role: event.role, since: entry.time };
      next.people.push(person);
      break;
    }
    case 'access-revoke': {
      const at = next.people.findIndex((p) => p.who === who);
      if (at < 0) throw statusRefusal('LIFECYCLE_NOT_GRANTED', state, entry, who);
      next.people.splice(at, 1);
      break;
    }
    case 'departure-audit':
      break;
  }
  return next;
}

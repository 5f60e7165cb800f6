/**
 * One row of the 商业秘密清单 per document: a flat object (for the JSON answer and the CSV) read from its
 * state at an instant (the status and expiry depend on the date in Beijing). Members that a document does
 * not have (no title, no level, a 长期 period's expiry) are absent, not empty.
 */
import type { EntryKind } from '../entry/index.js';
import { displayStatus, expiry } from './display.js';
import type { DisplayStatus, DocState } from './types.js';

export interface InventoryRow {
  /** The document: its root deposit's id. */
  doc: string;
  /** The newest version's deposit id, and what it says of itself. */
  latestId: string;
  title?: string;
  filename?: string;
  size?: number;
  labels: string[];
  level?: string;
  period?: string;
  /** The last day in force of a classified document with a dated period. */
  expiry?: string;
  status: DisplayStatus;
  /** The need-to-know scope now: how many, and who (person references, in the order admitted). */
  peopleCount: number;
  people: string[];
  /** Conceal measures applied (codes, first-applied order). */
  measures: string[];
  lastEvent: EntryKind;
  /** RFC 3339 UTC, as the entry holds it. */
  lastEventTime: string;
  lastOperator?: string;
  versions: number;
  events: number;
  created: string;
}

export function inventoryRow(state: DocState, now: Date): InventoryRow {
  const l = state.latest;
  const row: InventoryRow = {
    doc: state.doc,
    latestId: l.id,
    labels: l.labels === undefined ? [] : [...l.labels],
    status: displayStatus(state, now),
    peopleCount: state.people.length,
    people: state.people.map((p) => p.who),
    measures: [...state.measures],
    lastEvent: state.last.kind,
    lastEventTime: state.last.time,
    versions: state.versions,
    events: state.events,
    created: state.created,
  };
  if (l.title !== undefined) row.title = l.title;
  if (l.filename !== undefined) row.filename = l.filename;
  if (l.size !== undefined) row.size = l.size;
  if (state.level !== undefined) row.level = state.level;
  if (state.period !== undefined) row.period = state.period;
  const last = expiry(state);
  if (last !== undefined) row.expiry = last;
  if (state.last.operator !== undefined) row.lastOperator = state.last.operator;
  return row;
}

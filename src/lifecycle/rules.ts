/**
 * The rules of a document's life, as a table: for each kind of entry that joins a document (a deposit
 * with `prev` is a new version; every other kind is an event) and each status, whether it is allowed or
 * the code it is refused with. The people rules (a revoke only for someone in scope, no second grant, at
 * most MAX_PEOPLE) come after the status rule; see state.ts. README.md prints this table.
 */
import type { EntryKind } from '../entry/index.js';
import type { DocStatus } from './types.js';

export type LifecycleCode =
  | 'LIFECYCLE_ALREADY_CLASSIFIED'
  | 'LIFECYCLE_NOT_CLASSIFIED'
  | 'LIFECYCLE_DESTROYED'
  | 'LIFECYCLE_NOT_GRANTED'
  | 'LIFECYCLE_ALREADY_GRANTED'
  | 'LIFECYCLE_SCOPE_FULL'
  | 'LIFECYCLE_NOT_IN_DOCUMENT'
  | 'LIFECYCLE_NO_EVENT';

type StatusRule = 'LIFECYCLE_ALREADY_CLASSIFIED' | 'LIFECYCLE_NOT_CLASSIFIED' | 'LIFECYCLE_DESTROYED' | null;

const ANY_BUT_DESTROYED: Readonly<Record<DocStatus, StatusRule>> = {
  unclassified: null, classified: null, declassified: null, destroyed: 'LIFECYCLE_DESTROYED',
};
const ONLY_CLASSIFIED: Readonly<Record<DocStatus, StatusRule>> = {
  unclassified: 'LIFECYCLE_NOT_CLASSIFIED', classified: null, declassified: 'LIFECYCLE_NOT_CLASSIFIED', destroyed: 'LIFECYCLE_DESTROYED',
};

/** null: allowed. */
export const STATUS_RULES: Readonly<Record<EntryKind, Readonly<Record<DocStatus, StatusRule>>>> = {
  deposit: ANY_BUT_DESTROYED,
  classify: { unclassified: null, classified: 'LIFECYCLE_ALREADY_CLASSIFIED', declassified: null, destroyed: 'LIFECYCLE_DESTROYED' },
  reclassify: ONLY_CLASSIFIED,
  conceal: ANY_BUT_DESTROYED,
  declassify: ONLY_CLASSIFIED,
  destroy: ANY_BUT_DESTROYED,
  'access-grant': ANY_BUT_DESTROYED,
  'access-revoke': ANY_BUT_DESTROYED,
  'departure-audit': { unclassified: null, classified: null, declassified: null, destroyed: null },
};

export {
  buildEntry, parseEntry, ENTRY_VERSIONS, ENTRY_MAX_BYTES, NONCE_BYTES,
  type Entry, type EntryInput, type EntryVersion, type EntrySubject, type EntryDigest, type HashedBy,
} from './entry.js';
export { EntryBuilder, type EntryItem } from './builder.js';
export type { EntryErrorCode } from './fields.js';
export { ENTRY_KINDS, ENTRY_KIND_TERMS, isEntryKind, type EntryKind } from './kinds.js';
export {
  checkEvent, eventFields, isLifecycleKind, isPeriod, LIFECYCLE_KINDS, PERIOD_LONG_TERM, DEFAULT_LEVELS,
  EVENT_LEVEL_MAX, EVENT_TEXT_MAX, EVENT_METHOD_MAX, EVENT_ROLE_MAX, EVENT_MEASURES_MAX, EVENT_IDS_MAX, DEPOSIT_ID_HEX_LENGTH,
  type EventErrorCode, type LifecycleKind, type EntryEvent, type EventByKind, type EventRecord,
  type ClassifyEvent, type ReclassifyEvent, type ConcealEvent, type DeclassifyEvent, type DestroyEvent,
  type AccessGrantEvent, type AccessRevokeEvent, type DepartureAuditEvent,
} from './event.js';
export {
  CONCEAL_MEASURES, CONCEAL_MEASURE_CODES, isConcealMeasure, concealMeasureInfo, type ConcealMeasure, type ConcealMeasureInfo,
} from './measures.js';
export { PERSON_REF_RULE, PERSON_REF_MAX, isPersonRef, personRefProblem } from './person.js';
export {
  META_MAX_KEYS, META_MAX_KEY_LENGTH, META_MAX_STRING, META_MAX_ARRAY, META_MAX_BYTES, META_STRING_KEYS, normalizeMeta,
  type EntryMeta, type MetaValue,
} from './meta.js';
export {
  TEXT_RULE, SUBJECT_NAME_RULE, SUBJECT_NAME_MAX, isSubjectName, DIGEST_HEX_RULE, DIGEST_HEX_LENGTH, META_KEY_RULE,
  type StringRule,
} from './rules.js';
export { describeEntry, beijingTime } from './describe.js';
export {
  validateUscc, isValidUscc, usccCheckCharacter, completeUscc, USCC_CHARSET, USCC_LENGTH, USCC_PATTERN, type UsccErrorCode,
} from './uscc.js';

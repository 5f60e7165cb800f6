export {
  buildEntry, parseEntry, EntryBuilder, ENTRY_VERSION, ENTRY_MAX_BYTES, NONCE_BYTES,
  type Entry, type EntryInput, type EntryItem, type EntrySubject, type EntryDigest, type HashedBy,
} from './entry.js';
export type { EntryErrorCode } from './fields.js';
export { ENTRY_KINDS, ENTRY_KIND_TERMS, isEntryKind, type EntryKind } from './kinds.js';
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

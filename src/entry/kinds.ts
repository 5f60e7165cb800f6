/**
 * What an entry records. A closed set: a verifier knows every kind it may meet, and a new kind is a
 * format change. `deposit` fixes a document's existence; the others record a trade-secret protection
 * measure (the "reasonable protection measures" a court weighs) about a document. In format v2 such an
 * entry carries the document's digest and the measure's facts in `event` (event.ts); in v1 it carried a
 * digest (of the document, or of the written record of the measure) and meta.
 */
export const ENTRY_KINDS = [
  'deposit', //          存证: the document existed, with this digest, when received
  'classify', //         定密: the document was classified as a trade secret (event.level: 密级)
  'reclassify', //       密级变更: its classification level or secrecy period changed
  'conceal', //          隐密: concealment measures applied (encryption, isolation, marking)
  'declassify', //       解密: it is no longer treated as a secret
  'destroy', //          销毁: it was destroyed
  'access-grant', //     知悉范围: a person or group was admitted to the need-to-know scope
  'access-revoke', //    … and removed from it
  'departure-audit', //  离职审计: a departing employee's return/destruction of secrets was audited
] as const;

export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The Chinese term for each kind, as certificates print it. */
export const ENTRY_KIND_TERMS: Readonly<Record<EntryKind, string>> = {
  deposit: '存证',
  classify: '定密',
  reclassify: '密级变更',
  conceal: '隐密',
  declassify: '解密',
  destroy: '销毁',
  'access-grant': '知悉范围授权',
  'access-revoke': '知悉范围撤销',
  'departure-audit': '离职审计',
};

const KIND_SET: ReadonlySet<string> = new Set(ENTRY_KINDS);

export function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && KIND_SET.has(value);
}

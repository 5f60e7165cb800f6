/**
 * The entry's rules for what a state holds of events: the conceal measures (a closed list) and person
 * references (tenant-local: an employee number or a user id, never a name), as design §1 states them.
 */

/** The ids of the conceal measures (SPC 2020 art. 6), in the entry's order. */
export const CONCEAL_MEASURE_IDS: readonly string[] = [
  'marking', 'classification', 'isolation', 'encryption', 'sealing', 'access-limit', 'device-limit', 'agreement', 'training', 'other',
];

const PERSON_REF_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The form of a person reference (the entry also refuses ID-card and mobile numbers; the state only needs the form). */
export function isScopeRef(value: unknown): value is string {
  return typeof value === 'string' && PERSON_REF_RE.test(value);
}

/** The Chinese term of each measure, as the 清单 prints it. */
export const CONCEAL_MEASURE_TERMS: Readonly<Record<string, string>> = {
  marking: '标记',
  classification: '分类',
  isolation: '隔离',
  encryption: '加密',
  sealing: '封存',
  'access-limit': '限制知悉范围',
  'device-limit': '限制涉密设备使用',
  agreement: '保密协议',
  training: '保密培训',
  other: '其他合理保密措施',
};

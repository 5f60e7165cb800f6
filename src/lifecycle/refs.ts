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

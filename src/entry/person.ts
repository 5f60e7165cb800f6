/**
 * Person references. The ledger is permanent and its entries travel in receipts: a person named in one can
 * never be erased from it (个人信息保护法 art. 47 gives people a right to erasure the ledger could not honour,
 * and art. 28 makes an ID-card number sensitive personal information). So an entry names a person only by a
 * tenant-local reference — an employee number or a user id — that the enterprise resolves in its own records,
 * never by name, resident ID number or mobile number.
 *
 * PERSON_REF_RULE: 1-64 of `[A-Za-z0-9._-]`, starting with a letter or digit, and NOT, once the separators
 * `.`, `_`, `-` are taken out:
 *   - 15 digits (a first-generation resident ID),
 *   - 17 digits and a digit or X/x (a resident ID, GB 11643),
 *   - a mainland mobile number `1[3-9]` + 9 digits, optionally after 86 or 0086.
 * A reference that breaks these is refused with EVENT_PERSONAL_DATA when it looks like personal data (an ID
 * or mobile number, or letters outside ASCII or white space between words: a name), else EVENT_BAD_FIELD.
 */
import type { StringRule } from './rules.js';

export const PERSON_REF_MAX = 64;

const SEP = '[._-]*';
const ID15 = `(?:[0-9]${SEP}){15}$`;
const ID18 = `(?:[0-9]${SEP}){17}[0-9Xx]${SEP}$`;
const MOBILE = `(?:(?:0${SEP}0${SEP})?8${SEP}6${SEP})?1${SEP}[3-9](?:${SEP}[0-9]){9}${SEP}$`;
const FORM = `[A-Za-z0-9][A-Za-z0-9._-]{0,${PERSON_REF_MAX - 1}}$`;

const STRIPPED_ID15 = /^[0-9]{15}$/;
const STRIPPED_ID18 = /^[0-9]{17}[0-9Xx]$/;
const STRIPPED_MOBILE = /^(?:(?:00)?86)?1[3-9][0-9]{9}$/;

function isRefChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x2d;
}

function hasRefForm(s: string): boolean {
  if (s.length < 1 || s.length > PERSON_REF_MAX) return false;
  const first = s.charCodeAt(0);
  if (first === 0x2e || first === 0x5f || first === 0x2d) return false;
  for (let i = 0; i < s.length; i++) if (!isRefChar(s.charCodeAt(i))) return false;
  return true;
}

/** What kind of personal data a well-formed reference is, if any (the separators taken out). */
function personalNumber(s: string): 'id-number' | 'mobile' | undefined {
  const digits = s.replace(/[._-]/g, '');
  if (STRIPPED_ID15.test(digits) || STRIPPED_ID18.test(digits)) return 'id-number';
  if (STRIPPED_MOBILE.test(digits)) return 'mobile';
  return undefined;
}

/** A tenant-local person reference (employee number, user id): never a name, ID number or phone number. */
export const PERSON_REF_RULE: StringRule = {
  pattern: `^(?!${ID15})(?!${ID18})(?!${MOBILE})${FORM}`,
  test: (s) => hasRefForm(s) && personalNumber(s) === undefined,
};

export function isPersonRef(value: unknown): value is string {
  return typeof value === 'string' && PERSON_REF_RULE.test(value);
}

/** A letter outside ASCII (a name in Chinese or any other script), or two words of letters ("Zhang San"). */
const NAME_LIKE = /(?=\p{L})\P{ASCII}|\p{L}\s+\p{L}/u;

/**
 * Why `value` (a string) is not a person reference: 'id-number', 'mobile' or 'name' (personal data), 'form'
 * (otherwise malformed), or undefined when it is one.
 */
export function personRefProblem(value: string): 'id-number' | 'mobile' | 'name' | 'form' | undefined {
  if (value.length <= 4 * PERSON_REF_MAX && NAME_LIKE.test(value)) return 'name';
  if (!hasRefForm(value)) {
    // A number written with spaces, a "+86" or full-width digits (NFKC folds them) is still a number.
    const folded = value.length <= 4 * PERSON_REF_MAX ? value.normalize('NFKC') : '';
    if (/^[+0-9Xx ._-]+$/.test(folded)) return personalNumber(folded.replace(/[+ ]/g, '')) ?? 'form';
    return 'form';
  }
  return personalNumber(value);
}

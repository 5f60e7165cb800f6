/**
 * The unified social credit code (统一社会信用代码), GB 32100-2015: the 18-character identity of a Chinese
 * legal entity, printed on its business licence. Every entry names its depositor by this code.
 *
 *   position  1   2   3 4 5 6 7 8   9 10 11 12 13 14 15 16  17   18
 *             │   │   └─────┬─────┘ └─────────┬──────────┘  │    │
 *             │   │   division code   organisation code body │  GB 32100 check (mod 31)
 *             │   │   (GB/T 2260,     (GB 11714, 8 chars)    GB 11714 check (mod 11)
 *             │   organisation category   6 digits)
 *             registration authority
 *
 * Charset: 0-9 and A-Z without I, O, Z, S, V (31 characters, values 0..30 in this order).
 *
 * Checks, in the order they run (each failure has its own code):
 *   USCC_BAD_LENGTH     not a string of exactly 18 characters
 *   USCC_BAD_CHARACTER  a character outside the charset (lowercase included: codes are never normalised,
 *                       an entry keeps the exact code it was given)
 *   USCC_BAD_DIVISION   positions 3-8 are not all digits
 *   USCC_BAD_ORG_CHECK  position 17 is not the GB 11714 check of positions 9-16
 *   USCC_BAD_CHECK      position 18 is not the GB 32100 check of positions 1-17
 *
 * Positions 1 and 2 are accepted as any charset character: the table of registration authorities and
 * categories has grown by amendment since 2015 (1, 5, 9, Y at first; later A, G, J, N, Q, …), and a
 * validator that hard-codes it would reject real codes issued after the next amendment.
 *
 * Input is hostile (an admin request body, or an entry read back from a receipt): anything that is not a
 * valid code ends in a CunzhengError with one of the codes above, never another exception.
 */
import { CunzhengError } from '../errors.js';

export type UsccErrorCode =
  | 'USCC_BAD_LENGTH'
  | 'USCC_BAD_CHARACTER'
  | 'USCC_BAD_DIVISION'
  | 'USCC_BAD_ORG_CHECK'
  | 'USCC_BAD_CHECK';

/** The 31-character set, in value order (GB 32100-2015 table 2). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100 weights for positions 1..17: 3^(i-1) mod 31. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** GB 11714 weights for the 8 body characters of the organisation code. */
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

export const USCC_LENGTH = 18;
/** USCC_CHARSET as a RegExp character class. */
const CHARSET_CLASS = '[0-9A-HJ-NPQRTUWXY]';
/**
 * The code's form as a JSON Schema pattern: 18 charset characters with digits at positions 3-8 (the checks
 * USCC_BAD_LENGTH, USCC_BAD_CHARACTER and USCC_BAD_DIVISION). The two check characters are beyond a
 * pattern: validateUscc checks them.
 */
export const USCC_PATTERN = `^${CHARSET_CLASS}{2}[0-9]{6}${CHARSET_CLASS}{${USCC_LENGTH - 8}}$`;
const CHARSET_RE = new RegExp(`^${CHARSET_CLASS}*$`);
const DIVISION_RE = /^[0-9]{6}$/;

function fail(code: UsccErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new CunzhengError(code, message, details === undefined ? undefined : { details });
}

/** Value of a charset character in GB 32100 (0..30). The caller has checked the charset. */
function usccValue(ch: string): number {
  return USCC_CHARSET.indexOf(ch);
}

/**
 * Value of a character in GB 11714: digits 0-9, letters by their place in the full Latin alphabet
 * (A=10 … Z=35). This differs from usccValue for letters after H (J is 19 here, 18 there).
 */
function orgValue(ch: string): number {
  const c = ch.charCodeAt(0);
  return c <= 0x39 ? c - 0x30 : c - 0x41 + 10;
}

function assertCharset(text: string, what: string): void {
  if (CHARSET_RE.test(text)) return;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (!USCC_CHARSET.includes(ch)) {
      fail('USCC_BAD_CHARACTER', `${what}: character ${JSON.stringify(ch)} at position ${i + 1} is not in the code's charset (0-9, A-Y without I, O, S, V)`, {
        position: i + 1,
        got: ch,
      });
    }
  }
}

/** GB 11714 check character of the 8-character organisation code body (positions 9-16). */
function orgCheckCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(body.charAt(i)) * (ORG_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

function checkCharacterOf(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += usccValue(first17.charAt(i)) * (USCC_WEIGHTS[i] as number);
  const c = 31 - (sum % 31);
  return USCC_CHARSET.charAt(c === 31 ? 0 : c);
}

/**
 * The GB 32100 check character (position 18) for the first 17 characters of a code.
 * Throws USCC_BAD_LENGTH or USCC_BAD_CHARACTER when `first17` is not 17 charset characters.
 */
export function usccCheckCharacter(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    fail('USCC_BAD_LENGTH', `first 17 characters of a USCC: expected a string of 17 characters, got ${describeInput(first17)}`);
  }
  assertCharset(first17, 'USCC');
  return checkCharacterOf(first17);
}

/**
 * Completes a code from its first 16 characters by appending both check characters (GB 11714 at 17,
 * GB 32100 at 18), then validates the result. Useful for fixtures and examples.
 */
export function completeUscc(first16: string): string {
  if (typeof first16 !== 'string' || first16.length !== 16) {
    fail('USCC_BAD_LENGTH', `first 16 characters of a USCC: expected a string of 16 characters, got ${describeInput(first16)}`);
  }
  assertCharset(first16, 'USCC');
  const first17 = first16 + orgCheckCharacter(first16.slice(8, 16));
  return validateUscc(first17 + checkCharacterOf(first17));
}

/** Returns `code` unchanged when it is a valid unified social credit code; throws a USCC_* error otherwise. */
export function validateUscc(code: unknown): string {
  if (typeof code !== 'string' || code.length !== USCC_LENGTH) {
    fail('USCC_BAD_LENGTH', `USCC: expected a string of ${USCC_LENGTH} characters, got ${describeInput(code)}`, {
      want: USCC_LENGTH,
      got: typeof code === 'string' ? code.length : typeof code,
    });
  }
  assertCharset(code, 'USCC');
  const division = code.slice(2, 8);
  if (!DIVISION_RE.test(division)) {
    fail('USCC_BAD_DIVISION', `USCC: positions 3-8 must be the 6-digit administrative division code, got ${JSON.stringify(division)}`, {
      got: division,
    });
  }
  const orgWant = orgCheckCharacter(code.slice(8, 16));
  if (code.charAt(16) !== orgWant) {
    fail('USCC_BAD_ORG_CHECK', `USCC: position 17 must be the GB 11714 check character ${orgWant} of the organisation code, got ${code.charAt(16)}`, {
      want: orgWant,
      got: code.charAt(16),
    });
  }
  const want = checkCharacterOf(code.slice(0, 17));
  if (code.charAt(17) !== want) {
    fail('USCC_BAD_CHECK', `USCC: position 18 must be the GB 32100 check character ${want}, got ${code.charAt(17)}`, {
      want,
      got: code.charAt(17),
    });
  }
  return code;
}

/** True when `code` is a valid unified social credit code. Never throws. */
export function isValidUscc(code: unknown): boolean {
  try {
    validateUscc(code);
    return true;
  } catch {
    return false;
  }
}

function describeInput(value: unknown): string {
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (value === null) return 'null';
  return typeof value;
}

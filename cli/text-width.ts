/**
 * Terminal columns of a string, for tables that stay aligned under Chinese, Japanese and Korean names.
 * `String#padEnd` counts UTF-16 code units: '配方' is 2 units but 4 columns, 'é' written as e + U+0301 is 2
 * units but 1 column, and a table padded by length is misaligned under either.
 *
 * Rules (UAX #11 and wcwidth, per code point; no grapheme segmentation):
 *   - 2 columns: East Asian Wide (W) and Fullwidth (F) — CJK ideographs, kana, hangul syllables, fullwidth
 *     forms, CJK punctuation — and characters with default emoji presentation;
 *   - 0 columns: combining marks (Mn, Me), format characters (Cf: zero-width space and joiner, bidi marks),
 *     controls (Cc), and the hangul medial/final jamo that join a leading one;
 *   - 1 column: everything else (East Asian Ambiguous counts 1, as in a non-CJK locale's terminal).
 */

// East Asian Wide and Fullwidth ranges (Unicode 15 EastAsianWidth.txt, W and F, merged; emoji come from
// the Emoji_Presentation property below).
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x2e80, 0x2e99], [0x2e9b, 0x2ef3], [0x2f00, 0x2fd5], [0x2ff0, 0x2ffb], [0x3000, 0x303e], [0x3041, 0x3096],
  [0x3099, 0x30ff], [0x3105, 0x312f], [0x3131, 0x318e], [0x3190, 0x31e3], [0x31f0, 0x321e], [0x3220, 0x3247],
  [0x3250, 0x4dbf], [0x4e00, 0xa48c], [0xa490, 0xa4c6], [0xa960, 0xa97c], [0xac00, 0xd7a3], [0xf900, 0xfaff],
  [0xfe10, 0xfe19], [0xfe30, 0xfe52], [0xfe54, 0xfe66], [0xfe68, 0xfe6b], [0xff01, 0xff60], [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4], [0x16ff0, 0x16ff1], [0x17000, 0x187f7], [0x18800, 0x18cd5], [0x18d00, 0x18d08],
  [0x1aff0, 0x1affe], [0x1b000, 0x1b122], [0x1b132, 0x1b132], [0x1b150, 0x1b152], [0x1b155, 0x1b155],
  [0x1b164, 0x1b167], [0x1b170, 0x1b2fb], [0x1f200, 0x1f202], [0x1f210, 0x1f23b], [0x1f240, 0x1f248],
  [0x1f250, 0x1f251], [0x1f260, 0x1f265], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

const EMOJI = /\p{Emoji_Presentation}/u;
const ZERO = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11ff\ud7b0-\ud7ff]/u;

function inWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one code point takes: 0, 1 or 2. */
export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp >= 0x20 && cp < 0x7f) return 1; // ASCII, the common case
  const ch = String.fromCodePoint(cp);
  if (ZERO.test(ch)) return 0;
  if (inWide(cp) || EMOJI.test(ch)) return 2;
  return 1;
}

/** Columns `s` takes on a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += codePointWidth(ch.codePointAt(0)!);
  return w;
}

/** `s` followed by spaces up to `width` columns (unchanged when it is already as wide or wider). */
export function padEnd(s: string, width: number): string {
  const w = displayWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/** Spaces then `s`, up to `width` columns: for numbers in a right-aligned column. */
export function padStart(s: string, width: number): string {
  const w = displayWidth(s);
  return w >= width ? s : ' '.repeat(width - w) + s;
}

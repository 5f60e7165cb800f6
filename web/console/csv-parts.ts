/**
 * The 清单 CSV past the service's cap (50,000 rows per answer): each part is a whole CSV — UTF-8 BOM, header
 * line, rows — and names the next with `Cunzheng-Next`. One file of them all: the first part as it is, then
 * each next part without its BOM and header line. No DOM here (tests run it in Node).
 */
const BOM = [0xef, 0xbb, 0xbf];

/** `part` without its leading BOM and its first line (up to and with its CRLF); empty when it is only a header. */
export function csvRows(part: Uint8Array): Uint8Array {
  let at = BOM.every((b, i) => part[i] === b) ? BOM.length : 0;
  // The header holds no quoted line break (its words are the service's own): its end is the first LF.
  const lf = part.indexOf(0x0a, at);
  at = lf < 0 ? part.length : lf + 1;
  return part.subarray(at);
}

/** The parts as one CSV file's bytes. */
export function joinCsvParts(parts: readonly Uint8Array[]): Uint8Array[] {
  return parts.map((p, i) => (i === 0 ? p : csvRows(p)));
}

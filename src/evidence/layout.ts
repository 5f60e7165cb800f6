/**
 * The evidence package's layout: the one list of names a package may hold. A name not in it is refused when a
 * package is read (EVIDENCE_UNLISTED_FILE), so nothing can ride along unverified. Pure.
 *
 *   README.txt                        how to verify, Chinese then English (readme.ts)
 *   exhibits.pdf                      证据目录, the exhibit list (src/certificate's makeExhibitList)
 *   verifier.html                     the browser verifier, offline (when the build has one)
 *   exhibits/E001.receipt.json        each exhibit's receipt …
 *   exhibits/E001.certificate.pdf     … and its certificate (存证证书)
 *   log/verifier-keys.txt             the log's verifier keys (a hint: never trusted by the package itself)
 *   log/policy.txt                    the witness policy (when given)
 *   log/checkpoint.txt                the newest signed checkpoint
 *   log/consistency.json              proofs from every exhibit's checkpoint to it (consistency.ts)
 *   tsa-roots.pem                     the TSA root certificates (when given)
 *   manifest.json, SHA256SUMS, SM3SUMS    every file above with its size and digests (manifest.ts)
 *   package.receipt.json              the receipt of the deposit of the package's two roots (outside the manifest)
 */

export const README = 'README.txt';
export const EXHIBIT_LIST = 'exhibits.pdf';
export const VERIFIER_HTML = 'verifier.html';
export const VERIFIER_KEYS = 'log/verifier-keys.txt';
export const POLICY = 'log/policy.txt';
export const CHECKPOINT = 'log/checkpoint.txt';
export const CONSISTENCY = 'log/consistency.json';
export const TSA_ROOTS = 'tsa-roots.pem';
export const MANIFEST = 'manifest.json';
export const SHA256SUMS = 'SHA256SUMS';
export const SM3SUMS = 'SM3SUMS';
export const PACKAGE_RECEIPT = 'package.receipt.json';

/** Files every package has (beside its exhibits). */
export const REQUIRED_FILES = [README, EXHIBIT_LIST, VERIFIER_KEYS, CHECKPOINT, CONSISTENCY, MANIFEST, SHA256SUMS, SM3SUMS, PACKAGE_RECEIPT] as const;
/** Files a package may have. */
export const OPTIONAL_FILES = [VERIFIER_HTML, POLICY, TSA_ROOTS] as const;
/** The files the manifest does not list: itself, its two sums texts, and the receipt made after the roots are known. */
export const OUTSIDE_MANIFEST = [MANIFEST, SHA256SUMS, SM3SUMS, PACKAGE_RECEIPT] as const;

const FIXED = new Set<string>([...REQUIRED_FILES, ...OPTIONAL_FILES]);

/** At most this many exhibits in one package (each is a receipt and a certificate). */
export const MAX_EXHIBITS = 100_000;

/** The digits of exhibit numbers for `count` exhibits: at least 3, so that byte order is number order. */
export function labelWidth(count: number): number {
  return Math.max(3, String(count).length);
}

/** `E001` … for exhibit `index` (0-based) of `count`. */
export function exhibitLabel(index: number, count: number): string {
  return `E${String(index + 1).padStart(labelWidth(count), '0')}`;
}

export function exhibitPaths(label: string): { receipt: string; certificate: string } {
  return { receipt: `exhibits/${label}.receipt.json`, certificate: `exhibits/${label}.certificate.pdf` };
}

export type PackagePath =
  | { kind: 'file'; path: string }
  | { kind: 'receipt' | 'certificate'; path: string; label: string; number: number; width: number };

const EXHIBIT_RE = /^exhibits\/E([0-9]{3,6})\.(receipt\.json|certificate\.pdf)$/;

/** What a name is in the layout, or undefined for a name the layout does not know. */
export function classifyPath(path: string): PackagePath | undefined {
  if (FIXED.has(path)) return { kind: 'file', path };
  const m = EXHIBIT_RE.exec(path);
  if (m === null) return undefined;
  const digits = m[1]!;
  const number = Number(digits);
  if (number < 1 || number > MAX_EXHIBITS) return undefined;
  return { kind: m[2] === 'receipt.json' ? 'receipt' : 'certificate', path, label: `E${digits}`, number, width: digits.length };
}

export function isPackagePath(path: string): boolean {
  return classifyPath(path) !== undefined;
}

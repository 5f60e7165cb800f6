/**
 * The evidence package's manifest: every file of the package with its size, SHA-256 and SM3, in byte order of
 * its path; the `SHA256SUMS` and `SM3SUMS` texts (the `sha256sum` format, so `sha256sum -c SHA256SUMS` checks an
 * unzipped package); and the package's two roots, RFC 6962 Merkle tree hashes over those lines (tree.ts).
 * Pure: bytes and strings in, bytes and strings out. The manifest read back is hostile input (bounded, exact
 * members, canonical values).
 */
import { CunzhengError } from '../errors.js';
import { fromUtf8, isLowerHex } from '../crypto/index.js';
import { findDuplicateKey } from '../entry/duplicate-keys.js';
import { isPackagePath } from './layout.js';

export const MANIFEST_FORMAT = 'cunzheng/evidence-manifest/v1';
/** A manifest of 200,000 files is about 40 MB of JSON. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_PACKAGE_FILES = 250_000;

export type DigestAlg = 'sha256' | 'sm3';

export interface ManifestFile {
  /** The file's name in the zip (layout.ts: ASCII, `/`-separated, relative). */
  path: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  title: string | null;
  /** The newest entry time of the exhibits (ISO 8601 UTC): the package's date, not the clock's. */
  time: string;
  exhibits: number;
  files: ManifestFile[];
  roots: { sha256: string; sm3: string };
}

/** Byte order of the UTF-8 paths (ASCII here, so code-unit order is byte order). */
export const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** One `sha256sum` line: `<hex>  <path>\n` (two spaces: binary-agnostic text mode, as coreutils writes it). */
export function sumsLine(file: ManifestFile, alg: DigestAlg): string {
  return `${file[alg]}  ${file.path}\n`;
}

/** The lines of SHA256SUMS or SM3SUMS, in manifest order (the files sorted by path). */
export function sumsLines(files: readonly ManifestFile[], alg: DigestAlg): string[] {
  return [...files].sort(byPath).map((f) => sumsLine(f, alg));
}

export function sumsText(files: readonly ManifestFile[], alg: DigestAlg): string {
  return sumsLines(files, alg).join('');
}

/** The manifest's JSON text: members in the order of `Manifest`, one file per line, a final newline. */
export function manifestJson(m: Manifest): string {
  const files = m.files.map((f) => `    ${JSON.stringify({ path: f.path, size: f.size, sha256: f.sha256, sm3: f.sm3 })}`).join(',\n');
  return `{\n  "format": ${JSON.stringify(m.format)},\n  "title": ${JSON.stringify(m.title)},\n  "time": ${JSON.stringify(m.time)},\n` +
    `  "exhibits": ${m.exhibits},\n  "files": [\n${files}\n  ],\n  "roots": ${JSON.stringify(m.roots)}\n}\n`;
}

function malformed(message: string): CunzhengError {
  return new CunzhengError('EVIDENCE_MALFORMED', `manifest.json: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function exactKeys(v: Record<string, unknown>, keys: readonly string[], what: string): void {
  const got = Object.keys(v);
  for (const k of got) if (!keys.includes(k)) throw malformed(`${what}: unknown member ${JSON.stringify(k.slice(0, 40))}`);
  for (const k of keys) if (!(k in v)) throw malformed(`${what}: no member ${k}`);
}

/** Reads a manifest back: exact members, sorted unique layout paths, lowercase hex digests, safe sizes. */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new CunzhengError('EVIDENCE_TOO_LARGE', `manifest.json: ${bytes.length} bytes, at most ${MAX_MANIFEST_BYTES}`);
  let text: string;
  let v: unknown;
  try {
    text = fromUtf8(bytes, 'manifest.json');
    v = JSON.parse(text);
  } catch {
    throw malformed('not UTF-8 JSON');
  }
  const dup = findDuplicateKey(text);
  if (dup !== undefined) throw malformed(`member ${JSON.stringify(dup.key.slice(0, 40))} appears twice in one object`);
  if (!isObject(v)) throw malformed('not an object');
  exactKeys(v, ['format', 'title', 'time', 'exhibits', 'files', 'roots'], 'the manifest');
  if (v.format !== MANIFEST_FORMAT) throw malformed(`format is not ${MANIFEST_FORMAT}`);
  if (v.title !== null && (typeof v.title !== 'string' || v.title.length > 1000)) throw malformed('title: expected null or a string of at most 1000 characters');
  if (typeof v.time !== 'string' || v.time.length > 40 || Number.isNaN(Date.parse(v.time))) throw malformed('time: expected an ISO 8601 time');
  if (!Number.isSafeInteger(v.exhibits) || (v.exhibits as number) < 0) throw malformed('exhibits: expected a count');
  if (!Array.isArray(v.files) || v.files.length === 0 || v.files.length > MAX_PACKAGE_FILES) throw malformed(`files: expected 1 to ${MAX_PACKAGE_FILES} files`);
  const files: ManifestFile[] = [];
  for (const [i, f] of (v.files as unknown[]).entries()) {
    if (!isObject(f)) throw malformed(`files[${i}]: not an object`);
    exactKeys(f, ['path', 'size', 'sha256', 'sm3'], `files[${i}]`);
    if (typeof f.path !== 'string' || !isPackagePath(f.path)) throw malformed(`files[${i}].path: not a path of the package's layout`);
    if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) throw malformed(`files[${i}].size: expected a byte count`);
    if (!isLowerHex(f.sha256, 64) || !isLowerHex(f.sm3, 64)) throw malformed(`files[${i}]: sha256 and sm3 must be 64 lowercase hex digits`);
    if (i > 0 && !(files[i - 1]!.path < f.path)) throw malformed(`files[${i}].path: the files must be sorted by path, each once`);
    files.push({ path: f.path, size: f.size as number, sha256: f.sha256 as string, sm3: f.sm3 as string });
  }
  const r = v.roots;
  if (!isObject(r)) throw malformed('roots: not an object');
  exactKeys(r, ['sha256', 'sm3'], 'roots');
  if (!isLowerHex(r.sha256, 64) || !isLowerHex(r.sm3, 64)) throw malformed('roots: sha256 and sm3 must be 64 lowercase hex digits');
  return { format: MANIFEST_FORMAT, title: v.title as string | null, time: v.time, exhibits: v.exhibits as number, files, roots: { sha256: r.sha256 as string, sm3: r.sm3 as string } };
}

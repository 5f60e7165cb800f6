/** Reading a package's entries in full, and writing altered zips from them (names patched in the bytes where yazl would refuse them). */
import { readFileSync, writeFileSync } from 'node:fs';
import yazl from 'yazl';
import { checkPackage, zipEntries, type PackageReport, type PackageTrust } from '../../src/evidence/index.js';

export type Entries = [string, Uint8Array][];

export async function readAll(path: string): Promise<Entries> {
  const out: Entries = [];
  for await (const e of zipEntries(path)) out.push([e.name, await e.read(1 << 30)]);
  return out;
}

export async function zipOf(entries: Entries): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, bytes] of entries) z.addBuffer(Buffer.from(bytes), name, { mtime: new Date(0), forceDosTimestamp: true });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Every occurrence of `from` in the zip's bytes (local header and central directory) replaced by `to`, same length. */
export function patchName(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('same length only');
  return Buffer.from(zip.toString('latin1').split(from).join(to), 'latin1');
}

/** The central directory's uncompressed size of `name` set to `size`. */
export function patchDeclaredSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
    const nameLength = out.readUInt16LE(i + 28);
    if (out.subarray(i + 46, i + 46 + nameLength).toString('latin1') === name) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

export async function checkFile(path: string, trust: PackageTrust): Promise<PackageReport> {
  return checkPackage(zipEntries(path), trust);
}

export async function checkBytes(path: string, zip: Buffer, trust: PackageTrust): Promise<PackageReport> {
  writeFileSync(path, zip);
  return checkFile(path, trust);
}

export const codesOf = (r: PackageReport): string[] => [...r.parts, ...r.exhibits].filter((p) => !p.ok).map((p) => p.code!);

export { readFileSync };

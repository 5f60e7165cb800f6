/**
 * Reading a package's zip with yauzl, as hostile input: the central directory is read entry by entry (lazy),
 * every name is checked before anything else (printable ASCII only, relative, no `..` segment, no backslash,
 * no empty segment, each name once), encrypted entries and compression methods other than stored and deflate
 * are refused, the entry count and every declared size are bounded before a byte is inflated, and yauzl
 * checks each entry's actual size against its declared one (a zip bomb that lies about its size stops at the
 * first byte past it). Every failure is a CunzhengError with an EVIDENCE_* code, never an exception of yauzl.
 */
import yauzl from 'yauzl';
import { CunzhengError } from '../errors.js';

export const MAX_ZIP_ENTRIES = 2 * 100_000 + 32;
/** No single entry is read past this, whatever the layout allows. */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;
/** The sum of the declared sizes: 100,000 certificates of 0.5 MiB with room to spare. */
export const MAX_TOTAL_BYTES = 128 * 1024 ** 3;

export interface ZipEntry {
  name: string;
  /** The size the central directory declares (checked against the bytes when read). */
  size: number;
  /** The entry's bytes; EVIDENCE_TOO_LARGE past `max` without inflating anything. */
  read(max: number): Promise<Uint8Array>;
}

const malformed = (message: string, cause?: unknown): CunzhengError => new CunzhengError('EVIDENCE_MALFORMED', message, cause === undefined ? undefined : { cause });

/** Why a raw entry name is refused, or undefined when it is a safe relative name. */
export function entryNameProblem(raw: Uint8Array): string | undefined {
  if (raw.length === 0 || raw.length > 200) return 'an entry name of 0 or more than 200 bytes';
  for (const b of raw) {
    if (b === 0x5c) return 'a backslash in an entry name';
    if (b < 0x21 || b > 0x7e) return 'an entry name with a byte that is not printable ASCII';
  }
  const name = new TextDecoder().decode(raw);
  if (name.startsWith('/')) return 'an absolute entry name';
  if (/^[A-Za-z]:/.test(name)) return 'an entry name with a drive letter';
  const segments = name.split('/');
  if (segments.includes('..') || segments.includes('.')) return 'an entry name with a . or .. segment';
  if (segments.includes('')) return 'an entry name with an empty segment (a directory, or //)';
  return undefined;
}

const shown = (raw: Uint8Array): string => JSON.stringify(Buffer.from(raw).toString('latin1').slice(0, 80));

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err !== null || zip === undefined) reject(malformed(`not a zip file (${err?.message ?? 'unreadable'})`, err));
      else resolve(zip);
    });
  });
}

/** The entries of the zip at `path`, in central-directory order; the file is closed when the loop ends. */
export async function* zipEntries(path: string): AsyncGenerator<ZipEntry> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount > MAX_ZIP_ENTRIES) throw new CunzhengError('EVIDENCE_TOO_LARGE', `the zip has ${zip.entryCount} entries, at most ${MAX_ZIP_ENTRIES}`);
    const seen = new Set<string>();
    let total = 0;
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry): void => { cleanup(); resolve(e); };
        const onEnd = (): void => { cleanup(); resolve(undefined); };
        const onError = (e: Error): void => { cleanup(); reject(malformed(`the zip is damaged (${e.message})`, e)); };
        const cleanup = (): void => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        };
        zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
        zip.readEntry();
      });
      if (entry === undefined) return;
      const raw = entry.fileName as unknown as Buffer;
      const problem = entryNameProblem(raw);
      if (problem !== undefined) throw new CunzhengError('EVIDENCE_BAD_ENTRY_NAME', `${problem}: ${shown(raw)}`);
      const name = raw.toString('latin1');
      if (seen.has(name)) throw new CunzhengError('EVIDENCE_DUPLICATE_ENTRY', `the entry ${JSON.stringify(name)} appears twice`);
      seen.add(name);
      if (entry.isEncrypted()) throw malformed(`the entry ${name} is encrypted`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw malformed(`the entry ${name} uses compression method ${entry.compressionMethod} (stored and deflate only)`);
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw new CunzhengError('EVIDENCE_TOO_LARGE', `the entry ${name} declares ${entry.uncompressedSize} bytes, at most ${MAX_ENTRY_BYTES}`);
      total += entry.uncompressedSize;
      if (total > MAX_TOTAL_BYTES) throw new CunzhengError('EVIDENCE_TOO_LARGE', `the entries declare more than ${MAX_TOTAL_BYTES} bytes together`);
      yield { name, size: entry.uncompressedSize, read: (max) => readEntry(zip, entry, name, max) };
    }
  } finally {
    zip.close();
  }
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, max: number): Promise<Uint8Array> {
  if (entry.uncompressedSize > max) return Promise.reject(new CunzhengError('EVIDENCE_TOO_LARGE', `${name}: ${entry.uncompressedSize} bytes, at most ${max} for this file`));
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err !== null || stream === undefined) return reject(malformed(`${name}: cannot be read (${err?.message ?? 'no stream'})`, err));
      const chunks: Buffer[] = [];
      let got = 0;
      stream.on('data', (c: Buffer) => {
        got += c.length;
        if (got > max) stream.destroy(new Error(`more than ${max} bytes`));
        else chunks.push(c);
      });
      stream.on('error', (e: Error) => reject(malformed(`${name}: ${e.message}`, e)));
      stream.on('end', () => resolve(Buffer.concat(chunks, got)));
    });
  });
}

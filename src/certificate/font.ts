/**
 * The certificate's CJK font: Noto Sans SC (SIL Open Font License 1.1), regular and bold, from the npm
 * package @openfonts/noto-sans-sc_all, installed with the project (never fetched at run time). The package
 * ships WOFF; fontkit re-inflates a WOFF table on every read, which makes a subset of a CJK font take
 * seconds, so each file is unwrapped once per process into the plain TrueType (sfnt) it wraps: the same
 * tables, byte for byte (WOFF 1.0, W3C 2012, §5), behind a plain table directory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { CunzhengError } from '../errors.js';

export const FONT_PACKAGE = '@openfonts/noto-sans-sc_all';
export type FontWeight = 'regular' | 'bold';
const FILES: Record<FontWeight, string> = { regular: 'files/noto-sans-sc-all-400.woff', bold: 'files/noto-sans-sc-all-700.woff' };

const cache = new Map<FontWeight, Buffer>();

/** The TrueType bytes of one weight (read and unwrapped once per process). */
export function certificateFont(weight: FontWeight): Buffer {
  let font = cache.get(weight);
  if (font === undefined) {
    let path: string;
    try {
      path = createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/${FILES[weight]}`);
    } catch (cause) {
      throw new CunzhengError('CERTIFICATE_FONT_MISSING', `the certificate font is not installed (npm package ${FONT_PACKAGE}): run npm ci`, { cause });
    }
    font = woffToSfnt(readFileSync(path));
    cache.set(weight, font);
  }
  return font;
}

/** WOFF 1.0 → sfnt. The input is the installed package's file; a malformed one is CERTIFICATE_FONT_MISSING. */
export function woffToSfnt(woff: Uint8Array): Buffer {
  const bad = (why: string): CunzhengError => new CunzhengError('CERTIFICATE_FONT_MISSING', `the certificate font is damaged: ${why}`);
  const b = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
  if (b.length < 44 || b.readUInt32BE(0) !== 0x774f4646) throw bad('not WOFF');
  const flavor = b.readUInt32BE(4);
  const numTables = b.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    if (e + 20 > b.length) throw bad('truncated table directory');
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((k) => b.readUInt32BE(e + k)) as [number, number, number, number, number];
    if (offset + compLength > b.length) throw bad('table beyond the file');
    const raw = b.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : Buffer.from(raw);
    if (data.length !== origLength) throw bad('table length');
    tables.push({ tag, checksum, data });
  }
  tables.sort((x, y) => x.tag - y.tag);
  let searchRange = 1;
  let entrySelector = 0;
  while (searchRange * 2 <= numTables) {
    searchRange *= 2;
    entrySelector++;
  }
  const head = Buffer.alloc(12 + 16 * numTables);
  head.writeUInt32BE(flavor, 0);
  head.writeUInt16BE(numTables, 4);
  head.writeUInt16BE(searchRange * 16, 6);
  head.writeUInt16BE(entrySelector, 8);
  head.writeUInt16BE(numTables * 16 - searchRange * 16, 10);
  const parts: Buffer[] = [head];
  let offset = head.length;
  tables.forEach((t, i) => {
    const r = 12 + 16 * i;
    head.writeUInt32BE(t.tag, r);
    head.writeUInt32BE(t.checksum, r + 4);
    head.writeUInt32BE(offset, r + 8);
    head.writeUInt32BE(t.data.length, r + 12);
    const padded = (t.data.length + 3) & ~3;
    parts.push(t.data, Buffer.alloc(padded - t.data.length));
    offset += padded;
  });
  return Buffer.concat(parts);
}

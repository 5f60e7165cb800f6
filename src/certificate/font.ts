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

/** The tables of an sfnt (TrueType) file by tag, as views into it. A malformed one is CERTIFICATE_FONT_MISSING. */
export function sfntTables(sfnt: Uint8Array): Map<string, Buffer> {
  const b = Buffer.from(sfnt.buffer, sfnt.byteOffset, sfnt.byteLength);
  if (b.length < 12) throw new CunzhengError('CERTIFICATE_FONT_MISSING', 'the certificate font is damaged: not sfnt');
  const tables = new Map<string, Buffer>();
  for (let i = 0, n = b.readUInt16BE(4); i < n; i++) {
    const e = 12 + 16 * i;
    if (e + 16 > b.length) throw new CunzhengError('CERTIFICATE_FONT_MISSING', 'the certificate font is damaged: truncated table directory');
    const offset = b.readUInt32BE(e + 8);
    const length = b.readUInt32BE(e + 12);
    if (offset + length > b.length) throw new CunzhengError('CERTIFICATE_FONT_MISSING', 'the certificate font is damaged: table beyond the file');
    tables.set(b.toString('latin1', e, e + 4), b.subarray(offset, offset + length));
  }
  return tables;
}

/** The sfnt checksum: the sum of the big-endian 32-bit words, the last one padded with zeros. */
function checksum(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const whole = b.length & ~3;
  let sum = 0;
  for (let i = 0; i < whole; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  let tail = 0;
  for (let i = whole; i < b.length; i++) tail |= b[i]! << (24 - 8 * (i - whole));
  return (sum + (tail >>> 0)) >>> 0;
}

/**
 * A TrueType file of these tables (OpenType spec, "Font file"): version 1.0, the directory sorted by tag,
 * each table 4-byte aligned with its checksum, and head.checkSumAdjustment set (head's bytes are copied,
 * not changed in place).
 */
export function writeSfnt(tables: ReadonlyMap<string, Uint8Array>): Buffer {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  let pow = 1;
  let log = 0;
  while (pow * 2 <= n) {
    pow *= 2;
    log++;
  }
  const dir = Buffer.alloc(12 + 16 * n);
  dir.writeUInt32BE(0x00010000, 0);
  dir.writeUInt16BE(n, 4);
  dir.writeUInt16BE(pow * 16, 6);
  dir.writeUInt16BE(log, 8);
  dir.writeUInt16BE(n * 16 - pow * 16, 10);
  const parts: Buffer[] = [dir];
  let offset = dir.length;
  let headAt = -1;
  tags.forEach((tag, i) => {
    const t = tables.get(tag)!;
    let data = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
    if (tag === 'head') {
      data = Buffer.from(data); // a copy: its checkSumAdjustment is set below
      data.writeUInt32BE(0, 8);
      headAt = offset;
    }
    const r = 12 + 16 * i;
    dir.write(tag, r, 4, 'latin1');
    dir.writeUInt32BE(checksum(data), r + 4);
    dir.writeUInt32BE(offset, r + 8);
    dir.writeUInt32BE(data.length, r + 12);
    const padded = (data.length + 3) & ~3;
    parts.push(data, Buffer.alloc(padded - data.length));
    offset += padded;
  });
  const file = Buffer.concat(parts);
  if (headAt >= 0) file.writeUInt32BE((0xb1b0afba - checksum(file)) >>> 0, headAt + 8);
  return file;
}

/**
 * The subsets of a font, faster and with the same glyphs: a glyph's entry (its glyf bytes and metrics) is
 * copied once per process (fontkit's subsetter reads it again for every document), and the subset's file is
 * written by writeSfnt from those entries and the font's own head, hhea, maxp and hinting tables,
 * instead of fontkit's generic encoder. Only simple glyphs are memoised: a compound glyph's bytes name its
 * components by their number in the subset, which differs from document to document, so fontkit makes it.
 */
export function withSubsetWriter<F extends object>(real: F, raw: ReadonlyMap<string, Buffer>): F {
  type Subset = { glyphs: number[]; glyf: Uint8Array[]; loca: { offsets: number[]; version: number }; hmtx: { metrics: { advance: number; bearing: number }[]; bearings: unknown[] }; offset: number; _addGlyph: (gid: number) => number; encode: () => Buffer };
  const f = real as unknown as { createSubset: () => Subset; getGlyph: (id: number) => { _decode: () => { numberOfContours: number } | null }; _variationProcessor?: unknown; loca: { version: number } };
  const create = f.createSubset.bind(real);
  const memo = new Map<number, { buffer: Uint8Array; metrics: { advance: number; bearing: number } }>();
  f.createSubset = () => {
    const subset = create();
    const add = subset._addGlyph.bind(subset);
    subset._addGlyph = (gid) => {
      const hit = memo.get(gid);
      if (hit === undefined) {
        const at = add(gid);
        const glyf = f.getGlyph(gid)._decode();
        if ((glyf === null || glyf.numberOfContours >= 0) && f._variationProcessor == null) memo.set(gid, { buffer: subset.glyf[at]!, metrics: subset.hmtx.metrics[at]! });
        return at;
      }
      subset.glyf.push(hit.buffer);
      subset.loca.offsets.push(subset.offset);
      subset.hmtx.metrics.push(hit.metrics);
      subset.offset += hit.buffer.length;
      return subset.glyf.length - 1;
    };
    subset.encode = () => {
      subset.glyf = [];
      subset.offset = 0;
      subset.loca = { offsets: [], version: f.loca.version };
      subset.hmtx = { metrics: [], bearings: [] };
      // Components of compound glyphs join the list as it is walked.
      for (let i = 0; i < subset.glyphs.length; i++) subset._addGlyph(subset.glyphs[i]!);
      const count = subset.glyf.length;
      const long = f.loca.version !== 0;
      const loca = Buffer.alloc((count + 1) * (long ? 4 : 2));
      [...subset.loca.offsets, subset.offset].forEach((o, i) => (long ? loca.writeUInt32BE(o, 4 * i) : loca.writeUInt16BE(o / 2, 2 * i)));
      const hmtx = Buffer.alloc(4 * count);
      subset.hmtx.metrics.forEach((m, i) => {
        hmtx.writeUInt16BE(m.advance, 4 * i);
        hmtx.writeInt16BE(m.bearing, 4 * i + 2);
      });
      const hhea = Buffer.from(raw.get('hhea')!);
      hhea.writeUInt16BE(count, 34); // numberOfHMetrics
      const maxp = Buffer.from(raw.get('maxp')!);
      maxp.writeUInt16BE(count, 4); // numGlyphs
      const tables = new Map<string, Uint8Array>([['head', raw.get('head')!], ['hhea', hhea], ['maxp', maxp], ['loca', loca], ['glyf', Buffer.concat(subset.glyf)], ['hmtx', hmtx]]);
      for (const tag of ['cvt ', 'fpgm', 'prep']) if (raw.has(tag)) tables.set(tag, raw.get(tag)!);
      return writeSfnt(tables);
    };
    return subset;
  };
  return real;
}

/**
 * The exhibit list (证据目录) as PDF/A-3b, drawn from exhibit-layout.ts's operations with pdfkit: the same
 * guarantees as the certificate (pdf.ts): Noto Sans SC embedded as a subset with its ToUnicode map, XMP with
 * pdfaid and the list's own parameters (declared by a PDF/A extension schema), the sRGB OutputIntent, no clock
 * (the dates are the newest exhibit's entry time), the trailer /ID a hash of the inputs, no compression.
 *
 * Speed: a package holds up to 10,000 exhibits. Every line is placed by the layout, so pdfkit is only asked
 * to draw single lines (lineBreak: false), and its font is shaped one character at a time from a table of
 * advance widths kept per process (no GSUB/GPOS pass over each digest): the widths the layout measured
 * are exactly the widths drawn. The list's fontkit fonts are its own (not the certificate's), so making a
 * list never changes what a later certificate's bytes would be.
 */
import { sha256, toHex, utf8 } from '../crypto/index.js';
import { exhibitListParams, exhibitRow, type ExhibitListInput, type ExhibitListParams } from './exhibit-list.js';
import { layoutExhibitList, PAGE, type Op, type Weight } from './exhibit-layout.js';
import { EXHIBIT_WORDS } from './exhibit-words.js';
import { certificateFont } from './font.js';
import { fontkit, PDFDocumentClass, withGlyphMemo, xmpParamsXml, type FontkitFont } from './pdf.js';

/**
 * The renderer's name, stored in the list's parameters: the layout, the words, pdfkit, fontkit and the font
 * decide every byte. Change it whenever the bytes change (test/certificate/exhibit-list-renderer.test.ts pins
 * a fixture list's SHA-256 to it).
 */
export const EXHIBIT_LIST_RENDERER = 'cunzheng-exhibit-list/1 (pdfkit 0.20.2, fontkit 2.0.4, noto-sans-sc 1.44.1)';
export const EXHIBIT_PARAMS_NS = 'https://cunzheng.dev/ns/exhibit-list/1/';
export const EXHIBIT_PARAMS_TAG = 'cunzhengExhibits:params';

type Glyph = { id: number; advanceWidth: number };
type RealFont = FontkitFont & { glyphForCodePoint: (cp: number) => Glyph; unitsPerEm: number };
type Position = { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number };

/** A glyph run as pdfkit reads one (glyphs with id, codePoints, advanceWidth; positions it scales in place). */
class Run {
  constructor(readonly glyphs: { id: number; codePoints: number[]; advanceWidth: number }[], readonly positions: Position[]) {}
  get advanceWidth(): number {
    let w = 0;
    for (const p of this.positions) w += p.xAdvance;
    return w;
  }
}

interface ListFont {
  /** What pdfkit embeds: the fontkit font with `layout` shaping one character at a time. */
  pdf: FontkitFont;
  /** Advance width of a string in font units. */
  width: (text: string) => number;
  /** Whether the font has a glyph for the code point (else it would print as .notdef, an empty box). */
  has: (cp: number) => boolean;
  unitsPerEm: number;
}

const listFonts = new Map<Weight, ListFont>();

function listFont(weight: Weight): ListFont {
  let f = listFonts.get(weight);
  if (f !== undefined) return f;
  const real = withGlyphMemo(fontkit().create(certificateFont(weight))) as RealFont;
  const glyphs = new Map<number, Glyph>();
  const glyph = (cp: number): Glyph => {
    let g = glyphs.get(cp);
    if (g === undefined) {
      const fg = real.glyphForCodePoint(cp);
      g = { id: fg.id, advanceWidth: fg.advanceWidth };
      glyphs.set(cp, g);
    }
    return g;
  };
  const layout = (text: string): Run => {
    const gs: Run['glyphs'] = [];
    const ps: Position[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const g = glyph(cp);
      gs.push({ id: g.id, codePoints: [cp], advanceWidth: g.advanceWidth });
      ps.push({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 });
    }
    return new Run(gs, ps);
  };
  const width = (text: string): number => {
    let w = 0;
    for (const ch of text) w += glyph(ch.codePointAt(0)!).advanceWidth;
    return w;
  };
  const pdf = new Proxy(real, {
    get(target, key) {
      if (key === 'layout') return layout;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  f = { pdf, width, has: (cp) => glyph(cp).id !== 0, unitsPerEm: real.unitsPerEm };
  listFonts.set(weight, f);
  return f;
}


const xmpParams = (params: ExhibitListParams): string =>
  xmpParamsXml({ schema: 'cunzheng exhibit list', ns: EXHIBIT_PARAMS_NS, prefix: 'cunzhengExhibits', what: 'exhibit list', json: JSON.stringify(params) });

type Doc = InstanceType<ReturnType<typeof PDFDocumentClass>>;
/** What of pdfkit's embedded font the writer uses: its resource name, encode (subset ids, widths, ToUnicode), ascender. */
type Embedded = { id: string; ascender: number; encode: (text: string) => [string[], unknown]; ref: () => unknown };

const num = (n: number): string => String(Math.round(n * 100) / 100);
const rgbs = new Map<string, string>();
const rgb = (hex: string): string => {
  let c = rgbs.get(hex);
  if (c === undefined) rgbs.set(hex, (c = [1, 3, 5].map((i) => num(parseInt(hex.slice(i, i + 2), 16) / 255)).join(' ')));
  return c;
};

/**
 * Writes each page's operations straight into its content stream, in pdfkit's page space (pdfkit starts every
 * page with a y-down matrix; text runs are drawn in a y-up matrix, as pdfkit's own text() does). Glyphs are
 * the embedded font's subset ids, got from pdfkit's encode once per character per document (which also
 * records the widths and the ToUnicode map pdfkit writes), so nothing about the font is done twice.
 */
class PageWriter {
  private readonly fonts: Record<Weight, Embedded>;
  private readonly hex: Record<Weight, Map<number, string>> = { regular: new Map(), bold: new Map() };

  constructor(private readonly doc: Doc) {
    const load = (w: Weight): Embedded => (doc.font(w) as unknown as { _font: Embedded })._font;
    this.fonts = { regular: load('regular'), bold: load('bold') };
  }

  private glyphs(text: string, weight: Weight): string {
    const cache = this.hex[weight];
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let h = cache.get(cp);
      if (h === undefined) {
        h = this.fonts[weight].encode(ch)[0].join('');
        cache.set(cp, h);
      }
      out += h;
    }
    return out;
  }

  page(ops: readonly Op[]): void {
    const doc = this.doc;
    doc.addPage({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 } });
    const page = (doc as unknown as { page: { fonts: Record<string, unknown>; write: (b: Uint8Array) => void } }).page;
    for (const f of Object.values(this.fonts)) page.fonts[f.id] = f.ref();
    const out: string[] = [];
    let inText = false;
    let fill = '';
    let font = '';
    for (const o of ops) {
      if (o.t === 'text') {
        if (!inText) {
          out.push(`q 1 0 0 -1 0 ${num(PAGE.h)} cm BT`);
          inText = true;
          fill = '';
          font = '';
        }
        const f = this.fonts[o.weight];
        if (`${f.id} ${o.size}` !== font) out.push(`/${f.id} ${num(o.size)} Tf`), (font = `${f.id} ${o.size}`);
        if (o.color !== fill) out.push(`${rgb(o.color)} rg`), (fill = o.color);
        out.push(`1 0 0 1 ${num(o.x)} ${num(PAGE.h - o.y - (f.ascender / 1000) * o.size)} Tm <${this.glyphs(o.text, o.weight)}> Tj`);
        continue;
      }
      if (inText) out.push('ET Q'), (inText = false);
      if (o.t === 'line') out.push(`${num(o.width)} w ${rgb(o.color)} RG ${num(o.x1)} ${num(o.y1)} m ${num(o.x2)} ${num(o.y2)} l S`);
      else out.push(`${rgb(o.color)} rg ${num(o.x)} ${num(o.y)} ${num(o.w)} ${num(o.h)} re f`);
    }
    if (inText) out.push('ET Q');
    page.write(Buffer.from(out.join('\n'), 'latin1'));
  }
}

/** The exhibit list's PDF bytes. Bad input is EXHIBIT_LIST_MALFORMED / _TOO_LARGE / _RECEIPT_INVALID. */
export async function makeExhibitList(input: ExhibitListInput): Promise<Uint8Array> {
  const params = exhibitListParams(input, EXHIBIT_LIST_RENDERER);
  const fonts = { regular: listFont('regular'), bold: listFont('bold') };
  // A character the font has no glyph for (an emoji in a title) is printed as its code point, U+1F600, not
  // as an empty box whose text would be lost; the parameters keep it as given.
  const shown = (t: string): string => {
    let out = '';
    for (const ch of t) out += fonts.regular.has(ch.codePointAt(0)!) || ch === ' ' ? ch : `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`;
    return out;
  };
  const rows = input.exhibits.map((e) => {
    const r = exhibitRow(e, params);
    return { ...r, what: shown(r.what), ...(r.level === undefined ? {} : { level: shown(r.level) }), receiptFile: shown(r.receiptFile), certificateFile: shown(r.certificateFile) };
  });
  const layoutParams = params.title === undefined ? params : { ...params, title: shown(params.title) };
  const measure = (text: string, weight: Weight, size: number): number => (fonts[weight].width(text) * size) / fonts[weight].unitsPerEm;
  const pages = layoutExhibitList({ ...layoutParams, origin: shown(params.origin) }, rows, measure);

  const newest = rows.reduce((t, r) => (r.utc > t ? r.utc : t), rows[0]!.utc);
  const time = new Date(newest);
  const w = EXHIBIT_WORDS[params.lang];
  const PDFDocument = PDFDocumentClass();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    compress: false,
    autoFirstPage: false,
    fontLayoutCache: false,
    displayTitle: true,
    lang: params.lang === 'zh' ? 'zh-CN' : 'en',
    info: {
      Title: params.title === undefined ? w.title : `${w.title} ${params.title}`,
      Subject: `${params.origin} ${params.checkpoint.size}`,
      Keywords: 'cunzheng exhibit list',
      Creator: 'cunzheng',
      Producer: 'cunzheng exhibit list v1 (PDFKit)',
      CreationDate: time,
      ModDate: time,
    },
  } as ConstructorParameters<typeof PDFDocument>[0]);
  // The file identifier: a hash of what the list is of (its parameters and every receipt's bytes).
  const receipts = input.exhibits.map((e) => toHex(sha256(e.receipt))).join('\n');
  (doc as unknown as { _id: Buffer })._id = Buffer.from(sha256(utf8(`${JSON.stringify(params)}\n${receipts}`)).subarray(0, 16));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('regular', fonts.regular.pdf as never);
  doc.registerFont('bold', fonts.bold.pdf as never);
  doc.appendXML(xmpParams(params));
  doc.appendXML(`
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:ModifyDate>${time.toISOString().split('.')[0]}Z</xmp:ModifyDate>
        </rdf:Description>
        `);
  const writer = new PageWriter(doc);
  for (let i = 0; i < pages.count; i++) writer.page(pages.page(i));
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Lays the blocks out on A4 with pdfkit, as PDF/A-3b: XMP metadata with pdfaid (and the certificate's own
 * parameters, declared by a PDF/A extension schema), the sRGB OutputIntent pdfkit ships, Noto Sans SC
 * embedded as a subset, the receipt (AFRelationship Source) and its tlog-proof (Data) as embedded files,
 * the QR code drawn as vector squares. Deterministic: no clock (CreationDate and ModDate are the entry's
 * time), the trailer /ID is SHA-256 of the receipt and the parameters, and streams are not compressed, so
 * the bytes do not depend on the zlib build either.
 */
import { createRequire } from 'node:module';
import { sha256, toHex, utf8 } from '../crypto/index.js';
import type { Block } from './blocks.js';
import { attachmentNames } from './blocks.js';
import { certificateFont, sfntTables, withSubsetWriter, type FontWeight } from './font.js';
import { drawQr, shareShaping, textHeight, writeText, type MetricsFont, type TextDoc, type TextStyle } from './layout.js';
import type { CertificateData } from './model.js';
import { WORDS, type CertificateLang } from './words.js';

/** What the certificate was made with: stored in its XMP so `verify` can make it again and compare bytes. */
export interface CertificateParams {
  format: 'cunzheng/certificate/v1';
  /** Which renderer made the bytes (CERTIFICATE_RENDERER when this code made them). */
  renderer: string;
  lang: CertificateLang;
  verifierUrl: string;
  checkedFile?: string;
}

export const PARAMS_NS = 'https://cunzheng.dev/ns/certificate/1/';

/**
 * The renderer's name: the layout, the words, pdfkit, fontkit and the font package together decide every byte,
 * so a certificate can be made again byte for byte only by the renderer that made it. Change this whenever the
 * bytes change (test/certificate/renderer.test.ts pins a fixture certificate's SHA-256 to it), so `verify` can
 * tell a certificate of another renderer (CERTIFICATE_OTHER_RENDERER) from one that was altered.
 */
export const CERTIFICATE_RENDERER = 'cunzheng-certificate/2 (pdfkit 0.20.2, fontkit 2.0.4, noto-sans-sc 1.44.1)';

const require = createRequire(import.meta.url);
// pdfkit and fontkit are loaded on the first certificate, not when this module is imported: they cost about
// 0.6 s of start-up, which every command and the service would otherwise pay without making a certificate.
export type PdfKit = typeof import('pdfkit');
let pdfkitLib: PdfKit | undefined;
let fontkitLib: { create: (b: Buffer) => FontkitFont } | undefined;
export const PDFDocumentClass = (): PdfKit => (pdfkitLib ??= require('pdfkit') as PdfKit);
export const fontkit = (): { create: (b: Buffer) => FontkitFont } => (fontkitLib ??= require('fontkit') as { create: (b: Buffer) => FontkitFont });

export type FontkitFont = { layout: (text: string) => unknown };
const fonts = new Map<FontWeight, FontkitFont>();
const LAYOUT_CACHE_MAX = 50_000;

/**
 * The font with its shaping (fontkit's layout: cmap, GSUB, GPOS) memoised across certificates: most words
 * of a certificate are those of every other one. pdfkit scales the positions of the run it is given in
 * place, so each call gets its own copy of the cached run (same prototypes: GlyphRun's getters still work).
 */
function withLayoutCache(real: FontkitFont): FontkitFont {
  type Run = { glyphs: unknown[]; positions: object[] };
  const cache = new Map<string, Run>();
  const copy = (run: Run): Run => Object.assign(Object.create(Object.getPrototypeOf(run) as object) as Run, run, {
    glyphs: run.glyphs.slice(),
    positions: run.positions.map((p) => Object.assign(Object.create(Object.getPrototypeOf(p) as object) as object, p)),
  });
  const layout = (text: string, ...rest: unknown[]): Run => {
    const key = rest.length === 0 || rest[0] === undefined ? text : `${text}\u0000${JSON.stringify(rest)}`;
    let run = cache.get(key);
    if (run === undefined) {
      run = (real.layout as (t: string, ...r: unknown[]) => Run)(text, ...rest);
      if (cache.size >= LAYOUT_CACHE_MAX) cache.clear();
      cache.set(key, run);
    }
    return copy(run);
  };
  return new Proxy(real, {
    get(target, key) {
      if (key === 'layout') return layout;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
/**
 * The glyphs' outlines decoded once per process: fontkit's subsetter decodes every glyph it copies (only to
 * tell a compound glyph, whose components it must copy too), once per certificate; the font and its glyph
 * objects live as long as the process, so the decoded outline is kept on the glyph. Same bytes out.
 */
export function withGlyphMemo(real: FontkitFont): FontkitFont {
  type Glyph = { _decode: () => unknown };
  const f = real as unknown as { getGlyph: (id: number, chars?: unknown) => Glyph | null };
  const getGlyph = f.getGlyph.bind(real);
  const memoised = new WeakSet<Glyph>();
  f.getGlyph = (id, chars) => {
    const g = getGlyph(id, chars);
    if (g !== null && !memoised.has(g)) {
      memoised.add(g);
      const decode = g._decode.bind(g);
      let decoded: { v: unknown } | undefined;
      g._decode = () => (decoded ??= { v: decode() }).v;
    }
    return g;
  };
  return real;
}

const metrics = (weight: FontWeight): MetricsFont => font(weight) as unknown as MetricsFont;

function font(weight: FontWeight): FontkitFont {
  let f = fonts.get(weight);
  if (f === undefined) {
    f = withLayoutCache(withSubsetWriter(withGlyphMemo(fontkit().create(certificateFont(weight))), sfntTables(certificateFont(weight))));
    fonts.set(weight, f);
  }
  return f;
}

const A4 = { w: 595.28, h: 841.89 };
const M = { top: 56, bottom: 64, left: 56, right: 56 };
const WIDTH = A4.w - M.left - M.right;
const LABEL_W = 150;
const INK = '#1a1a1a';
const MUTED = '#555555';
const ACCENT = '#8b1a1a';
const QR_SIZE = 112;

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The XMP of a document's parameters (a certificate's, an exhibit list's): the PDF/A extension schema that declares
 * the property `<prefix>:params` in `ns`, then the parameters' JSON in it, so the document can be made again.
 */
export function xmpParamsXml(p: { schema: string; ns: string; prefix: string; what: string; json: string }): string {
  return `
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
            <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>${p.schema}</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>${p.ns}</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>${p.prefix}</pdfaSchema:prefix>
                <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
                    <pdfaProperty:name>params</pdfaProperty:name>
                    <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                    <pdfaProperty:category>internal</pdfaProperty:category>
                    <pdfaProperty:description>the parameters the ${p.what} was made with (JSON)</pdfaProperty:description>
                </rdf:li></rdf:Seq></pdfaSchema:property>
            </rdf:li></rdf:Bag></pdfaExtension:schemas>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:${p.prefix}="${p.ns}">
            <${p.prefix}:params>${xml(p.json)}</${p.prefix}:params>
        </rdf:Description>
        `;
}

const xmpParams = (params: CertificateParams): string =>
  xmpParamsXml({ schema: 'cunzheng certificate', ns: PARAMS_NS, prefix: 'cunzheng', what: 'certificate', json: JSON.stringify(params) });

type Doc = InstanceType<PdfKit>;

function ensure(doc: Doc, height: number): void {
  if (doc.y + height > A4.h - M.bottom) {
    doc.addPage();
    doc.y = M.top;
  }
}

/** Text in one of the two weights, wrapped by layout.ts. */
function put(doc: Doc, text: string, x: number, y: number, width: number, style: TextStyle): number {
  return writeText(doc as unknown as TextDoc, metrics(style.weight), text, x, y, width, style);
}

function height(doc: Doc, text: string, width: number, style: TextStyle): number {
  return textHeight(doc as unknown as TextDoc, metrics(style.weight), text, width, style);
}

function render(doc: Doc, blocks: readonly Block[]): void {
  for (const [i, b] of blocks.entries()) {
    switch (b.t) {
      case 'title': {
        put(doc, b.text, M.left, doc.y, WIDTH, { weight: 'bold', size: 22, color: ACCENT, align: 'center' });
        if (b.kind !== undefined) put(doc.moveDown(0.1), b.kind, M.left, doc.y, WIDTH, { weight: 'bold', size: 14, color: ACCENT, align: 'center' });
        doc.moveDown(0.2);
        put(doc, b.sub, M.left, doc.y, WIDTH, { weight: 'regular', size: 10, color: MUTED, align: 'center' });
        doc.moveDown(0.6);
        const y = doc.y;
        doc.save().lineWidth(1.2).strokeColor(ACCENT).moveTo(M.left, y).lineTo(M.left + WIDTH, y).stroke();
        doc.lineWidth(0.4).moveTo(M.left, y + 2.5).lineTo(M.left + WIDTH, y + 2.5).stroke().restore();
        doc.y = y + 10;
        break;
      }
      case 'section':
        ensure(doc, 48);
        doc.moveDown(0.5);
        doc.save().rect(M.left, doc.y + 1, 3, 12).fill(ACCENT).restore();
        put(doc, b.text, M.left + 9, doc.y, WIDTH - 9, { weight: 'bold', size: 11.5, color: INK });
        doc.moveDown(0.3);
        break;
      case 'rows':
        for (const r of b.rows) {
          const value: TextStyle = { weight: 'regular', size: r.mono === true ? 8.6 : 9.4, color: INK, lineGap: 1.5 };
          const label: TextStyle = { weight: 'regular', size: 9, color: MUTED, lineGap: 1.5 };
          ensure(doc, Math.max(height(doc, r.value, WIDTH - LABEL_W, value), height(doc, r.label, LABEL_W - 8, label)) + 3);
          const y = doc.y;
          const below = put(doc, r.label, M.left, y, LABEL_W - 8, label);
          doc.y = Math.max(put(doc, r.value, M.left + LABEL_W, y, WIDTH - LABEL_W, value), below) + 3;
        }
        break;
      case 'para': {
        const style: TextStyle = { weight: b.strong === true ? 'bold' : 'regular', size: b.small === true ? 8.2 : 9.2, color: b.small === true ? MUTED : INK, lineGap: 2 };
        const next = blocks[i + 1];
        // Kept with what it introduces: a command block, the QR code, the first lines of the next paragraph.
        const extra = next?.t === 'code' ? 40 : next?.t === 'qr' ? QR_SIZE + 12 : next?.t === 'para' ? 30 : 0;
        ensure(doc, height(doc, b.text, WIDTH, style) + 4 + extra);
        put(doc, b.text, M.left, doc.y, WIDTH, style);
        doc.moveDown(0.3);
        break;
      }
      case 'code': {
        const style: TextStyle = { weight: 'regular', size: 7.6, color: INK, lineGap: 1.5 };
        const h = height(doc, b.text, WIDTH - 16, style) + 10;
        ensure(doc, h);
        const y = doc.y;
        doc.save().rect(M.left, y, WIDTH, h).fill('#f2f2f2').restore();
        put(doc, b.text, M.left + 8, y + 5, WIDTH - 16, style);
        doc.y = y + h + 4;
        break;
      }
      case 'qr': {
        const style: TextStyle = { weight: 'regular', size: 7.4, color: '#1f3f8f', lineGap: 1 };
        const textW = WIDTH - QR_SIZE - 16;
        const h = Math.max(QR_SIZE + 12, height(doc, b.url, textW, style));
        ensure(doc, h);
        const y = doc.y;
        put(doc, b.url, M.left, y, textW, style);
        drawQr(doc as unknown as TextDoc, b.url, M.left + WIDTH - QR_SIZE, y, QR_SIZE);
        put(doc, b.caption, M.left + WIDTH - QR_SIZE, y + QR_SIZE + 1, QR_SIZE, { weight: 'regular', size: 8, color: MUTED, align: 'center' });
        doc.y = y + h + 4;
        break;
      }
    }
  }
}

function footer(doc: Doc, data: CertificateData, lang: CertificateLang): void {
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const y = A4.h - 40;
    doc.save().lineWidth(0.4).strokeColor('#999999').moveTo(M.left, y - 6).lineTo(M.left + WIDTH, y - 6).stroke().restore();
    const style: TextStyle = { weight: 'regular', size: 7.5, color: MUTED };
    put(doc, `${WORDS[lang].id} ${data.id}`, M.left, y, WIDTH / 2, style);
    put(doc, WORDS[lang].page(i + 1, range.count), M.left + WIDTH / 2, y, WIDTH / 2, { ...style, align: 'right' });
  }
}

/** The PDF bytes of a certificate. */
export async function renderCertificatePdf(data: CertificateData, blocks: readonly Block[], params: CertificateParams): Promise<Buffer> {
  const lang = params.lang;
  const time = new Date(data.entry.time);
  const PDFDocument = PDFDocumentClass();
  const doc = new PDFDocument({
    size: 'A4',
    margins: M,
    // No standard font: every glyph is Noto Sans SC's, and pdfkit need not parse Helvetica's metrics each time.
    font: null as unknown as string,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    compress: false,
    bufferPages: true,
    displayTitle: true,
    lang: lang === 'zh' ? 'zh-CN' : 'en',
    info: {
      Title: `${WORDS[lang].title} ${data.id}`,
      Author: data.entry.subject.name,
      Subject: `${data.origin} #${data.leafIndex}`,
      Keywords: `cunzheng certificate ${data.id}`,
      Creator: 'cunzheng',
      Producer: 'cunzheng certificate v1 (PDFKit)',
      CreationDate: time,
      ModDate: time,
    },
  });
  // The file identifier: derived from what the certificate is of, not pdfkit's hash of the info dictionary.
  (doc as unknown as { _id: Buffer })._id = Buffer.from(sha256(utf8(`${toHex(sha256(data.receiptBytes))}\n${JSON.stringify(params)}`)).subarray(0, 16));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('regular', font('regular') as never);
  doc.registerFont('bold', font('bold') as never);
  shareShaping(doc as unknown as TextDoc, ['regular', 'bold']);
  doc.appendXML(xmpParams(params));
  doc.appendXML(`
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:ModifyDate>${time.toISOString().split('.')[0]}Z</xmp:ModifyDate>
        </rdf:Description>
        `);
  const names = attachmentNames(data.id);
  // pdfkit's types predate AFRelationship (`relationship`), which PDF/A-3 asks of every embedded file.
  const attach = (doc as unknown as { file: (b: Buffer, o: Record<string, unknown>) => void }).file.bind(doc);
  attach(Buffer.from(data.receiptBytes), { name: names.receipt, type: 'application/json', description: 'cunzheng receipt (cunzheng/receipt/v1)', relationship: 'Source', creationDate: time, modifiedDate: time });
  attach(Buffer.from(data.tlogProof, 'utf8'), { name: names.tlogProof, type: 'text/plain', description: 'C2SP tlog-proof@v1', relationship: 'Data', creationDate: time, modifiedDate: time });
  doc.y = M.top;
  render(doc, blocks);
  footer(doc, data, lang);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

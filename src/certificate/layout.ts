/**
 * The certificate's text and QR code on the page, faster than pdfkit's own paths for them and the same on
 * paper. Lines are broken here (at spaces, between CJK characters, never before 。，、 and the like, inside a
 * long token such as a hex digest or a URL where it reaches the edge) with glyph advances cached per font for
 * the life of the process, so a text's height is known before it is drawn; its lines are then written as one
 * text object, their glyphs shaped and encoded by pdfkit's embedded font (so the subset, the widths and the
 * ToUnicode map are pdfkit's own). pdfkit's shaping memo, per document, is shared by the documents of a
 * process; the QR code is drawn with one fixed mask and one rectangle per run of dark modules. Deterministic:
 * the same text, font and width always give the same lines.
 */
import QRCode from 'qrcode';
import type { FontWeight } from './font.js';

/** What this module needs of a fontkit font. */
export interface MetricsFont {
  unitsPerEm: number;
  glyphForCodePoint: (cp: number) => { advanceWidth: number };
}

/** The pdfkit document, as far as this module uses it. */
export interface TextDoc {
  font(name: string): TextDoc;
  fontSize(size: number): TextDoc;
  fillColor(color: string): TextDoc;
  currentLineHeight(includeGap?: boolean): number;
  save(): TextDoc;
  restore(): TextDoc;
  rect(x: number, y: number, w: number, h: number): TextDoc;
  fill(color?: string): TextDoc;
  addContent(data: string): TextDoc;
  y: number;
}

export interface TextStyle {
  weight: FontWeight;
  size: number;
  color: string;
  lineGap?: number;
  align?: 'left' | 'center' | 'right';
}

/** Characters a line never starts with, and characters it never ends with (Chinese line breaking, 禁则). */
const NO_START = new Set([...'，。、：；！？）」』】》〉”’…—·,.:;!?)]}%']);
const NO_END = new Set([...'（「『【《〈“‘([{']);
const wide = (c: string): boolean => c.codePointAt(0)! >= 0x2e80;

const advances = new Map<MetricsFont, Map<string, number>>();

/** A string's advance in thousandths of the font size: the sum of its glyphs' advances (cached per character). */
export function advanceOf(font: MetricsFont, s: string): number {
  let table = advances.get(font);
  if (table === undefined) advances.set(font, (table = new Map()));
  let w = 0;
  for (const c of s) {
    let a = table.get(c);
    if (a === undefined) {
      a = (font.glyphForCodePoint(c.codePointAt(0)!).advanceWidth * 1000) / font.unitsPerEm;
      table.set(c, a);
    }
    w += a;
  }
  return w;
}

/** A paragraph cut where a line may break: each piece is its text and the spaces after it. */
function pieces(para: string): { word: string; space: string }[] {
  const chars = [...para];
  const out: { word: string; space: string }[] = [];
  let word = '';
  let space = '';
  let started = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ' && started) {
      space += c;
      continue;
    }
    const prev = chars[i - 1];
    const breakHere = started && prev !== undefined && (space !== '' || ((wide(prev) || wide(c)) && !NO_START.has(c) && !NO_END.has(prev)));
    if (breakHere) {
      out.push({ word, space });
      word = '';
      space = '';
    }
    word += c;
    if (c !== ' ') started = true;
  }
  out.push({ word, space });
  return out;
}

const wrapped = new Map<string, string[]>();
const fontIds = new Map<MetricsFont, number>();
const WRAP_CACHE_MAX = 20_000;

/** The lines of `text` in `font` at `size` within `width` points: greedy, breaking inside a token only when it alone is too wide. */
export function wrapText(font: MetricsFont, size: number, text: string, width: number): string[] {
  let id = fontIds.get(font);
  if (id === undefined) fontIds.set(font, (id = fontIds.size));
  const key = `${id}\u0000${size}\u0000${width}\u0000${text}`;
  const hit = wrapped.get(key);
  if (hit !== undefined) return hit;
  const max = (width * 1000) / size;
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let lineW = 0;
    let pending = '';
    for (const { word, space } of pieces(para)) {
      const ww = advanceOf(font, word);
      const pw = advanceOf(font, pending);
      if (line !== '' && lineW + pw + ww > max) {
        lines.push(line);
        line = '';
        lineW = 0;
      } else if (line !== '') {
        line += pending;
        lineW += pw;
      }
      if (line === '' && ww > max) {
        for (const c of word) {
          const cw = advanceOf(font, c);
          if (line !== '' && lineW + cw > max) {
            lines.push(line);
            line = '';
            lineW = 0;
          }
          line += c;
          lineW += cw;
        }
      } else {
        line += word;
        lineW += ww;
      }
      pending = space;
    }
    lines.push(line);
  }
  if (wrapped.size >= WRAP_CACHE_MAX) wrapped.clear();
  wrapped.set(key, lines);
  return lines;
}

/** A text's height in points, wrapped as `writeText` writes it. */
export function textHeight(doc: TextDoc, font: MetricsFont, text: string, width: number, style: TextStyle): number {
  doc.font(style.weight).fontSize(style.size);
  return wrapText(font, style.size, text, width).length * (doc.currentLineHeight(true) + (style.lineGap ?? 0));
}

/** pdfkit's embedded font of the current weight (a document's own: it collects the glyphs of its subset). */
interface EmbeddedFont {
  id: string;
  ascender: number;
  ref(): unknown;
  encode(text: string): [string[], { xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }[]];
}

/** pdfkit's number format in content streams: rounded to 6 decimals. */
const pdfNum = (n: number): string => String(Math.round(n * 1e6) / 1e6);

/**
 * One line as text-showing operators, as pdfkit's own text() writes it (its _fragment): the glyphs of the
 * document's embedded font in hex, a kerning adjustment where a glyph's advance differs from its width, and a
 * new text matrix around a glyph that is offset.
 */
function showLine(font: EmbeddedFont, size: number, line: string, x: number, y: number, ops: string[]): void {
  const [encoded, positions] = font.encode(line);
  const scale = size / 1000;
  ops.push(`1 0 0 1 ${pdfNum(x)} ${pdfNum(y)} Tm`);
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  const segment = (cur: number): void => {
    if (last < cur) commands.push(`<${encoded.slice(last, cur).join('')}> ${pdfNum(-(positions[cur - 1]!.xAdvance - positions[cur - 1]!.advanceWidth))}`);
    last = cur;
  };
  const flush = (i: number): void => {
    segment(i);
    if (commands.length > 0) ops.push(`[${commands.join(' ')}] TJ`);
    commands.length = 0;
  };
  let at = x;
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i]!;
    if (pos.xOffset || pos.yOffset) {
      flush(i);
      ops.push(`1 0 0 1 ${pdfNum(at + pos.xOffset * scale)} ${pdfNum(y + pos.yOffset * scale)} Tm`);
      flush(i + 1);
      hadOffset = true;
    } else {
      if (hadOffset) {
        ops.push(`1 0 0 1 ${pdfNum(at)} ${pdfNum(y)} Tm`);
        hadOffset = false;
      }
      if (pos.xAdvance - pos.advanceWidth !== 0) segment(i + 1);
    }
    at += pos.xAdvance * scale;
  }
  flush(positions.length);
}

/**
 * Writes `text` from (x, y) within `width`, wrapped by wrapText; returns the y below its last line (doc.y is
 * set to it). All its lines go to the page as one text object, in one write.
 */
export function writeText(doc: TextDoc, font: MetricsFont, text: string, x: number, y: number, width: number, style: TextStyle): number {
  doc.font(style.weight).fontSize(style.size).fillColor(style.color);
  const step = doc.currentLineHeight(true) + (style.lineGap ?? 0);
  const pd = doc as unknown as { _font: EmbeddedFont; page: { height: number; fonts: Record<string, unknown> } };
  const embedded = pd._font;
  const pageHeight = pd.page.height;
  const ops: string[] = [];
  let at = y;
  for (const line of wrapText(font, style.size, text, width)) {
    if (line !== '') {
      const free = width - (advanceOf(font, line.trimEnd()) * style.size) / 1000;
      const dx = style.align === 'center' ? free / 2 : style.align === 'right' ? free : 0;
      // pdfkit's page space runs downwards; text space upwards, from the line's baseline.
      showLine(embedded, style.size, line, x + Math.max(0, dx), pageHeight - at - (embedded.ascender / 1000) * style.size, ops);
    }
    at += step;
  }
  if (ops.length > 0) {
    pd.page.fonts[embedded.id] ??= embedded.ref();
    doc.addContent(`q\n1 0 0 -1 0 ${pdfNum(pageHeight)} cm\nBT\n/${embedded.id} ${pdfNum(style.size)} Tf\n${ops.join('\n')}\nET\nQ`);
  }
  doc.y = at;
  return at;
}

/** A number as a PDF content stream writes it: at most 3 decimals, never an exponent. */
const num = (n: number): string => String(Math.round(n * 1000) / 1000);

/**
 * The QR code of `url` (error correction M) as vector squares on white, with a quiet zone of 2 modules. The
 * mask is fixed (pattern 0, which any reader handles) instead of searched: the 8-mask penalty search was a
 * tenth of a certificate's time. Each run of dark modules in a row is one rectangle, all in one path.
 */
export function drawQr(doc: TextDoc, url: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M', maskPattern: 0 });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  const ops: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.data[r * n + c]) continue;
      let end = c + 1;
      while (end < n && qr.modules.data[r * n + end]) end++;
      ops.push(`${num(x + (c + quiet) * cell)} ${num(y + (r + quiet) * cell)} ${num((end - c) * cell)} ${num(cell)} re`);
      c = end;
    }
  }
  doc.addContent(ops.join('\n'));
  doc.fill('#000000').restore();
}

/** pdfkit's per-document shaping memo, shared by every document of the process for a font (reset now and then). */
const sharedRuns = new Map<string, Record<string, unknown>>();
let documentsSinceReset = 0;
const RESET_EVERY = 256;

/** Called once per document, after its fonts are registered: each of its embedded fonts shapes through the shared memo. */
export function shareShaping(doc: TextDoc, weights: readonly FontWeight[]): void {
  if (++documentsSinceReset > RESET_EVERY) {
    sharedRuns.clear();
    documentsSinceReset = 1;
  }
  for (const w of weights) {
    const embedded = (doc.font(w) as unknown as { _font: { layoutCache?: Record<string, unknown> } })._font;
    if (embedded.layoutCache === undefined) continue;
    let runs = sharedRuns.get(w);
    if (runs === undefined) sharedRuns.set(w, (runs = Object.create(null) as Record<string, unknown>));
    embedded.layoutCache = runs;
  }
}

/**
 * The exhibit list on A4, as drawing operations per page: a fixed table (the exhibit's number in the first
 * column, its facts as label/value lines in the second), every line placed here with widths measured by the
 * caller's `measure` (the font's advance widths), so the PDF writer only draws: no line breaking in pdfkit,
 * which is what made long lists slow. Long values (a title, a file name) wrap at spaces, else between any two
 * characters; digests are never cut inside a line that fits, and every character is printed. The page count
 * is known before anything is drawn, so each page carries 第 n 页 / 共 N 页. Pure: no font, no I/O.
 */
import type { ExhibitListParams, ExhibitRow } from './exhibit-list.js';
import { EXHIBIT_WORDS } from './exhibit-words.js';

export type Weight = 'regular' | 'bold';
/** Width in points of `text` in `weight` at `size`. */
export type Measure = (text: string, weight: Weight, size: number) => number;

export interface TextOp { t: 'text'; text: string; x: number; y: number; size: number; weight: Weight; color: string }
export interface LineOp { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: string }
export interface RectOp { t: 'rect'; x: number; y: number; w: number; h: number; color: string }
export type Op = TextOp | LineOp | RectOp;

export const PAGE = { w: 595.28, h: 841.89 };
const M = { top: 48, bottom: 56, left: 42, right: 42 };
const W = PAGE.w - M.left - M.right;
const NO_W = 50;
const BODY_X = M.left + NO_W;
const LABEL_W = 50;
const VALUE_X = BODY_X + LABEL_W;
const RIGHT = M.left + W;
const SIZE = 7.6;
const LABEL_SIZE = 7;
const LINE = 10.2;
const PAD = 4;
const INK = '#1a1a1a';
const MUTED = '#555555';
const ACCENT = '#8b1a1a';
const RULE = '#bbbbbb';

const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const NO_LINE_START = new Set(Array.from('，。、；：？！）》」』】〉’”…·,.;:?!)]'));

const WORD = /^[A-Za-z0-9+\-:._@/]$/;

/** A line may start at chars[k]: not closing punctuation, not inside a Latin word or number. */
function canBreakBefore(chars: readonly string[], k: number): boolean {
  return !NO_LINE_START.has(chars[k]!) && chars[k] !== ' ' && !(WORD.test(chars[k - 1]!) && WORD.test(chars[k]!));
}

function widthOf(chars: readonly string[], from: number, to: number, weight: Weight, size: number, measure: Measure): number {
  let w = 0;
  for (let j = from; j < to; j++) w += measure(chars[j]!, weight, size);
  return w;
}

/** `text` in lines no wider than `width`: at a space when one is on the line, else between characters. */
export function wrap(text: string, width: number, weight: Weight, size: number, measure: Measure): string[] {
  if (measure(text, weight, size) <= width) return [text];
  const chars = Array.from(text);
  const lines: string[] = [];
  let start = 0;
  let space = -1;
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    const w = measure(chars[i]!, weight, size);
    if (used + w > width && i > start) {
      let cut = space > start ? space + 1 : i;
      // No line starts with closing punctuation (，。、）…) and no Latin word or number is cut (UTC+08:00):
      // the characters before go down with it, when that still fits; else the break is here.
      if (cut === i) {
        let back = i;
        while (back > start + 1 && i - back < 24 && !canBreakBefore(chars, back)) back--;
        if (canBreakBefore(chars, back)) cut = back;
        else if (NO_LINE_START.has(chars[i]!)) {
          // Only a Latin word or number runs up to the closing mark: cutting the word is the lesser fault.
          let b = i;
          while (b > start + 1 && NO_LINE_START.has(chars[b]!)) b--;
          if (!NO_LINE_START.has(chars[b]!)) cut = b;
        }
      }
      if (cut < i && widthOf(chars, cut, i + 1, weight, size, measure) > width) cut = i;
      lines.push(chars.slice(start, cut).join('').trimEnd());
      start = cut;
      space = -1;
      used = widthOf(chars, start, i, weight, size, measure);
    }
    if (chars[i] === ' ') space = i;
    used += w;
  }
  if (start < chars.length) lines.push(chars.slice(start).join(''));
  return lines;
}

interface Block { height: number; ops: (y: number) => Op[] }

function text(t: string, x: number, y: number, size = SIZE, weight: Weight = 'regular', color = INK): TextOp {
  return { t: 'text', text: t, x, y, size, weight, color };
}

/** Label/value lines of one exhibit, measured; the row's height and its operations at a given top. */
function exhibitBlock(r: ExhibitRow, p: ExhibitListParams, measure: Measure, tabs: Tabs): Block {
  const w = EXHIBIT_WORDS[p.lang];
  const lines: ((y: number) => Op[])[] = [];
  const valueW = RIGHT - VALUE_X;
  const pair = (label: string, value: string, x: number, y: number): Op[] => [
    text(label, x, y + 0.5, LABEL_SIZE, 'regular', MUTED),
    text(value, x + LABEL_W, y),
  ];
  // The kind and the document (wrapped), 密级 at the right.
  const levelText = r.level === undefined ? undefined : `${w.level} ${r.level}`;
  const levelW = levelText === undefined ? 0 : measure(levelText, 'bold', SIZE) + 8;
  // An English kind can be wider than the label column: the document then starts after it.
  const whatX = Math.max(VALUE_X, BODY_X + measure(r.kind, 'bold', SIZE) + 6);
  const first = wrap(r.what, RIGHT - whatX - levelW, 'regular', SIZE, measure);
  first.forEach((l, i) => lines.push((y) => {
    const ops: Op[] = [text(l, whatX, y)];
    if (i === 0) {
      ops.push(text(r.kind, BODY_X, y, SIZE, 'bold', ACCENT));
      if (levelText !== undefined) ops.push(text(levelText, RIGHT - levelW + 8, y, SIZE, 'bold', ACCENT));
    }
    return ops;
  }));
  const idLine = (y: number): Op[] => [...pair(w.id, r.id, BODY_X, y), ...pair(w.leaf, String(r.leafIndex), tabs.leaf, y)];
  const timeOps = (x: number, y: number): Op[] => pair(w.time, r.time, x, y);
  if (tabs.time === undefined) {
    lines.push(idLine, (y) => timeOps(BODY_X, y));
  } else {
    const at = tabs.time;
    lines.push((y) => [...idLine(y), ...timeOps(at, y)]);
  }
  for (const [label, value] of [['SHA-256', r.sha256], ['SM3', r.sm3 ?? w.none]] as const) {
    for (const [i, l] of wrap(value, valueW, 'regular', SIZE, measure).entries()) lines.push((y) => (i === 0 ? pair(label, l, BODY_X, y) : [text(l, VALUE_X, y)]));
  }
  // The two files side by side when both fit in half the width, else one under the other, wrapped.
  const half = (RIGHT - BODY_X) / 2;
  if (measure(r.receiptFile, 'regular', SIZE) <= half - LABEL_W - 6 && measure(r.certificateFile, 'regular', SIZE) <= half - LABEL_W) {
    lines.push((y) => [...pair(w.receipt, r.receiptFile, BODY_X, y), ...pair(w.certificate, r.certificateFile, BODY_X + half, y)]);
  } else {
    for (const [label, value] of [[w.receipt, r.receiptFile], [w.certificate, r.certificateFile]] as const) {
      for (const [i, l] of wrap(value, valueW, 'regular', SIZE, measure).entries()) lines.push((y) => (i === 0 ? pair(label, l, BODY_X, y) : [text(l, VALUE_X, y)]));
    }
  }
  const no = wrap(r.no, NO_W - 4, 'bold', 9, measure);
  const height = Math.max(lines.length, no.length) * LINE + 2 * PAD;
  return {
    height,
    ops: (top) => [
      ...no.map((l, i) => text(l, M.left, top + PAD - 0.6 + i * LINE, 9, 'bold', INK)),
      ...lines.flatMap((l, i) => l(top + PAD + i * LINE)),
      { t: 'line', x1: M.left, y1: top + height, x2: RIGHT, y2: top + height, width: 0.3, color: RULE },
    ],
  };
}

interface Tabs { leaf: number; time: number | undefined }

/** Where the leaf index and the time go on the id line: measured once per list, so the columns align. */
function tabsFor(rows: readonly ExhibitRow[], p: ExhibitListParams, measure: Measure): Tabs {
  const w = EXHIBIT_WORDS[p.lang];
  let id = 0;
  let leaf = 0;
  let time = 0;
  for (const r of rows) {
    id = Math.max(id, measure(r.id, 'regular', SIZE));
    leaf = Math.max(leaf, measure(String(r.leafIndex), 'regular', SIZE));
    time = Math.max(time, measure(r.time, 'regular', SIZE));
  }
  const leafAt = VALUE_X + id + 14;
  const timeAt = leafAt + LABEL_W + leaf + 14;
  return { leaf: leafAt, time: timeAt + LABEL_W + time <= RIGHT ? timeAt : undefined };
}

function header(p: ExhibitListParams, count: number, measure: Measure): Block {
  const w = EXHIBIT_WORDS[p.lang];
  const ops: Op[] = [];
  let y = 0;
  const center = (t: string, size: number, weight: Weight, color: string): void => {
    ops.push(text(t, M.left + (W - measure(t, weight, size)) / 2, y, size, weight, color));
    y += size * 1.45;
  };
  center(w.title, 20, 'bold', ACCENT);
  center(w.subtitle, 9, 'regular', MUTED);
  y += 4;
  ops.push({ t: 'line', x1: M.left, y1: y, x2: RIGHT, y2: y, width: 1.2, color: ACCENT }, { t: 'line', x1: M.left, y1: y + 2.5, x2: RIGHT, y2: y + 2.5, width: 0.4, color: ACCENT });
  y += 10;
  const infoLabel = 80;
  const rows: [string, string][] = [];
  if (p.title !== undefined) rows.push([w.caseTitle, p.title]);
  rows.push([w.origin, p.origin], [w.checkpoint, w.checkpointValue(group(p.checkpoint.size), p.checkpoint.rootHash)], [w.count, w.countValue(group(count))]);
  for (const [label, value] of rows) {
    ops.push(text(label, M.left, y + 0.5, 8.4, 'regular', MUTED));
    for (const l of wrap(value, W - infoLabel, 'regular', 9, measure)) {
      ops.push(text(l, M.left + infoLabel, y, 9));
      y += 13;
    }
  }
  y += 3;
  for (const para of w.statement) {
    for (const l of wrap(para, W, 'regular', 8.2, measure)) {
      ops.push(text(l, M.left, y, 8.2, 'regular', MUTED));
      y += 11.5;
    }
    y += 2;
  }
  return { height: y + 6, ops: (top) => ops.map((o) => (o.t === 'text' ? { ...o, y: o.y + top } : o.t === 'line' ? { ...o, y1: o.y1 + top, y2: o.y2 + top } : { ...o, y: o.y + top })) };
}

function tableHead(p: ExhibitListParams, top: number): Op[] {
  const w = EXHIBIT_WORDS[p.lang];
  return [
    { t: 'rect', x: M.left, y: top, w: W, h: 15, color: '#ececec' },
    text(w.colNo, M.left + 3, top + 3.5, 8, 'bold'),
    text(w.colBody, BODY_X, top + 3.5, 8, 'bold'),
  ];
}

const TABLE_HEAD = 17;

/** The list's pages: how many, and each page's drawing operations (top-left origin, points), made when asked. */
export interface ExhibitPages {
  count: number;
  page: (i: number) => Op[];
}

/**
 * Every exhibit is measured and placed first (so the page count is known for 第 n 页 / 共 N 页); a page's
 * operations are made only when the writer asks for it, so a list of hundreds of pages is never all in memory.
 */
export function layoutExhibitList(p: ExhibitListParams, rows: readonly ExhibitRow[], measure: Measure): ExhibitPages {
  const tabs = tabsFor(rows, p, measure);
  const bottom = PAGE.h - M.bottom;
  const head = header(p, rows.length, measure);
  const placed: { block: Block; top: number }[][] = [[]];
  let y = M.top + head.height + TABLE_HEAD;
  for (const r of rows) {
    const b = exhibitBlock(r, p, measure, tabs);
    if (y + b.height > bottom) {
      placed.push([]);
      y = M.top + TABLE_HEAD;
    }
    placed[placed.length - 1]!.push({ block: b, top: y });
    y += b.height;
  }
  const w = EXHIBIT_WORDS[p.lang];
  const full = w.footer(p.origin, group(p.checkpoint.size));
  const count = placed.length;
  return {
    count,
    page(i) {
      const ops = i === 0 ? [...head.ops(M.top), ...tableHead(p, M.top + head.height)] : tableHead(p, M.top);
      for (const { block, top } of placed[i]!) ops.push(...block.ops(top));
      const fy = PAGE.h - 40;
      const n = w.page(i + 1, count);
      // A long origin is cut in the footer (it is printed in full in the header).
      const room = W - measure(n, 'regular', 7.5) - 16;
      const foot = measure(full, 'regular', 7.5) <= room ? full : `${wrap(full, room - 8, 'regular', 7.5, measure)[0]!}…`;
      ops.push(
        { t: 'line', x1: M.left, y1: fy - 6, x2: RIGHT, y2: fy - 6, width: 0.4, color: '#999999' },
        text(foot, M.left, fy, 7.5, 'regular', MUTED),
        text(n, RIGHT - measure(n, 'regular', 7.5), fy, 7.5, 'regular', MUTED),
      );
      return ops;
    },
  };
}

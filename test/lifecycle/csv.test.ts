/**
 * The 清单 CSV read back with a small RFC 4180 parser written here: the byte-order mark first, CRLF after
 * every record, quoting, Chinese intact, formula cells guarded, headers and words in either language.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEntry, CSV_COLUMNS, csvCell, inventoryCsv, inventoryRow, startDocument, type DocState, type InventoryRow } from '../../src/lifecycle/index.js';
import { lifecycleEvent, rootDeposit, type Made } from './helpers.js';

/** RFC 4180 §2: records end in CRLF; a field is bare (no `"`, `,`, CR, LF) or quoted with `""` for `"`. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quoted field');
          if (text[i] === '"' && text[i + 1] === '"') { field += '"'; i += 2; } else if (text[i] === '"') { i++; break; } else field += text[i++];
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') throw new Error(`bare quote at ${i}`);
          field += text[i++];
        }
      }
      record.push(field);
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '\r' && text[i + 1] === '\n') { i += 2; break; }
      throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text[i])}`);
    }
    records.push(record);
  }
  return records;
}

function apply(state: DocState, ...made: Made[]): DocState {
  return made.reduce((s, m) => applyEntry(s, m.entry, m.id), state);
}

const NOW = new Date('2026-12-02T10:00:00.000Z');
const root = rootDeposit({ title: '配方说明书 "甲", 第二版', filename: '=HYPERLINK("http://x")', labels: ['配方', '+研发'], size: 2048 });
const state = apply(
  startDocument(root.entry, root.id),
  lifecycleEvent('classify', { level: '核心商密', period: '2026-12-01' }, root.id, 1),
  lifecycleEvent('conceal', { measures: ['encryption', 'agreement'] }, root.id, 2),
  lifecycleEvent('access-grant', { who: 'E1001' }, root.id, 3),
  lifecycleEvent('access-grant', { who: 'E1002', role: '研发' }, root.id, 480),
);
const row = inventoryRow(state, NOW);

describe('inventoryRow', () => {
  it('is flat: the latest version, classification, status now, scope, last event, counts', () => {
    expect(row).toEqual({
      doc: root.id, latestId: root.id, title: '配方说明书 "甲", 第二版', filename: '=HYPERLINK("http://x")', size: 2048, labels: ['配方', '+研发'],
      level: '核心商密', period: '2026-12-01', expiry: '2026-12-01', status: 'expired', peopleCount: 2, people: ['E1001', 'E1002'],
      measures: ['encryption', 'agreement'], lastEvent: 'access-grant', lastEventTime: '2026-12-02T16:30:00.000Z', lastOperator: 'u_00112233445566aa',
      versions: 1, events: 4, created: '2026-12-02T08:30:00.000Z',
    });
    const bare = inventoryRow(startDocument(rootDeposit().entry, root.id), NOW);
    expect(Object.keys(bare).filter((k) => ['title', 'filename', 'size', 'level', 'period', 'expiry'].includes(k))).toEqual([]);
  });
});

describe('inventoryCsv', () => {
  it('starts with the byte-order mark, ends every record with CRLF, and parses back to the rows (Chinese header)', () => {
    const csv = inventoryCsv([row, row]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const [header, first, second] = parseCsv(csv.slice(1));
    expect(header).toEqual(CSV_COLUMNS.zh);
    expect(header!.slice(0, 11)).toEqual(['文档编号', '最新版本编号', '标题', '文件名', '大小（字节）', '密级', '保密期限', '到期日', '状态', '知悉人数', '知悉范围']);
    const cell = (name: string) => first![header!.indexOf(name)];
    expect(cell('标题')).toBe('配方说明书 "甲", 第二版');
    expect(cell('密级')).toBe('核心商密');
    expect(cell('状态')).toBe('已过期');
    expect(cell('知悉范围')).toBe('E1001; E1002');
    expect(cell('隐密措施')).toBe('加密; 保密协议');
    expect(cell('最近事件')).toBe('知悉范围授权');
    expect(cell('最近事件时间')).toBe('2026-12-03 00:30:00 +08:00');
    expect(cell('建档时间')).toBe('2026-12-02 16:30:00 +08:00');
    expect(cell('大小（字节）')).toBe('2048');
    expect(second).toEqual(first);
  });

  it('guards formula cells with a leading apostrophe, in every column', () => {
    const [header, first] = parseCsv(inventoryCsv([row]).slice(1));
    expect(first![header!.indexOf('文件名')]).toBe('\'=HYPERLINK("http://x")');
    // A joined list is one cell: only its start can make it a formula.
    expect(first![header!.indexOf('标签')]).toBe('配方; +研发');
    const [, plus] = parseCsv(inventoryCsv([{ ...row, labels: ['-1', 'x'], level: '@密' }], { header: false }));
    expect(plus).toBeUndefined();
    const [rec] = parseCsv(inventoryCsv([{ ...row, labels: ['-1', 'x'], level: '@密' }], { header: false }));
    expect(rec![header!.indexOf('标签')]).toBe("'-1; x");
    expect(rec![header!.indexOf('密级')]).toBe("'@密");
    for (const [value, written] of [['=1+1', '\'=1+1'], ['+1', '\'+1'], ['-1', '\'-1'], ['@SUM(A1)', '\'@SUM(A1)'], ['\tx', '\'\tx'], ['\rx', '"\'\rx"'], ['a=1', 'a=1'], ['', ''], ['"', '""""'], ['a,b', '"a,b"']]) {
      expect(csvCell(value!), JSON.stringify(value)).toBe(written);
    }
  });

  it('writes the header, statuses and kinds in English when asked; header:false writes records alone', () => {
    const csv = inventoryCsv([row], { lang: 'en' });
    const [header, first] = parseCsv(csv.slice(1));
    expect(header!.slice(0, 9)).toEqual(['Document', 'Latest version', 'Title', 'File name', 'Size (bytes)', 'Level', 'Secrecy period', 'Expiry', 'Status']);
    expect(first![8]).toBe('expired');
    expect(first![header!.indexOf('Last event')]).toBe('access grant');
    expect(first![header!.indexOf('Conceal measures')]).toBe('encryption; agreement');
    const body = inventoryCsv([row], { header: false });
    expect(body.charCodeAt(0)).not.toBe(0xfeff);
    expect(parseCsv(body)).toHaveLength(1);
    expect(inventoryCsv([])).toBe(`\uFEFF${CSV_COLUMNS.zh.join(',')}\r\n`);
  });

  it('any cell text parses back as written, guarded when it starts like a formula', () => {
    const unit = fc.constantFrom('a', '密', '"', ',', '\r', '\n', ' ', '=', '+', '-', '@', '\t', "'", '😀');
    fc.assert(fc.property(fc.array(fc.string({ unit, maxLength: 12 }), { minLength: 1, maxLength: 6 }), (cells) => {
      const text = `${cells.map(csvCell).join(',')}\r\n`;
      const [back] = parseCsv(text);
      expect(back).toEqual(cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
    }), { numRuns: 1000 });
  });
});

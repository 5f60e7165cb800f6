/**
 * The console's joining of the 清单 CSV parts (web/console/csv-parts.ts): parts cut anywhere between rows,
 * each a whole CSV (BOM, header, rows) as the service sends past its cap, join into the one CSV of all rows —
 * rows with quoted line breaks included; a part that is only its header adds nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRows, joinCsvParts } from '../../web/console/csv-parts.js';

const enc = new TextEncoder();
const BOM = '\uFEFF';
const HEADER = '文件,密级,状态\r\n';
const csv = (rows: string[]): Uint8Array => enc.encode(`${BOM}${HEADER}${rows.join('')}`);
const concat = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');

describe('the 清单 CSV in parts', () => {
  it('joins parts cut anywhere into the CSV of all rows', () => {
    const row = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('核心商密', '', 'a\r\nb')).map(([a, b]) => `"${a.replace(/"/g, '""')}","${b}",未定密\r\n`);
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.array(fc.nat(30), { maxLength: 5 }), (rows, cuts) => {
        const at = [...new Set(cuts.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let from = 0;
        for (const c of [...at, rows.length]) {
          parts.push(csv(rows.slice(from, c)));
          from = c;
        }
        expect(concat(joinCsvParts(parts))).toBe(`${BOM}${HEADER}${rows.join('')}`);
      }),
    );
  });

  it('takes off a BOM and the header line, and nothing of a part without them', () => {
    expect(concat([csvRows(csv(['x,y,z\r\n']))])).toBe('x,y,z\r\n');
    expect(csvRows(csv([])).length).toBe(0);
    expect(concat([csvRows(enc.encode('h\r\nr\r\n'))])).toBe('r\r\n');
    expect(csvRows(enc.encode('only a header')).length).toBe(0);
  });
});

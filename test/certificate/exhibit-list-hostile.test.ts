/**
 * Bad input to the exhibit list, both ways. Making one: malformed input (numbers, names, title, origin,
 * checkpoint, counts) is EXHIBIT_LIST_MALFORMED or _TOO_LARGE, a receipt that does not parse, of another log,
 * whose id is not its entry's or whose leaf is beyond the checkpoint is EXHIBIT_LIST_RECEIPT_INVALID (naming
 * the exhibit). Reading one back: a PDF without, with twice, or with altered parameters, flipped or cut
 * anywhere, is EXHIBIT_LIST_UNREADABLE (or reads back parameters that check), never another exception.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeExhibitList, MAX_EXHIBITS, readExhibitListParams, type ExhibitListInput } from '../../src/certificate/index.js';
import { CunzhengError } from '../../src/errors.js';
import { fuzzRuns } from '../support/fuzz.js';

const RECEIPT = readFileSync('fixtures/receipts/battery-formula-v2.txt.receipt.json');
const OTHER = readFileSync('fixtures/receipts/battery-formula-v1.txt.receipt.json');
const CP = (JSON.parse(RECEIPT.toString('utf8')) as { checkpoint: string }).checkpoint.split('\n');
const ok = (): ExhibitListInput => ({
  origin: CP[0]!,
  checkpoint: { size: Number(CP[1]), rootHash: CP[2]! },
  exhibits: [
    { no: 'E001', receipt: RECEIPT, receiptFile: 'receipts/E001.json', certificateFile: 'certificates/E001.pdf' },
    { no: 'E002', receipt: OTHER, receiptFile: 'receipts/E002.json', certificateFile: 'certificates/E002.pdf' },
  ],
});

async function code(input: unknown): Promise<string> {
  try {
    await makeExhibitList(input as ExhibitListInput);
    return 'ok';
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    return e.code;
  }
}

function receiptJson(change: (r: Record<string, unknown>) => void): Uint8Array {
  const r = JSON.parse(RECEIPT.toString('utf8')) as Record<string, unknown>;
  change(r);
  return Buffer.from(JSON.stringify(r, null, 2));
}

describe('making an exhibit list of bad input', () => {
  it('accepts the good input it is varied from', async () => {
    expect(await code(ok())).toBe('ok');
  });

  it('refuses malformed input with EXHIBIT_LIST_MALFORMED', async () => {
    const cases: [string, (i: Record<string, unknown> & ExhibitListInput) => void][] = [
      ['no exhibits', (i) => (i.exhibits = [])],
      ['not an array', (i) => ((i as Record<string, unknown>).exhibits = 'E001')],
      ['a number twice', (i) => ((i.exhibits[1] as { no: string }).no = 'E001')],
      ['a number with a space', (i) => ((i.exhibits[0] as { no: string }).no = 'E 1')],
      ['a number too long', (i) => ((i.exhibits[0] as { no: string }).no = 'E'.repeat(17))],
      ['a file name with a newline', (i) => ((i.exhibits[0] as { receiptFile: string }).receiptFile = 'a\nE999 forged')],
      ['a file name with a bidi override', (i) => ((i.exhibits[0] as { certificateFile: string }).certificateFile = 'a\u202ejson.pdf')],
      ['a file name too long', (i) => ((i.exhibits[0] as { certificateFile: string }).certificateFile = 'a'.repeat(256))],
      ['an empty file name', (i) => ((i.exhibits[0] as { receiptFile: string }).receiptFile = '')],
      ['receipt not bytes', (i) => ((i.exhibits[0] as { receipt: unknown }).receipt = 'text')],
      ['an unknown exhibit field', (i) => ((i.exhibits[0] as unknown as Record<string, unknown>).page = 3)],
      ['an unknown field', (i) => ((i as Record<string, unknown>).time = 'now')],
      ['a title with a control character', (i) => (i.title = 'case\u0007')],
      ['a title too long', (i) => (i.title = '案'.repeat(501))],
      ['an unknown language', (i) => ((i as Record<string, unknown>).lang = 'fr')],
      ['no origin', (i) => ((i as Record<string, unknown>).origin = undefined)],
      ['a checkpoint of size 0', (i) => (i.checkpoint = { size: 0, rootHash: CP[2]! })],
      ['a checkpoint size not an integer', (i) => (i.checkpoint = { size: 2.5, rootHash: CP[2]! })],
      ['a root that is not 32 bytes', (i) => (i.checkpoint = { size: 3, rootHash: 'AAAA' })],
      ['a checkpoint with more', (i) => ((i as Record<string, unknown>).checkpoint = { size: 3, rootHash: CP[2]!, time: 1 })],
    ];
    for (const [what, change] of cases) {
      const input = ok() as Record<string, unknown> & ExhibitListInput;
      change(input);
      expect(await code(input), what).toBe('EXHIBIT_LIST_MALFORMED');
    }
    expect(await code(null)).toBe('EXHIBIT_LIST_MALFORMED');
    expect(await code([])).toBe('EXHIBIT_LIST_MALFORMED');
  });

  it('refuses more than MAX_EXHIBITS exhibits with EXHIBIT_LIST_TOO_LARGE, before reading any', async () => {
    const e = ok().exhibits[0]!;
    expect(await code({ ...ok(), exhibits: new Array(MAX_EXHIBITS + 1).fill(e) })).toBe('EXHIBIT_LIST_TOO_LARGE');
  });

  it('refuses a receipt that does not parse or does not belong with EXHIBIT_LIST_RECEIPT_INVALID, naming the exhibit', async () => {
    const cases: [string, Uint8Array, string][] = [
      ['not JSON', Buffer.from('{"format":'), 'RECEIPT_MALFORMED'],
      ['a member twice', Buffer.from(RECEIPT.toString('utf8').replace('"index": 2,', '"index": 2, "index": 0,')), 'RECEIPT_DUPLICATE_MEMBER'],
      ['an entry that is not canonical', receiptJson((r) => (r.entry = Buffer.from(`${Buffer.from(r.entry as string, 'base64').toString('utf8')} `).toString('base64'))), 'ENTRY_NOT_CANONICAL'],
      ['an id of another entry', receiptJson((r) => (r.id = '0'.repeat(32))), 'RECEIPT_ID_MISMATCH'],
      ['another log', receiptJson((r) => ((r.log as { origin: string }).origin = 'other.example/log')), 'OTHER_LOG'],
      ['a leaf beyond the checkpoint', receiptJson((r) => (r.index = 3)), 'BEYOND_CHECKPOINT'],
    ];
    for (const [what, receipt, inner] of cases) {
      const input = ok();
      (input.exhibits[1] as { receipt: Uint8Array }).receipt = receipt;
      const e = await makeExhibitList(input).catch((x: unknown) => x);
      expect(e, what).toBeInstanceOf(CunzhengError);
      expect(e, what).toMatchObject({ code: 'EXHIBIT_LIST_RECEIPT_INVALID', details: { no: 'E002', code: inner } });
    }
  });

  it('answers arbitrary input with a coded error, never another exception', async () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('no', 'receipt', 'receiptFile', 'certificateFile', 'origin', 'checkpoint', 'exhibits', 'size', 'rootHash', 'lang', 'title'), tie('v'), { maxKeys: 5 })),
    })).v;
    await fc.assert(fc.asyncProperty(value, async (v) => {
      expect(await code(v)).toMatch(/^EXHIBIT_LIST_(MALFORMED|TOO_LARGE)$/);
    }), { numRuns: fuzzRuns(200) });
  });
});

describe('reading an exhibit list back from hostile bytes', () => {
  let pdf: Buffer;
  let at: number;
  beforeAll(async () => {
    pdf = Buffer.from(await makeExhibitList({ ...ok(), title: '案由 & <测试>' }));
    at = pdf.indexOf('<cunzhengExhibits:params>');
  });

  const read = (b: Uint8Array): string => {
    try {
      readExhibitListParams(b);
      return 'ok';
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      return e.code;
    }
  };
  const splice = (from: number, to: number, s: string): Buffer => Buffer.concat([pdf.subarray(0, from), Buffer.from(s, 'utf8'), pdf.subarray(to)]);
  const paramsEnd = (): number => pdf.indexOf('</cunzhengExhibits:params>');

  it('reads the title with its XML escapes undone', () => {
    expect(readExhibitListParams(pdf).title).toBe('案由 & <测试>');
  });

  it('refuses what is not a list it makes with EXHIBIT_LIST_UNREADABLE', () => {
    const start = at + '<cunzhengExhibits:params>'.length;
    const json = pdf.subarray(start, paramsEnd()).toString('utf8');
    const cases: [string, Uint8Array][] = [
      ['not a PDF', Buffer.from('hello')],
      ['no parameters', splice(at, at + 3, '<x:')],
      ['parameters twice', Buffer.concat([pdf, Buffer.from(`<cunzhengExhibits:params>${json}</cunzhengExhibits:params>`)])],
      ['parameters that do not end', pdf.subarray(0, start + 100)],
      ['not JSON', splice(start, start + 1, '[')],
      ['a member twice', splice(start, start + 1, '{&quot;lang&quot;:&quot;zh&quot;,')],
      ['another format', splice(start, paramsEnd(), json.replace('exhibit-list/v1', 'exhibit-list/v9'))],
      ['an unknown field', splice(start, start + 1, '{&quot;extra&quot;:1,')],
      ['a number with a newline', splice(start, paramsEnd(), json.replace('&quot;E001&quot;', '&quot;E\\n01&quot;'))],
      ['not UTF-8', splice(start + 2, start + 3, '\u00ff').fill(0xff, start + 2, start + 3)],
    ];
    for (const [what, bytes] of cases) expect(read(bytes), what).toBe('EXHIBIT_LIST_UNREADABLE');
    expect(read('x' as unknown as Uint8Array)).toBe('EXHIBIT_LIST_UNREADABLE');
  });

  it('a flipped or cut byte anywhere is read back or refused with a code, never an exception', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), fc.boolean(), (pos, xor, near, cut) => {
      const i = near ? at + (pos % 2000) : pos % pdf.length;
      const bad = cut ? pdf.subarray(0, i) : Buffer.from(pdf);
      if (!cut) bad[i % bad.length]! ^= xor;
      expect(read(bad)).toMatch(/^(ok|EXHIBIT_LIST_UNREADABLE|EXHIBIT_LIST_TOO_LARGE)$/);
    }), { numRuns: fuzzRuns(300) });
  });
});

/**
 * The exhibit list (证据目录) read back with poppler, which did not write it: every exhibit's number, deposit id,
 * SHA-256, SM3 and Beijing time present and equal to its receipt's (read here from the receipt's JSON and entry
 * with JSON.parse and Date, not with the code under test), the fonts embedded as subsets, PDF/A-3b metadata,
 * identical bytes from two runs (with another list made between them), the parameters read back and the list
 * made again from them, a 300-exhibit list numbered 第 n 页 / 共 N 页 on every page, an English list, and an
 * event's row (a real service's deposit and 定密 event).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExhibitList, EXHIBIT_LIST_RENDERER, makeExhibitList, readExhibitListParams, type ExhibitListInput } from '../../src/certificate/index.js';
import { openFixture, poppler, squeeze, write, type Fixture } from './helpers.js';

const NAMES = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'];
const RECEIPTS = NAMES.map((n) => readFileSync(`fixtures/receipts/${n}.receipt.json`));

interface Expected { id: string; sha256: string; sm3: string; time: string; index: number }

/** What a receipt says, read naively: its JSON, its entry's JSON, the time shifted by eight hours. */
function expected(receipt: Uint8Array): Expected {
  const r = JSON.parse(Buffer.from(receipt).toString('utf8')) as { id: string; entry: string; index: number };
  const e = JSON.parse(Buffer.from(r.entry, 'base64').toString('utf8')) as { digest: { sha256: string; sm3: string }; time: string };
  const bj = new Date(Date.parse(e.time) + 8 * 3600_000).toISOString();
  return { id: r.id, sha256: e.digest.sha256, sm3: e.digest.sm3, time: `${bj.slice(0, 10)} ${bj.slice(11, 23)} +08:00`, index: r.index };
}

function checkpointOf(receipt: Uint8Array): { origin: string; size: number; rootHash: string } {
  const lines = (JSON.parse(Buffer.from(receipt).toString('utf8')) as { checkpoint: string }).checkpoint.split('\n');
  return { origin: lines[0]!, size: Number(lines[1]), rootHash: lines[2]! };
}

export function fixtureInput(count: number, extra: Partial<ExhibitListInput> = {}): ExhibitListInput {
  const cp = checkpointOf(RECEIPTS[1]!);
  return {
    title: '（2026）湘01民初1234号 侵害商业秘密纠纷',
    origin: cp.origin,
    checkpoint: { size: cp.size, rootHash: cp.rootHash },
    exhibits: Array.from({ length: count }, (_, i) => ({
      no: `E${String(i + 1).padStart(3, '0')}`,
      receipt: RECEIPTS[i % 3]!,
      receiptFile: `receipts/E${String(i + 1).padStart(3, '0')}-${NAMES[i % 3]}.receipt.json`,
      certificateFile: `certificates/E${String(i + 1).padStart(3, '0')}-${NAMES[i % 3]}.pdf`,
    })),
    ...extra,
  };
}

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'cunzheng-exhibits-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The text between each exhibit number and the next, white space removed. */
function segments(text: string, nos: readonly string[]): Map<string, string> {
  const flat = squeeze(text);
  const found = new Map<string, string>();
  let from = 0;
  for (const [i, no] of nos.entries()) {
    const at = flat.indexOf(no, from);
    expect(at, no).toBeGreaterThanOrEqual(0);
    const next = i + 1 < nos.length ? flat.indexOf(nos[i + 1]!, at + no.length) : flat.length;
    found.set(no, flat.slice(at, next));
    from = at + no.length;
  }
  return found;
}

describe('an exhibit list of three receipts (Chinese)', () => {
  let pdf: Uint8Array;
  let path: string;
  const input = fixtureInput(3);
  beforeAll(async () => {
    pdf = await makeExhibitList(input);
    path = write(out, 'three.pdf', pdf);
  });

  it('prints each exhibit\'s number, id, leaf, digests, Beijing time and files, equal to its receipt', () => {
    const text = poppler('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']);
    const segs = segments(text, input.exhibits.map((e) => e.no));
    for (const e of input.exhibits) {
      const want = expected(e.receipt);
      const seg = segs.get(e.no)!;
      for (const v of [want.id, want.sha256, want.sm3, squeeze(want.time), `叶子序号${want.index}`, e.receiptFile, e.certificateFile]) expect(seg, `${e.no} ${v}`).toContain(v);
    }
    expect(segs.get('E001')).toContain('存证电解液配方v1（battery-formula-v1.txt）密级核心商密');
    expect(segs.get('E003')).toContain('存证empty.bin');
    const flat = squeeze(text);
    for (const s of ['证据目录', '案由（2026）湘01民初1234号侵害商业秘密纠纷', 'fixtures.cunzheng.test/log', '树大小3', input.checkpoint.rootHash, '证据数量3项', '第1页/共1页']) expect(flat).toContain(s);
  });

  it('embeds Noto Sans SC as subsets with a ToUnicode map, as PDF/A-3b', () => {
    const fonts = poppler('pdffonts', [path]).trim().split('\n').slice(2);
    expect(fonts.length).toBe(2);
    for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    const info = poppler('pdfinfo', [path]);
    expect(info).toMatch(/PDF version:\s+1\.7/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    expect(info).toMatch(/CreationDate:\s+Sat Nov 21 08:32:00 2026 UTC/); // the newest exhibit's entry time
    const meta = poppler('pdfinfo', ['-meta', path]);
    expect(meta).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    expect(meta).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(meta).toContain('cunzhengExhibits:params');
    expect(Buffer.from(pdf).toString('latin1')).toContain('/OutputIntents');
  });

  it('has the trailer /ID of its parameters and receipts, and the newest entry time as its dates', () => {
    const params = readExhibitListParams(pdf);
    const receipts = input.exhibits.map((e) => createHash('sha256').update(e.receipt).digest('hex')).join('\n');
    const id = createHash('sha256').update(`${JSON.stringify(params)}\n${receipts}`).digest('hex').slice(0, 32);
    expect(Buffer.from(pdf).toString('latin1')).toContain(`/ID [<${id}> <${id}>]`);
    const newest = input.exhibits.map((e) => JSON.parse(Buffer.from((JSON.parse(Buffer.from(e.receipt).toString('utf8')) as { entry: string }).entry, 'base64').toString('utf8')) as { time: string }).map((e) => e.time).sort().at(-1)!;
    expect(newest).toBe('2026-11-21T08:32:00.123Z');
    expect(Buffer.from(pdf).toString('latin1')).toMatch(/\n\(D:20261121083200Z\)\nendobj/);
  });

  it('is the same bytes when made again, even with another list made in between', async () => {
    await makeExhibitList({ ...fixtureInput(5), lang: 'en', title: 'Other case ⅱ' });
    expect(Buffer.from(await makeExhibitList(input)).equals(Buffer.from(pdf))).toBe(true);
  });

  it('reads back its parameters: the input without the receipts\' bytes', async () => {
    const params = readExhibitListParams(pdf);
    expect(params).toEqual({
      format: 'cunzheng/exhibit-list/v1',
      renderer: EXHIBIT_LIST_RENDERER,
      lang: 'zh',
      title: input.title,
      origin: input.origin,
      checkpoint: input.checkpoint,
      exhibits: input.exhibits.map(({ no, receiptFile, certificateFile }) => ({ no, receiptFile, certificateFile })),
    });
    const byName = new Map(input.exhibits.map((e) => [e.receiptFile, e.receipt]));
    await expect(checkExhibitList(pdf, (f) => byName.get(f)!)).resolves.toEqual(params);
    // Another receipt under one of the names: the list it makes is not this one.
    const swapped = new Map(byName);
    swapped.set(input.exhibits[0]!.receiptFile, RECEIPTS[1]!);
    await expect(checkExhibitList(pdf, (f) => swapped.get(f)!)).rejects.toMatchObject({ code: 'EXHIBIT_LIST_MISMATCH' });
  });
});

describe('a long list', () => {
  it('paginates 300 exhibits, each page numbered 第 n 页 / 共 N 页, every exhibit once and in order', async () => {
    const input = fixtureInput(300);
    const path = write(out, 'long.pdf', await makeExhibitList(input));
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [path]))![1]);
    expect(pages).toBeGreaterThan(20);
    const seen: string[] = [];
    for (let p = 1; p <= pages; p++) {
      const text = squeeze(poppler('pdftotext', ['-layout', '-enc', 'UTF-8', '-f', String(p), '-l', String(p), path, '-']));
      expect(text).toContain(`第${p}页/共${pages}页`);
      expect(text).toContain('编号证据（类型');
      seen.push(...(text.match(/E\d{3}(?=存证)/g) ?? []));
    }
    expect(seen).toEqual(input.exhibits.map((e) => e.no));
    const all = segments(poppler('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']), input.exhibits.map((e) => e.no));
    for (const e of input.exhibits) expect(all.get(e.no)).toContain(expected(e.receipt).sha256);
  });
});

describe('an English list', () => {
  it('has the English words and the same values', async () => {
    const input = fixtureInput(3, { lang: 'en', title: undefined });
    delete (input as { title?: string }).title;
    const path = write(out, 'en.pdf', await makeExhibitList(input));
    const flat = squeeze(poppler('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']));
    for (const s of ['ExhibitList', '证据目录', 'Ledgeroriginfixtures.cunzheng.test/log', 'Exhibits3', 'Page1of1', 'E001deposit']) expect(flat).toContain(s);
    expect(flat).not.toContain('案由');
    for (const r of RECEIPTS) expect(flat).toContain(expected(r).sm3);
  });
});

describe('a character the font has no glyph for', () => {
  it('is printed as its code point, and kept as given in the parameters', async () => {
    const input = fixtureInput(1, { title: '案由 😀 测试' });
    const pdf = await makeExhibitList(input);
    const flat = squeeze(poppler('pdftotext', ['-layout', '-enc', 'UTF-8', write(out, 'emoji.pdf', pdf), '-']));
    expect(flat).toContain('案由案由[U+1F600]测试');
    expect(readExhibitListParams(pdf).title).toBe('案由 😀 测试');
  });
});

describe('an event\'s exhibit (a real service: a deposit, anchored, and its 定密 event)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture();
  }, 120_000);
  afterAll(async () => f?.close());

  it('says what the event records and which deposit it concerns', async () => {
    const cp = checkpointOf(f.event);
    const input: ExhibitListInput = {
      origin: cp.origin,
      checkpoint: { size: cp.size, rootHash: cp.rootHash },
      exhibits: [
        { no: 'EV-1', receipt: f.deposit, receiptFile: 'r/1.json', certificateFile: 'c/1.pdf' },
        { no: 'EV-2', receipt: f.event, receiptFile: 'r/2.json', certificateFile: 'c/2.pdf' },
      ],
    };
    const path = write(out, 'event.pdf', await makeExhibitList(input));
    const segs = segments(poppler('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']), ['EV-1', 'EV-2']);
    const deposit = expected(f.deposit);
    expect(segs.get('EV-1')).toContain('存证电解液配方v3（formula-v3.txt）密级核心商密');
    expect(segs.get('EV-2')).toContain(`定密该文件被确定为商业秘密（定密）；所涉存证${deposit.id}密级核心商密`);
    for (const [no, r] of [['EV-1', f.deposit], ['EV-2', f.event]] as const) {
      const want = expected(r);
      for (const v of [want.id, want.sha256, want.sm3, squeeze(want.time)]) expect(segs.get(no)).toContain(v);
    }
  });
});

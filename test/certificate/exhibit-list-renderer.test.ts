/**
 * The exhibit list's renderer name must change whenever its bytes do: this pins the SHA-256 of the list of the
 * three fixture receipts to EXHIBIT_LIST_RENDERER, so a change of layout, words, pdfkit, fontkit or the font
 * fails here until the name is changed (and the pin with it). A list of another renderer is told apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkExhibitList, EXHIBIT_LIST_RENDERER, makeExhibitList, readExhibitListParams, type ExhibitListInput } from '../../src/certificate/index.js';
import { sha256, toHex } from '../../src/crypto/index.js';

const NAMES = ['battery-formula-v1.txt', 'battery-formula-v2.txt', 'empty.bin'];
const RECEIPTS = NAMES.map((n) => readFileSync(`fixtures/receipts/${n}.receipt.json`));
const CP = (JSON.parse(RECEIPTS[1]!.toString('utf8')) as { checkpoint: string }).checkpoint.split('\n');
const INPUT: ExhibitListInput = {
  title: '（2026）湘01民初1234号 侵害商业秘密纠纷',
  origin: CP[0]!,
  checkpoint: { size: Number(CP[1]), rootHash: CP[2]! },
  exhibits: NAMES.map((n, i) => ({ no: `E00${i + 1}`, receipt: RECEIPTS[i]!, receiptFile: `receipts/${n}.receipt.json`, certificateFile: `certificates/${n}.pdf` })),
};
const PINNED: Record<string, string> = {
  'cunzheng-exhibit-list/1 (pdfkit 0.20.2, fontkit 2.0.4, noto-sans-sc 1.44.1)': '03ea3094e6399864f909eb15fcb1305645f39d2c55c60708983fa35614aa80a4',
};

describe('the exhibit list renderer', () => {
  it('names the bytes it makes: the fixture list has the SHA-256 pinned to EXHIBIT_LIST_RENDERER', async () => {
    const pdf = await makeExhibitList(INPUT);
    expect(readExhibitListParams(pdf).renderer).toBe(EXHIBIT_LIST_RENDERER);
    expect(Object.keys(PINNED)).toContain(EXHIBIT_LIST_RENDERER);
    expect(toHex(sha256(pdf))).toBe(PINNED[EXHIBIT_LIST_RENDERER]);
  });

  it('a list of another renderer is EXHIBIT_LIST_OTHER_RENDERER, naming both, not a mismatch', async () => {
    const pdf = Buffer.from(await makeExhibitList(INPUT));
    const at = pdf.indexOf(Buffer.from(EXHIBIT_LIST_RENDERER, 'latin1'));
    expect(at).toBeGreaterThan(0);
    const other = 'cunzheng-exhibit-list/0 (pdfkit 0.19.0, fontkit 2.0.2, noto-sans-sc 1.44.0)';
    const changed = Buffer.concat([pdf.subarray(0, at), Buffer.from(other, 'latin1'), pdf.subarray(at + EXHIBIT_LIST_RENDERER.length)]);
    const byName = new Map(INPUT.exhibits.map((e) => [e.receiptFile, e.receipt]));
    await expect(checkExhibitList(changed, (f) => byName.get(f)!)).rejects.toMatchObject({ code: 'EXHIBIT_LIST_OTHER_RENDERER', details: { renderer: other, ours: EXHIBIT_LIST_RENDERER } });
    await expect(checkExhibitList(pdf, (f) => byName.get(f)!)).resolves.toBeDefined();
  });
});

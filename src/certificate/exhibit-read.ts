/**
 * Reading an exhibit list back: the parameters it was made with, from its XMP, so a verifier can read the
 * receipts it names from the package and make the list again (`checkExhibitList` does, and compares every
 * byte). A PDF is hostile input: at most MAX_EXHIBIT_LIST_BYTES, scanned for the one element make writes
 * (exactly once), its JSON without duplicate members and checked by the same rules as make's input;
 * anything else is EXHIBIT_LIST_UNREADABLE, never a stack trace.
 */
import { findDuplicateKey } from '../entry/duplicate-keys.js';
import { CunzhengError } from '../errors.js';
import { checkExhibitParams, type ExhibitListParams } from './exhibit-list.js';
import { EXHIBIT_LIST_RENDERER, EXHIBIT_PARAMS_TAG, makeExhibitList } from './exhibit-pdf.js';

/** A list of 100,000 exhibits is about 270 MB; a package holds at most 10,000 (about 27 MB). */
export const MAX_EXHIBIT_LIST_BYTES = 512 * 1024 * 1024;
const MAX_PARAMS_BYTES = 64 * 1024 * 1024;

const unreadable = (why: string): CunzhengError => new CunzhengError('EXHIBIT_LIST_UNREADABLE', `not a cunzheng exhibit list: ${why}`);

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[e]!);
}

/** The parameters of an exhibit list: lang, title, origin, checkpoint and each exhibit's number and files. */
export function readExhibitListParams(pdf: Uint8Array): ExhibitListParams {
  if (!(pdf instanceof Uint8Array)) throw unreadable('expected bytes');
  if (pdf.length > MAX_EXHIBIT_LIST_BYTES) {
    throw new CunzhengError('EXHIBIT_LIST_TOO_LARGE', `an exhibit list is at most ${MAX_EXHIBIT_LIST_BYTES} bytes; this is ${pdf.length}`, { details: { size: pdf.length, max: MAX_EXHIBIT_LIST_BYTES } });
  }
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw unreadable('no PDF header');
  const open = Buffer.from(`<${EXHIBIT_PARAMS_TAG}>`, 'latin1');
  const close = Buffer.from(`</${EXHIBIT_PARAMS_TAG}>`, 'latin1');
  const at = bytes.indexOf(open);
  if (at < 0) throw unreadable('no exhibit list parameters in its metadata');
  const start = at + open.length;
  const end = bytes.indexOf(close, start);
  if (end < 0 || end - start > MAX_PARAMS_BYTES) throw unreadable('its parameters do not end');
  if (bytes.indexOf(open, end) >= 0) throw unreadable('its parameters are given twice');
  const raw = bytes.subarray(start, end);
  if (raw.includes(0x3c)) throw unreadable('markup inside its parameters');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw unreadable('its parameters are not UTF-8');
  }
  text = unescapeXml(text);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw unreadable('its parameters are not JSON');
  }
  if (findDuplicateKey(text) !== undefined) throw unreadable('a member of its parameters appears twice');
  return checkExhibitParams(v, (why) => unreadable(`its parameters: ${why}`));
}

/**
 * Makes the list again from its parameters and the receipts it names (`receipt(file)`: the bytes of that
 * file in the package) and compares every byte: EXHIBIT_LIST_MISMATCH with the first differing offset, or
 * EXHIBIT_LIST_OTHER_RENDERER when another renderer made it (its bytes cannot be made here).
 */
export async function checkExhibitList(pdf: Uint8Array, receipt: (file: string) => Uint8Array | Promise<Uint8Array>): Promise<ExhibitListParams> {
  const params = readExhibitListParams(pdf);
  if (params.renderer !== EXHIBIT_LIST_RENDERER) {
    throw new CunzhengError('EXHIBIT_LIST_OTHER_RENDERER', `the exhibit list was made by ${params.renderer}; this cunzheng renders ${EXHIBIT_LIST_RENDERER}, so it cannot be made again byte for byte`, {
      details: { renderer: params.renderer, ours: EXHIBIT_LIST_RENDERER },
    });
  }
  const exhibits = [];
  for (const e of params.exhibits) exhibits.push({ ...e, receipt: await receipt(e.receiptFile) });
  const again = await makeExhibitList({ lang: params.lang, ...(params.title === undefined ? {} : { title: params.title }), origin: params.origin, checkpoint: params.checkpoint, exhibits });
  if (again.length !== pdf.length || !Buffer.from(again).equals(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength))) {
    let i = 0;
    while (i < again.length && i < pdf.length && again[i] === pdf[i]) i++;
    throw new CunzhengError('EXHIBIT_LIST_MISMATCH', `the exhibit list is not the one its parameters and receipts make: it differs from byte ${i} on`, {
      details: { offset: i, size: pdf.length, expectedSize: again.length },
    });
  }
  return params;
}

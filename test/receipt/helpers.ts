import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CunzhengError } from '../../src/errors.js';
import { parseReceipt, type Receipt } from '../../src/receipt/index.js';
export { codeOf } from '../support/codes.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const FIXTURE_VKEY = readFileSync(`${FIXTURES}log.vkey`, 'utf8').trim();

export function fixtureReceipt(name: string): Receipt {
  return parseReceipt(readFileSync(`${FIXTURES}receipts/${name}.receipt.json`));
}

export function fixtureDocument(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}documents/${name}`));
}


/** A deep copy to mutate. */
export function clone(r: Receipt): Receipt {
  return JSON.parse(JSON.stringify(r)) as Receipt;
}

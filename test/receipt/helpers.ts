import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CunzhengError } from '../../src/errors.js';
import { parseReceipt, type Receipt } from '../../src/receipt/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const FIXTURE_VKEY = readFileSync(`${FIXTURES}log.vkey`, 'utf8').trim();

export function fixtureReceipt(name: string): Receipt {
  return parseReceipt(readFileSync(`${FIXTURES}receipts/${name}.receipt.json`));
}

export function fixtureDocument(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}documents/${name}`));
}

export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof CunzhengError) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

/** A deep copy to mutate. */
export function clone(r: Receipt): Receipt {
  return JSON.parse(JSON.stringify(r)) as Receipt;
}

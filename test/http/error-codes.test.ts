/**
 * How error codes leave the service: STORE_CORRUPT is a 500 that keeps its code (the message stays
 * generic); a fenced ledger and one behind its signed checkpoint are 503 with Retry-After; codes a
 * request's own content can raise are never a 500; and codes naming the service's broken state are never
 * blamed on the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import { statusOfCode } from '../../src/http/errors.js';
import type { MerkleErrorCode } from '../../src/merkle/errors.js';
import { USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
beforeAll(async () => {
  s = await openTestService();
  a = await createTenant(s.app, 'Error Codes Co.', USCC_A);
});
afterAll(async () => {
  await s.close();
});

/** A deposit whose service call fails with `err`. */
async function failingDeposit(err: Error) {
  const deposits = s.ctx.deposits as unknown as { depositPrepared: (...args: unknown[]) => Promise<unknown> };
  const real = deposits.depositPrepared;
  deposits.depositPrepared = () => Promise.reject(err);
  try {
    return await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: digestOf('failing') } });
  } finally {
    deposits.depositPrepared = real;
  }
}

describe('when the ledger cannot take writes', () => {
  it.each(['LEDGER_FENCED', 'LEDGER_BEHIND_SIGNED_CHECKPOINT', 'STORE_FENCED', 'STORE_FULL', 'LEDGER_WRITE_FAILED'])('answers %s as 503 with Retry-After, without the storage error\'s text', async (code) => {
    const res = await failingDeposit(new CunzhengError(code, `IO error: /srv/cunzheng/ledger/000042.log: No space left on device (${code})`));
    const body = expectErrorBody(res, 503, code);
    expect(body.message).not.toContain('/srv/cunzheng');
    expect(body.message).toMatch(/retry/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('keeps the message of backpressure, which is the service\'s own', async () => {
    const body = expectErrorBody(await failingDeposit(new CunzhengError('LEDGER_BUSY', 'the queue is full; retry shortly')), 503, 'LEDGER_BUSY');
    expect(body.message).toBe('the queue is full; retry shortly');
  });

  it('honours the retry delay the error carries', async () => {
    const res = await failingDeposit(new CunzhengError('LEDGER_FENCED', 'reopening', { details: { retryAfterSeconds: 7 } }));
    expect(res.headers['retry-after']).toBe('7');
  });
});

describe('when the store is corrupt', () => {
  it('answers 500 with the code STORE_CORRUPT and a generic message', async () => {
    const body = expectErrorBody(await failingDeposit(new CunzhengError('STORE_CORRUPT', 'tile 0/3 has 31 bytes')), 500, 'STORE_CORRUPT');
    expect(body.message).toBe('internal error');
  });

  it('never blames the client for a code naming broken state, nor for a code the status table does not list', () => {
    for (const code of ['STORE_CORRUPT', 'LEDGER_CORRUPT', 'LEDGER_INTERNAL', 'STORE_OPEN_FAILED', 'DEPOSIT_INDEX_CORRUPT', 'ENTRY_STORED_CORRUPT', 'ENTRY_NOT_IN_THE_TABLE']) {
      expect(statusOfCode(code), code).toBe(500);
    }
  });
});

describe('codes a request can raise', () => {
  const merkleInput: MerkleErrorCode[] = ['BAD_TREE_SIZE', 'BAD_LEAF_INDEX', 'INDEX_OUT_OF_RANGE', 'NODE_NOT_IN_TREE', 'TREE_TOO_LARGE', 'CONSISTENCY_SIZE_ORDER', 'BAD_TILE_PATH'];
  const others = [
    'ENTRY_TOO_LARGE', 'ENTRY_BAD_FIELD', 'USCC_BAD_CHECK', 'DEPOSIT_BAD_DIGEST', 'DEPOSIT_BAD_BATCH', 'TENANT_BAD_NAME',
    'LEDGER_BAD_INDEX', 'LEDGER_BAD_SIZE', 'LEDGER_SIZE_BEYOND_TREE', 'CHECKPOINT_SIZE_TOO_LARGE', 'BAD_HEX_FIELD',
  ];
  it.each([...merkleInput, ...others])('answers %s with a 4xx', async (code) => {
    expect(statusOfCode(code)).toBeGreaterThanOrEqual(400);
    expect(statusOfCode(code)).toBeLessThan(500);
    const res = await failingDeposit(new CunzhengError(code, `bad input: ${code}`));
    const body = expectErrorBody(res, statusOfCode(code), code);
    expect(body.message).toBe(`bad input: ${code}`);
  });

  it('maps each of this API\'s own refusals to its status', () => {
    expect(Object.fromEntries(['UNSUPPORTED_MEDIA_TYPE', 'AUTH_RATE_LIMITED', 'TENANT_BUSY', 'SERVICE_BUSY', 'ANCHOR_FAILED', 'ANCHOR_NO_TSA'].map((c) => [c, statusOfCode(c)]))).toEqual({
      UNSUPPORTED_MEDIA_TYPE: 415, AUTH_RATE_LIMITED: 429, TENANT_BUSY: 503, SERVICE_BUSY: 503, ANCHOR_FAILED: 502, ANCHOR_NO_TSA: 409,
    });
  });
});

describe('an error that is not a CunzhengError', () => {
  it('is a 500 INTERNAL with nothing of its message', async () => {
    const body = expectErrorBody(await failingDeposit(new Error('secret path /var/lib/x')), 500, 'INTERNAL');
    expect(body.message).toBe('internal error');
  });
});

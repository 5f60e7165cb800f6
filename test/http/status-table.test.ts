/**
 * The status table (src/http/status-table.ts) and the code base stay equal: every code any src/**\/*.ts can
 * produce (thrown-codes.ts reads them from the source) has exactly one entry, every entry is a code
 * something produces, the error handler answers each with its status, and src/http/README.md lists every
 * code answered over HTTP under its status.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
import { statusOfCode } from '../../src/http/errors.js';
import { NOT_OVER_HTTP, STATUS_BY_CODE } from '../../src/http/status-table.js';
import { USCC_A, createTenant, digestOf, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';
import { scanCodes } from './thrown-codes.js';

const scan = scanCodes(process.cwd());
const produced = [...scan.codes.keys()].sort();
const http = Object.keys(STATUS_BY_CODE).sort();
const offline = Object.keys(NOT_OVER_HTTP).sort();

describe('the scan of the source', () => {
  it('follows the helpers that take a code, and finds codes only they are given', () => {
    for (const [helper, index] of [['tsaError', 0], ['merkleError', 0], ['fail', 0], ['entryError', 0], ['decodeOne', 1]] as const) {
      expect(scan.helpers.get(helper)?.has(index), helper).toBe(true);
    }
    for (const code of ['TSA_TIMEOUT', 'BAD_TILE_PATH', 'USCC_BAD_ORG_CHECK', 'ENTRY_DUPLICATE_KEY', 'LEDGER_FENCED', 'URL_TOO_LONG', 'STORE_CORRUPT']) {
      expect(produced, code).toContain(code);
    }
  });
});

describe('the status table', () => {
  it('lists every code the code base produces, each once', () => {
    const missing = produced.filter((c) => !Object.hasOwn(STATUS_BY_CODE, c) && !Object.hasOwn(NOT_OVER_HTTP, c));
    expect(missing.map((c) => `${c} (${scan.codes.get(c)!.join(', ')})`)).toEqual([]);
    expect(http.filter((c) => Object.hasOwn(NOT_OVER_HTTP, c))).toEqual([]);
  });

  it('lists no code that nothing produces', () => {
    expect([...http, ...offline].filter((c) => !scan.codes.has(c))).toEqual([]);
  });

  it('holds statuses only an HTTP error can have', () => {
    for (const [code, status] of Object.entries(STATUS_BY_CODE)) expect([400, 401, 403, 404, 408, 409, 413, 414, 415, 429, 431, 500, 502, 503], code).toContain(status);
  });
});

describe('the error handler', () => {
  let s: TestService;
  let a: TestTenant;
  beforeAll(async () => {
    s = await openTestService();
    a = await createTenant(s.app, 'Status Table Co.', USCC_A);
  });
  afterAll(async () => s?.close());

  it('answers every listed code with its status, and a code the table does not list with 500', async () => {
    const deposits = s.ctx.deposits as unknown as Record<string, unknown>;
    const real = { single: deposits.depositReply, prepared: deposits.depositPrepared };
    let throwing: string | undefined;
    const fail = () => Promise.reject(new CunzhengError(throwing!, `failing with ${throwing}`));
    deposits.depositReply = fail;
    if (real.prepared !== undefined) deposits.depositPrepared = fail;
    try {
      for (const code of [...http, ...offline, 'NOT_A_LISTED_CODE']) {
        throwing = code;
        const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: digestOf('status table') } });
        const want = Object.hasOwn(STATUS_BY_CODE, code) ? STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE] : 500;
        expectErrorBody(res, want, code);
        expect(statusOfCode(code)).toBe(want);
      }
    } finally {
      deposits.depositReply = real.single;
      if (real.prepared !== undefined) deposits.depositPrepared = real.prepared;
    }
  });
});

describe('src/http/README.md', () => {
  it('lists every code answered over HTTP under its status, and no other', () => {
    const readme = readFileSync('src/http/README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 1));
    const listed = new Map<string, number>();
    for (const line of section.split('\n')) {
      const row = /^\| (\d{3})[^|]* \| (.*) \|$/.exec(line);
      if (row === null) continue;
      for (const m of row[2]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) listed.set(m[1]!, Number(row[1]));
    }
    expect(Object.fromEntries([...listed].sort())).toEqual(Object.fromEntries(Object.entries(STATUS_BY_CODE).sort()));
  });
});

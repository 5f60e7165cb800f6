/**
 * A client for the hostile-input tests: it sends through `inject`, keeps every receipt the service
 * acknowledged, and asserts the error contract (never a 5xx; `{statusCode, code, message}` on errors).
 * At the end, `expectLedgerIntact` runs fsck and re-verifies every acknowledged receipt.
 */
import { expect } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { fsckStore } from '../../src/ledger/index.js';
import { verifyReceipt, type Receipt } from '../../src/receipt/index.js';
import { parseEntry } from '../../src/entry/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { expectErrorBody, type TestService, type TestTenant } from './helpers.js';

export class HostileClient {
  /** Every receipt the service acknowledged (2xx). */
  readonly acknowledged: Receipt[] = [];

  constructor(
    private readonly s: TestService,
    private readonly tenant: TestTenant,
  ) {}

  private record(res: LightMyRequestResponse): void {
    if (res.statusCode >= 300 || res.body === '' || !res.headers['content-type']?.toString().startsWith('application/json')) return;
    const body = res.json() as Receipt | { receipts?: Receipt[] };
    if ('receipts' in body && Array.isArray(body.receipts)) this.acknowledged.push(...body.receipts);
    else if ('format' in body) this.acknowledged.push(body as Receipt);
  }

  async send(opts: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await this.s.app.inject(opts);
    this.record(res);
    return res;
  }

  /** POST /v1/deposits with a JSON body (a string is sent as is). */
  deposit(payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return this.send({ method: 'POST', url: '/v1/deposits', headers: { 'content-type': 'application/json', ...this.tenant.auth, ...headers }, payload: body });
  }

  /** fsck finds no problem and every acknowledged receipt verifies against the entry stored at its index. */
  async expectLedgerIntact(): Promise<void> {
    const { ledger } = this.s.ctx;
    const report = await fsckStore(ledger['store'], ledger.verifierKey);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBe(ledger.treeSize);
    for (const r of this.acknowledged) {
      const sha256 = parseEntry(fromBase64(r.entry)).digest.sha256;
      const v = await verifyReceipt(r, [ledger.verifierKey], { digest: { sha256 } });
      const stored = await ledger.entry(v.leafIndex);
      expect(Buffer.from(stored!).toString('base64')).toBe(r.entry);
    }
  }
}

/** A 4xx whose body is the API's error shape with a code. */
export function expectClientError(res: LightMyRequestResponse, what: string, code?: string): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, what).toBeLessThan(500);
  const body = expectErrorBody(res);
  if (code !== undefined) expect(body.code, what).toBe(code);
}

/** Never a 5xx; an error is always `{statusCode, code, message}` (HEAD answers carry no body). */
export function expectNoServerError(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400 && res.raw.req.method !== 'HEAD') expectErrorBody(res);
}

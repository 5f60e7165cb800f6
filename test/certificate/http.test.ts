/**
 * GET /v1/deposits/<id>/certificate: the certificate of the receipt GET /v1/deposits/<id> answers, as
 * application/pdf, for the tenant only (another tenant's id is the same 404 as for the deposit itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../src/certificate/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { openFixture, type Fixture } from './helpers.js';

let f: Fixture;
let id: string;
beforeAll(async () => {
  f = await openFixture();
  id = parseReceipt(f.deposit).id;
}, 120_000);
afterAll(async () => f?.close());

describe('GET /v1/deposits/<id>/certificate', () => {
  it('answers the certificate of the refreshed receipt, in Chinese by default and in English with ?lang=en', async () => {
    const receipt = await f.app.inject({ method: 'GET', url: `/v1/deposits/${id}`, headers: f.auth });
    for (const lang of ['zh', 'en'] as const) {
      const res = await f.app.inject({ method: 'GET', url: `/v1/deposits/${id}/certificate${lang === 'en' ? '?lang=en' : ''}`, headers: f.auth });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`inline; filename="${id}.certificate.pdf"`);
      expect(res.rawPayload.equals((await makeCertificate(receipt.rawPayload, { lang })).pdf)).toBe(true);
    }
  });

  it("answers another tenant's deposit, an unknown id and no key exactly as GET /v1/deposits/<id> does", async () => {
    const unknown = 'ffffffffffffffffffffffffffffffff';
    for (const [headers, target] of [[f.otherAuth, id], [f.auth, unknown], [{}, id]] as const) {
      const deposit = await f.app.inject({ method: 'GET', url: `/v1/deposits/${target}`, headers });
      const cert = await f.app.inject({ method: 'GET', url: `/v1/deposits/${target}/certificate`, headers });
      expect(cert.statusCode).toBe(deposit.statusCode);
      expect(cert.statusCode).toBeGreaterThanOrEqual(401);
      expect(cert.json()).toEqual(deposit.json());
    }
  });

  it('refuses a language it does not have', async () => {
    const res = await f.app.inject({ method: 'GET', url: `/v1/deposits/${id}/certificate?lang=fr`, headers: f.auth });
    expect(res.statusCode).toBe(400);
  });

  it("an event's certificate too", async () => {
    const ev = parseReceipt(f.event).id;
    const res = await f.app.inject({ method: 'GET', url: `/v1/deposits/${ev}/certificate`, headers: f.auth });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
  });
});

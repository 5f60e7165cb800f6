/**
 * Fetching revocation evidence (src/anchor/revocation-client.ts): URLs from a certificate's AIA and CDP (made by
 * openssl), OCSP first then the CRL, against the real openssl responder on 127.0.0.1; bounded replies, deadlines,
 * a revoked certificate is final.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRevocation } from '../../src/anchor/index.js';
import { buildOcspRequest, certificateHash, revocationUrls } from '../../src/anchor/pure.js';
import { freePort } from '../support/server-process.js';
import { openssl } from '../tsa/pki.js';
import { startTestRevocation, type TestRevocation } from '../tsa/revocation-pki.js';
import { testPki, type TestPki } from '../tsa/test-tsa.js';
import { expectCode } from './helpers.js';

let pki: TestPki;
let responder: TestRevocation;
let closedPort: number;

/** A certificate of the test root with serial 02 (the responder's TSA serial) naming `ocsp` in its AIA and `crl` in its CDP. */
async function certNaming(name: string, ocsp: string | undefined, crl: string | undefined): Promise<Uint8Array> {
  const lines = ['[ext]', 'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature'];
  if (ocsp !== undefined) lines.push(`authorityInfoAccess = OCSP;URI:${ocsp}, caIssuers;URI:http://127.0.0.1/ca.crt`);
  if (crl !== undefined) lines.push(`crlDistributionPoints = URI:ldap://127.0.0.1/cn=crl, URI:${crl}`);
  writeFileSync(join(pki.dir, `${name}.cnf`), `${lines.join('\n')}\n`);
  await openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '30', '-out', `${name}.crt`, '-extfile', `${name}.cnf`, '-extensions', 'ext', '-outform', 'DER'], pki.dir);
  return new Uint8Array(readFileSync(join(pki.dir, `${name}.crt`)));
}

beforeAll(async () => {
  pki = await testPki();
  responder = await startTestRevocation('good');
  closedPort = await freePort();
});

afterAll(async () => responder.close());

describe('revocation URLs and requests', () => {
  it('reads the OCSP URL from the AIA and the http CRL URL from the CDP (ldap and caIssuers skipped)', async () => {
    const der = await certNaming('aia', 'http://ocsp.example/x', 'http://crl.example/ca.crl');
    expect(revocationUrls(der)).toEqual({ ocsp: ['http://ocsp.example/x'], crl: ['http://crl.example/ca.crl'] });
    expect(revocationUrls(pki.tsaDer)).toEqual({ ocsp: [], crl: [] });
    await expectCode(Promise.resolve().then(() => revocationUrls(new Uint8Array([0x30, 0x00]))), 'TSA_BAD_ARGUMENT');
  });

  it('builds an OCSPRequest openssl reads, for the certificate and its issuer', async () => {
    const request = await buildOcspRequest(pki.tsaDer, pki.caDer);
    writeFileSync(join(pki.dir, 'built.req'), request);
    const { stdout } = await openssl(['ocsp', '-reqin', 'built.req', '-req_text'], pki.dir);
    expect(stdout).toMatch(/Hash Algorithm: sha1/);
    expect(stdout).toMatch(/Serial Number: 02/);
  });
});

describe('fetchRevocation', () => {
  it('asks the responder the AIA names and returns verified OCSP evidence', async () => {
    const der = await certNaming('via-aia', responder.ocspUrl, undefined);
    const got = await fetchRevocation([der, pki.caDer], new Date());
    expect(got.failures).toEqual([]);
    expect(got.evidence).toEqual([{ cert: certificateHash(der), ocsp: expect.any(Uint8Array) }]);
    expect(got.report).toMatchObject({ checked: true, certificates: [{ status: 'good' }] });
  });

  it('falls back to the CRL when the OCSP responder is unreachable', async () => {
    const der = await certNaming('via-cdp', `http://127.0.0.1:${closedPort}/ocsp`, responder.crlUrl);
    const got = await fetchRevocation([der, pki.caDer], new Date(), { timeoutMs: 3000 });
    expect(got.evidence).toEqual([{ cert: certificateHash(der), crl: expect.any(Uint8Array) }]);
    expect(got.report.certificates[0]!.sources[0]!.source).toBe('crl');
  });

  it('reports a certificate left without evidence, and one that names no URL apart', async () => {
    const der = await certNaming('unreachable', `http://127.0.0.1:${closedPort}/ocsp`, undefined);
    const got = await fetchRevocation([der, pki.caDer], new Date(), { timeoutMs: 3000 });
    expect(got.evidence).toEqual([]);
    expect(got.failures).toEqual([{ cert: certificateHash(der), error: expect.stringMatching(/^TSA_UNREACHABLE/), noUrl: false }]);
    const none = await fetchRevocation([pki.tsaDer, pki.caDer], new Date());
    expect(none.failures).toEqual([{ cert: certificateHash(pki.tsaDer), error: 'no-url', noUrl: true }]);
    expect(none.report.checked).toBe(false);
  });

  it('bounds replies and deadlines: oversized, wrong content type, silent', async () => {
    const big = (): Promise<Response> => Promise.resolve(new Response(new Uint8Array(2 * 1024 * 1024), { headers: { 'content-type': 'application/ocsp-response' } }));
    const html = (): Promise<Response> => Promise.resolve(new Response('<html/>', { headers: { 'content-type': 'text/html' } }));
    const silent = (_u: string, init: { signal: AbortSignal }): Promise<Response> =>
      new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    for (const [fetch, code] of [[big, 'TSA_BAD_REPLY'], [html, 'TSA_BAD_REPLY'], [silent, 'TSA_TIMEOUT']] as const) {
      const got = await fetchRevocation([pki.tsaDer, pki.caDer], new Date(), { ocspUrl: 'http://127.0.0.1:1/ocsp', timeoutMs: 200, fetch });
      expect(got.failures[0]!.error.startsWith(code), got.failures[0]!.error).toBe(true);
    }
  });

  it('a revoked certificate is final: TSA_CERT_REVOKED', async () => {
    responder.setStatus('revoked-before');
    try {
      await expectCode(fetchRevocation([pki.tsaDer, pki.caDer], new Date(), { ocspUrl: responder.ocspUrl }), 'TSA_CERT_REVOKED');
    } finally {
      responder.setStatus('good');
    }
  });
});

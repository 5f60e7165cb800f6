/**
 * Revocation as of genTime (src/anchor/revocation.ts) against evidence made by the real openssl responder
 * (`openssl ocsp -index … -reqin … -respout …`) and `openssl ca -gencrl`, for tokens of the real openssl TSA.
 */
import * as asn1js from 'asn1js';
import { BasicOCSPResponse, OCSPResponse } from 'pkijs';
import { describe, expect, it } from 'vitest';
import { certificateHash, verifyRevocation, verifyTimestampToken } from '../../src/anchor/pure.js';
import { crlFor, ocspFor } from '../tsa/revocation-pki.js';
import { testPki } from '../tsa/test-tsa.js';
import { expectCode, flipped, freshToken, indexOfBytes } from './helpers.js';

function ocspSignatureEnd(der: Uint8Array): number {
  const response = new OCSPResponse({ schema: asn1js.fromBER(der).result });
  const basic = new BasicOCSPResponse({ schema: asn1js.fromBER(response.responseBytes!.response.valueBlock.valueHexView).result });
  const signature = basic.signature.valueBlock.valueHexView;
  const at = indexOfBytes(der, signature);
  expect(at).toBeGreaterThan(0);
  return at + signature.length - 1;
}

async function setup() {
  const pki = await testPki();
  const fresh = await freshToken('tsa');
  const cert = certificateHash(pki.tsaDer);
  const verify = (revocation: { ocsp?: Uint8Array; crl?: Uint8Array }[], extra: Record<string, unknown> = {}) =>
    verifyTimestampToken(fresh.token, {
      imprint: fresh.imprint,
      roots: [pki.caDer],
      revocation: revocation.map((r) => ({ cert, ...r })),
      ...extra,
    });
  return { pki, fresh, cert, verify };
}

describe('revocation as of genTime', () => {
  it('without evidence: valid, and the result says revocation was not checked', async () => {
    const { verify } = await setup();
    const result = await verify([]);
    expect(result.revocation.checked).toBe(false);
    expect(result.revocation.certificates.map((c) => [c.subject, c.status])).toEqual([['CN=Test TSA,O=cunzheng test', 'not-checked']]);
    const missing = await expectCode(verify([], { requireRevocation: true }), 'TSA_REVOCATION_MISSING');
    expect(missing.details?.subject).toBe('CN=Test TSA,O=cunzheng test');
  });

  it('a good OCSP response from a delegated responder, from the root itself, and a CRL: checked', async () => {
    const { verify, pki } = await setup();
    const [delegated, direct, crl] = await Promise.all([ocspFor('good'), ocspFor('good', { signer: 'ca' }), crlFor('good')]);
    for (const evidence of [{ ocsp: delegated }, { ocsp: direct }, { crl }, { ocsp: delegated, crl }]) {
      const result = await verify([evidence]);
      expect(result.revocation.checked).toBe(true);
      const [entry] = result.revocation.certificates;
      expect(entry!.status).toBe('good');
      expect(entry!.cert).toBe(certificateHash(pki.tsaDer));
      expect(entry!.sources.map((s) => s.source)).toEqual([...(evidence.ocsp ? ['ocsp'] : []), ...(evidence.crl ? ['crl'] : [])]);
      expect(entry!.sources.every((s) => s.status === 'good')).toBe(true);
    }
  });

  it('revoked before genTime: TSA_CERT_REVOKED with the revocation time, by OCSP and by CRL', async () => {
    const { verify } = await setup();
    const [ocsp, crl] = await Promise.all([ocspFor('revoked-before'), crlFor('revoked-before')]);
    for (const evidence of [{ ocsp }, { crl }]) {
      const err = await expectCode(verify([evidence]), 'TSA_CERT_REVOKED');
      expect(err.details).toMatchObject({ revocationTime: '2025-01-01T00:00:00.000Z', reason: 'superseded', afterGenTime: false });
    }
  });

  it('revoked after genTime for a benign reason: valid as of genTime, and said; for keyCompromise: every token void', async () => {
    const { verify, fresh } = await setup();
    const [ocsp, crl, compromised] = await Promise.all([ocspFor('revoked-after'), crlFor('revoked-after'), ocspFor('revoked-after-key-compromise')]);
    for (const evidence of [{ ocsp }, { crl }]) {
      const result = await verify([evidence]);
      expect(result.revocation.checked).toBe(true);
      const [entry] = result.revocation.certificates;
      expect(entry!.status).toBe('revoked-after-genTime');
      const when = new Date(entry!.sources[0]!.revocationTime!);
      expect(when.getTime()).toBeGreaterThan(result.genTime.getTime());
      expect(entry!.sources[0]!.reason).toBe('superseded');
    }
    const err = await expectCode(verify([{ ocsp: compromised }]), 'TSA_CERT_REVOKED');
    expect(err.details).toMatchObject({ reason: 'keyCompromise', afterGenTime: true });
    void fresh;
  });

  it('evidence signed by the wrong key, or by a responder the issuer did not authorize: TSA_REVOCATION_INVALID', async () => {
    const { verify } = await setup();
    const [impostorOcsp, otherResponder, impostorCrl, good] = await Promise.all([
      ocspFor('good', { signer: 'impostor' }),
      ocspFor('good', { signer: 'other-responder' }),
      crlFor('good', 'impostor'),
      ocspFor('good', { signer: 'ca' }),
    ]);
    const cases: [{ ocsp?: Uint8Array; crl?: Uint8Array }, string][] = [
      [{ ocsp: impostorOcsp }, 'bad-signature'],
      [{ ocsp: otherResponder }, 'responder-not-authorized'],
      [{ crl: impostorCrl }, 'bad-signature'],
      // the last byte of the response's ECDSA signature value (an embedded certificate follows it)
      [{ ocsp: flipped(good, ocspSignatureEnd(good)) }, 'bad-signature'],
    ];
    for (const [evidence, which] of cases) {
      const err = await expectCode(verify([evidence]).then(() => which), 'TSA_REVOCATION_INVALID');
      expect(err.details?.case, err.message).toBe(which);
    }
  });

  it('evidence about another certificate does not cover the TSA certificate', async () => {
    const { verify } = await setup();
    const other = await ocspFor('good', { certFile: 'rsa.crt' });
    const err = await expectCode(verify([{ ocsp: other }]), 'TSA_REVOCATION_INVALID');
    expect(err.details?.case).toBe('not-covered');
  });

  it('freshness: made before genTime it must extend across it; long after genTime it is too late', async () => {
    const pki = await testPki();
    // evidence first, then the token: thisUpdate (whole seconds) is before genTime
    const [early, earlyWithNext] = await Promise.all([ocspFor('good'), ocspFor('good', { nextUpdateMinutes: 5 })]);
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await freshToken('tsa');
    const cert = certificateHash(pki.tsaDer);
    const verify = (ocsp: Uint8Array, extra: Record<string, unknown>) =>
      verifyTimestampToken(fresh.token, { imprint: fresh.imprint, roots: [pki.caDer], revocation: [{ cert, ocsp }], ...extra });
    const stale = await expectCode(verify(early, { revocationSkewMs: 0 }), 'TSA_REVOCATION_INVALID');
    expect(stale.details?.case).toBe('stale');
    expect((await verify(early, {})).revocation.checked).toBe(true); // within the default 60 s skew
    expect((await verify(earlyWithNext, { revocationSkewMs: 0 })).revocation.checked).toBe(true); // nextUpdate ≥ genTime
    await new Promise((r) => setTimeout(r, 1100));
    const late = await ocspFor('good');
    const tooLate = await expectCode(
      verifyTimestampToken(fresh.token, { imprint: fresh.imprint, roots: [pki.caDer], revocation: [{ cert, ocsp: late }], revocationWindowMs: 0 }),
      'TSA_REVOCATION_INVALID',
    );
    expect(tooLate.details?.case).toBe('too-late');
  });

  it('a short-lived certificate and a given genTime: evidence from after the certificate expired is too late', async () => {
    const pki = await testPki();
    // "Expired Test TSA": valid 2020-01-01 .. 2020-01-02 only, serial 0x10 (openssl ca)
    const { readFileSync } = await import('node:fs');
    const pem = readFileSync(pki.signers.expired.cert, 'utf8');
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const ocsp = await ocspFor('good', { certFile: 'expired.crt', serial: '10' });
    const revocation = [{ cert: certificateHash(der), ocsp }];
    const inside = new Date('2020-01-01T12:00:00Z');
    const late = await expectCode(verifyRevocation([der, pki.caDer], inside, { revocation, revocationWindowMs: 1e13 }), 'TSA_REVOCATION_INVALID');
    expect(late.details).toMatchObject({ case: 'too-late', notAfter: '2020-01-02T00:00:00.000Z' });
    // with the default window (7 days) the evidence is also far too late for that genTime
    expect((await expectCode(verifyRevocation([der, pki.caDer], inside, { revocation }), 'TSA_REVOCATION_INVALID')).details?.case).toBe('too-late');
    // the same evidence read for a genTime just before it was made: covered, and the report says so
    const report = await verifyRevocation([pki.tsaDer, pki.caDer], new Date(Date.now() - 30_000), { revocation: [{ cert: certificateHash(pki.tsaDer), ocsp: await ocspFor('good') }] });
    expect(report).toMatchObject({ checked: true, certificates: [{ status: 'good' }] });
  });

  it('a malformed evidence list is a caller error', async () => {
    const { fresh, pki } = await setup();
    for (const revocation of [[{ cert: 'xyz', ocsp: new Uint8Array(1) }], [{ cert: 'a'.repeat(64) }], 'nope']) {
      await expectCode(
        verifyTimestampToken(fresh.token, { imprint: fresh.imprint, roots: [pki.caDer], revocation: revocation as never }),
        'TSA_BAD_ARGUMENT',
      );
    }
  });
});

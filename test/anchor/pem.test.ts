/**
 * parsePemCertificates: bundles as `openssl x509` and CA bundles write them (`--tsa-roots FILE`).
 */
import { describe, expect, it } from 'vitest';
import { parsePemCertificates, verifyTimestampToken } from '../../src/anchor/pure.js';
import { toBase64 } from '../../src/crypto/index.js';
import { testPki } from '../tsa/test-tsa.js';
import { expectCode, freshToken } from './helpers.js';

function pem(der: Uint8Array, eol = '\n'): string {
  const b64 = toBase64(der).match(/.{1,64}/g)!.join(eol);
  return `-----BEGIN CERTIFICATE-----${eol}${b64}${eol}-----END CERTIFICATE-----${eol}`;
}

const parse = async (text: string) => parsePemCertificates(text);

describe('when the bundle is well formed', () => {
  it('reads openssl\'s PEM of the test root as the same DER, and the roots verify a token', async () => {
    const pki = await testPki();
    const roots = parsePemCertificates(pki.caPem);
    expect(roots).toEqual([pki.caDer]);
    const t = await freshToken();
    await expect(verifyTimestampToken(t.token, { imprint: t.imprint, roots })).resolves.toBeDefined();
  });

  it('reads several certificates in order, skipping text, other blocks and CRLF line ends', async () => {
    const pki = await testPki();
    const text = [
      'subject=O = cunzheng test, CN = Cunzheng Test Root CA',
      pem(pki.caDer, '\r\n'),
      '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----',
      '# the other one',
      pem(pki.otherCaDer),
    ].join('\n');
    expect(parsePemCertificates(text)).toEqual([pki.caDer, pki.otherCaDer]);
  });
});

describe('when the bundle is broken', () => {
  it('rejects text without certificates', async () => {
    await expectCode(parse(''), 'TSA_PEM_MALFORMED');
    await expectCode(parse('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'TSA_PEM_MALFORMED');
  });

  it('rejects an unterminated block and a mismatched END, naming the line', async () => {
    const pki = await testPki();
    const unterminated = pem(pki.caDer).replace('-----END CERTIFICATE-----\n', '');
    const err = await expectCode(parse(`\n\n${unterminated}`), 'TSA_PEM_MALFORMED');
    expect(err.message).toContain('line 3');
    await expectCode(parse(pem(pki.caDer).replace('END CERTIFICATE', 'END X509 CRL')), 'TSA_PEM_MALFORMED');
  });

  it('rejects bad base64 and base64 that is not a certificate', async () => {
    const pki = await testPki();
    await expectCode(parse(pem(pki.caDer).replace(/\n[A-Za-z]/, '\n*')), 'TSA_PEM_MALFORMED');
    await expectCode(parse(pem(new TextEncoder().encode('not a certificate at all'))), 'TSA_PEM_MALFORMED');
    await expectCode(parse(pem(pki.caDer.subarray(0, pki.caDer.length - 1))), 'TSA_PEM_MALFORMED');
  });
});

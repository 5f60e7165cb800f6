/**
 * Tokens of an SM2 TSA (GM/T 0033 / GM/T 0010): SM3 digest, SM2-with-SM3 signature with the default identifier,
 * SM2 certificates signed by an SM2 root. Both directions against a real outside implementation: openssl pkeyutl
 * signs → we verify; our sm2Sign signs → `openssl pkeyutl -verify -pkeyopt distid:1234567812345678` verifies.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse, verifyTimestampToken } from '../../src/anchor/pure.js';
import { sm3, toHex, utf8 } from '../../src/crypto/index.js';
import { openssl } from '../tsa/pki.js';
import { type Sm2Pki, sm2TestPki } from '../tsa/sm2-pki.js';
import { opensslSm2Verify, signedPartsOf } from '../tsa/sm2-token.js';
import { type Sm2StampOptions, type Sm2TsaSigner, stampSm2Query } from '../tsa/sm2-tsa.js';
import { opensslVerify } from '../tsa/test-tsa.js';
import { checkpointImprint, expectCode, flipped } from './helpers.js';

let pki: Sm2Pki;

beforeAll(async () => {
  pki = await sm2TestPki();
});

const BODY = utf8('cunzheng.test/log\n42\nXbbSjkPlCQ8b3pYQx6uHIuCPpZHGafC3tdPWcBB0j7I=\n');

async function sm2Token(signer: Sm2TsaSigner = 'sm2', options: Sm2StampOptions = {}, hash: 'SHA-256' | 'SM3' = 'SHA-256') {
  const imprint = hash === 'SM3' ? sm3(BODY).slice() : checkpointImprint();
  const request = buildTimestampRequest(imprint, { hash });
  const token = parseTimeStampResponse(await stampSm2Query(request.der, signer, options));
  return { token, imprint: checkpointImprint(), imprintSm3: sm3(BODY).slice(), nonce: request.nonce };
}

describe('when an SM2 TSA signs with openssl pkeyutl and the standard identifier', () => {
  it('verifies, with the SM2 TSA certificate chained to the SM2 root', async () => {
    const t = await sm2Token('sm2');
    const v = await verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer], nonce: t.nonce, at: new Date() });
    expect(v.tsa).toBe('CN=SM2 Test TSA,O=cunzheng test');
    expect(v.nonce).toBe(t.nonce);
    expect(v.signerCertificate).toEqual(pki.tsaDer);
    expect(v.chain).toEqual([pki.tsaDer, pki.rootDer]);
  });

  it('and openssl itself accepts that signature over DER(signedAttrs), but not over one flipped bit of them', async () => {
    const { token } = await sm2Token('sm2');
    const { signedAttrs, signature } = signedPartsOf(token);
    expect((await opensslSm2Verify(pki.tsaPublicKeyFile, signedAttrs, signature, pki.dir)).output).toContain('Signature Verified Successfully');
    expect((await opensslSm2Verify(pki.tsaPublicKeyFile, flipped(signedAttrs, 40), signature, pki.dir)).ok).toBe(false);
  });

  it('`openssl ts -verify` cannot check it, nor `openssl ts -reply` make it (OpenSSL 3.0 does no SM2 CMS): hence pkeyutl in README', async () => {
    const t = await sm2Token('sm2');
    const result = await opensslVerify(t.token, toHex(t.imprint), pki.rootFile);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('certificate signature failure');
    const work = mkdtempSync(join(pki.dir, 'reply-'));
    try {
      writeFileSync(join(work, 'q.tsq'), buildTimestampRequest(t.imprint).der);
      const files = pki.signers.tsa;
      const { stderr } = await openssl(['ts', '-reply', '-config', pki.tsConfig, '-section', 'tsa_sm2', '-queryfile', 'q.tsq', '-signer', files.cert, '-inkey', files.key, '-out', 'r.tsr'], work);
      expect(stderr).toContain('signing not supported for this key type');
      expect(readFileSync(join(work, 'r.tsr')).length).toBeLessThan(100); // a bare "rejection" status, no token
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('verifies the SignerInfo forms GM/T 0010 signers write: sm2p256v1 or id-ecPublicKey as the algorithm, NULL parameters, ESS with SHA-256', async () => {
    for (const options of [
      { signatureOid: '1.2.156.10197.1.301' },
      { signatureOid: '1.2.840.10045.2.1' },
      { nullParams: true },
      { essHash: 'SHA-256' as const },
    ]) {
      const t = await sm2Token('sm2', options);
      await expect(verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer] }), JSON.stringify(options)).resolves.toMatchObject({
        tsa: 'CN=SM2 Test TSA,O=cunzheng test',
      });
    }
  });

  it('verifies an SM3 messageImprint against imprintSm3, and refuses it without one or with another', async () => {
    const t = await sm2Token('sm2', {}, 'SM3');
    const v = await verifyTimestampToken(t.token, { imprint: t.imprint, imprintSm3: t.imprintSm3, roots: [pki.rootDer], nonce: t.nonce });
    expect(v.tsa).toBe('CN=SM2 Test TSA,O=cunzheng test');
    const none = await expectCode(verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer] }), 'TSA_IMPRINT_MISMATCH');
    expect(none.message).toContain('imprintSm3');
    await expectCode(
      verifyTimestampToken(t.token, { imprint: t.imprint, imprintSm3: sm3(utf8('other')).slice(), roots: [pki.rootDer] }),
      'TSA_IMPRINT_MISMATCH',
    );
    // and a SHA-256 token is never matched against the SM3 digest
    const s = await sm2Token('sm2');
    await expectCode(verifyTimestampToken(s.token, { imprint: s.imprintSm3, imprintSm3: s.imprintSm3, roots: [pki.rootDer] }), 'TSA_IMPRINT_MISMATCH');
  });

  it('refuses SM2 with another digest than SM3, and SM3 with another signature than SM2, as TSA_UNSUPPORTED', async () => {
    const sha = await sm2Token('sm2', { digestOid: '2.16.840.1.101.3.4.2.1' });
    await expectCode(verifyTimestampToken(sha.token, { imprint: sha.imprint, roots: [pki.rootDer] }), 'TSA_UNSUPPORTED');
    const ecdsa = await sm2Token('sm2', { signatureOid: '1.2.840.10045.4.3.2' });
    await expectCode(verifyTimestampToken(ecdsa.token, { imprint: ecdsa.imprint, roots: [pki.rootDer] }), 'TSA_UNSUPPORTED');
  });
});

describe('when the token is signed by our own sm2Sign', () => {
  it('verifies with ours, and `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` accepts it', async () => {
    let parts: { signedAttrs: Uint8Array; signature: Uint8Array } | undefined;
    const t = await sm2Token('sm2-ours', { onSigned: (signedAttrs, signature) => (parts = { signedAttrs, signature }) });
    await expect(verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer] })).resolves.toBeDefined();
    expect(signedPartsOf(t.token)).toEqual(parts);
    const result = await opensslSm2Verify(pki.tsaPublicKeyFile, parts!.signedAttrs, parts!.signature, pki.dir);
    expect(result.output).toContain('Signature Verified Successfully');
    expect(result.ok).toBe(true);
  });
});

describe('when an SM2 signature was made without the identifier (OpenSSL 3.0 default, Node crypto.sign)', () => {
  it('refuses the token with TSA_SM2_NONSTANDARD_ID, as standard verifiers (openssl with distid) refuse it', async () => {
    const t = await sm2Token('sm2-no-id');
    const err = await expectCode(verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer] }), 'TSA_SM2_NONSTANDARD_ID');
    expect(err.message).toContain('1234567812345678');
    const { signedAttrs, signature } = signedPartsOf(t.token);
    expect((await opensslSm2Verify(pki.tsaPublicKeyFile, signedAttrs, signature, pki.dir)).ok).toBe(false);
  });

  it('refuses a TSA certificate whose SM2 signature lacks the identifier with TSA_UNTRUSTED_CHAIN, naming it', async () => {
    const t = await sm2Token('sm2-cert-no-id');
    const err = await expectCode(verifyTimestampToken(t.token, { imprint: t.imprint, roots: [pki.rootDer] }), 'TSA_UNTRUSTED_CHAIN');
    expect(err.details).toMatchObject({ sm2NonstandardId: ['CN=SM2 Test TSA,O=cunzheng test'] });
    // openssl agrees: with the identifier, the standard certificate verifies and this one does not
    const std = await openssl(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', pki.rootFile, pki.signers.tsa.cert], pki.dir);
    expect(std.stdout).toContain(': OK');
    await expect(openssl(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', pki.rootFile, pki.signers.noIdCert.cert], pki.dir)).rejects.toThrow();
  });
});

/**
 * verifyTimestampToken against tokens from a real RFC 3161 TSA (openssl ts -reply, see test/tsa), cross-checked with
 * `openssl ts -verify`, and each way a token can be wrong rejected with its own code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTimestampToken, parseTimeStampResponse, verifyTimestampToken } from '../../src/anchor/pure.js';
import { toHex } from '../../src/crypto/index.js';
import { opensslVerify, stampQuery, testPki, type TestPki } from '../tsa/test-tsa.js';
import {
  checkpointImprint,
  expectCode,
  flipped,
  freshToken,
  type FreshToken,
  genTimeOffset,
  indexOfBytes,
  plainQuery,
  replaceEmbeddedCertificate,
  signatureOffset,
} from './helpers.js';

let pki: TestPki;
let good: FreshToken;
let startedAt: number;

beforeAll(async () => {
  pki = await testPki();
  startedAt = Date.now();
  good = await freshToken('tsa');
});

const opts = (t: FreshToken, extra: Record<string, unknown> = {}) => ({
  imprint: t.imprint,
  roots: [pki.caDer],
  nonce: t.nonce,
  ...extra,
});

describe('when the token comes from the openssl TSA', () => {
  it('verifies and reports genTime, the TSA, serial, policy, accuracy, nonce and the chain to the root', async () => {
    const v = await verifyTimestampToken(good.token, opts(good));
    expect(v.genTime.getTime()).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000 - 1000);
    expect(v.genTime.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(v.tsa).toBe('CN=Test TSA,O=cunzheng test');
    expect(v.policy).toBe('1.3.6.1.4.1.55555.1.1');
    expect(v.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(v.accuracy).toEqual({ seconds: 1, millis: 500, micros: 100 });
    expect(v.ordering).toBe(true);
    expect(v.nonce).toBe(good.nonce);
    expect(v.signerCertificate).toEqual(pki.tsaDer);
    expect(v.chain).toEqual([pki.tsaDer, pki.caDer]);
  });

  it('is accepted by `openssl ts -verify` with the same imprint and root', async () => {
    const result = await opensslVerify(good.token, toHex(good.imprint));
    expect(result.output).toContain('Verification: OK');
    expect(result.ok).toBe(true);
  });

  it('and `openssl ts -verify` refuses it for another imprint (the cross-check can fail)', async () => {
    const result = await opensslVerify(good.token, toHex(checkpointImprint(43)));
    expect(result.ok).toBe(false);
  });

  it('verifies a token signed with RSA', async () => {
    const t = await freshToken('rsa');
    expect((await verifyTimestampToken(t.token, opts(t))).tsa).toBe('CN=Test RSA TSA,O=cunzheng test');
    expect((await opensslVerify(t.token, toHex(t.imprint))).ok).toBe(true);
  });

  it('verifies a token whose ESS attribute is the SHA-1 signing-certificate (v1)', async () => {
    const t = await freshToken('ess-v1');
    await expect(verifyTimestampToken(t.token, opts(t))).resolves.toMatchObject({ tsa: 'CN=Test TSA,O=cunzheng test' });
  });

  it('accepts the nonce as big-endian bytes too', async () => {
    const bytes = new Uint8Array(8);
    let n = good.nonce;
    for (let i = 7; i >= 0; i--) {
      bytes[i] = Number(n % 256n);
      n /= 256n;
    }
    await expect(verifyTimestampToken(good.token, opts(good, { nonce: bytes }))).resolves.toBeDefined();
  });

  it('accepts a notBefore at or before genTime and an `at` after it', async () => {
    const v = await verifyTimestampToken(good.token, opts(good));
    await expect(verifyTimestampToken(good.token, opts(good, { notBefore: v.genTime, at: new Date() }))).resolves.toBeDefined();
  });
});

describe('when the token was altered', () => {
  it('rejects a flipped byte in the signature with TSA_BAD_SIGNATURE', async () => {
    const { at, length } = signatureOffset(good.token);
    await expectCode(verifyTimestampToken(flipped(good.token, at + length - 1), opts(good)), 'TSA_BAD_SIGNATURE');
  });

  it('rejects a backdated genTime in the TSTInfo with TSA_BAD_SIGNATURE', async () => {
    const at = genTimeOffset(good.token) + 3; // the year's last digit: 2026 → 2027 or 2025 (XOR 1 keeps a digit)
    const err = await expectCode(verifyTimestampToken(flipped(good.token, at), opts(good)), 'TSA_BAD_SIGNATURE');
    expect(err.message).toContain('message-digest');
  });

  it('rejects a flipped byte in the messageImprint with TSA_IMPRINT_MISMATCH', async () => {
    const imprintAt = indexOfBytes(good.token, good.imprint);
    expect(imprintAt).toBeGreaterThan(0);
    await expectCode(verifyTimestampToken(flipped(good.token, imprintAt + 5), opts(good)), 'TSA_IMPRINT_MISMATCH');
  });

  it('rejects the TSA certificate swapped for a twin (same key and serial) with TSA_BAD_SIGNING_CERTIFICATE', async () => {
    const swapped = replaceEmbeddedCertificate(good.token, pki.tsaDer, pki.twinDer);
    await expectCode(verifyTimestampToken(swapped, opts(good)), 'TSA_BAD_SIGNING_CERTIFICATE');
  });

  it('rejects trailing bytes and truncation with TSA_TOKEN_MALFORMED', async () => {
    const longer = new Uint8Array([...good.token, 0]);
    await expectCode(verifyTimestampToken(longer, opts(good)), 'TSA_TOKEN_MALFORMED');
    await expectCode(verifyTimestampToken(good.token.subarray(0, good.token.length - 1), opts(good)), 'TSA_TOKEN_MALFORMED');
  });
});

describe('when the token is for something else', () => {
  it('rejects another imprint with TSA_IMPRINT_MISMATCH, giving both digests', async () => {
    const err = await expectCode(verifyTimestampToken(good.token, opts(good, { imprint: checkpointImprint(43) })), 'TSA_IMPRINT_MISMATCH');
    expect(err.details).toMatchObject({ got: toHex(good.imprint), want: toHex(checkpointImprint(43)) });
  });

  it('rejects another nonce with TSA_NONCE_MISMATCH', async () => {
    await expectCode(verifyTimestampToken(good.token, opts(good, { nonce: good.nonce + 1n })), 'TSA_NONCE_MISMATCH');
  });

  it('rejects a token without nonce when one was expected, and accepts it when none was', async () => {
    const imprint = checkpointImprint();
    const token = parseTimeStampResponse(await stampQuery(plainQuery(imprint, { nonce: false, certReq: true })));
    await expectCode(verifyTimestampToken(token, { imprint, roots: [pki.caDer], nonce: 1n }), 'TSA_NONCE_MISMATCH');
    await expect(verifyTimestampToken(token, { imprint, roots: [pki.caDer] })).resolves.not.toHaveProperty('nonce');
  });

  it('rejects a genTime before notBefore with TSA_TIME_BEFORE_CHECKPOINT', async () => {
    const v = await verifyTimestampToken(good.token, opts(good));
    const notBefore = new Date(v.genTime.getTime() + 1);
    await expectCode(verifyTimestampToken(good.token, opts(good, { notBefore })), 'TSA_TIME_BEFORE_CHECKPOINT');
  });

  it('rejects a genTime later than `at` beyond the accuracy with TSA_TIME_IN_FUTURE', async () => {
    const v = await verifyTimestampToken(good.token, opts(good));
    const withinAccuracy = new Date(v.genTime.getTime() - 1500);
    await expect(verifyTimestampToken(good.token, opts(good, { at: withinAccuracy }))).resolves.toBeDefined();
    const tooEarly = new Date(v.genTime.getTime() - 1601);
    await expectCode(verifyTimestampToken(good.token, opts(good, { at: tooEarly })), 'TSA_TIME_IN_FUTURE');
  });
});

describe('when the signer is not trustworthy', () => {
  it('rejects a token when the root is not trusted with TSA_UNTRUSTED_CHAIN', async () => {
    await expectCode(verifyTimestampToken(good.token, opts(good, { roots: [pki.otherCaDer] })), 'TSA_UNTRUSTED_CHAIN');
    await expectCode(verifyTimestampToken(good.token, opts(good, { roots: [] })), 'TSA_UNTRUSTED_CHAIN');
  });

  it('rejects a TSA certified by another CA with TSA_UNTRUSTED_CHAIN', async () => {
    const t = await freshToken('untrusted');
    await expectCode(verifyTimestampToken(t.token, opts(t)), 'TSA_UNTRUSTED_CHAIN');
    await expect(verifyTimestampToken(t.token, opts(t, { roots: [pki.otherCaDer] }))).resolves.toBeDefined();
  });

  it('rejects a certificate without the timeStamping extended key usage with TSA_NOT_TIMESTAMPING_CERT', async () => {
    const t = await freshToken('no-eku');
    await expectCode(verifyTimestampToken(t.token, opts(t)), 'TSA_NOT_TIMESTAMPING_CERT');
    expect((await opensslVerify(t.token, toHex(t.imprint))).ok).toBe(false);
  });

  it('rejects a token without the ESS signing-certificate attribute with TSA_BAD_SIGNING_CERTIFICATE', async () => {
    const t = await freshToken('no-ess');
    await expectCode(verifyTimestampToken(t.token, opts(t)), 'TSA_BAD_SIGNING_CERTIFICATE');
  });

  it('rejects a certificate not valid at genTime with TSA_CERT_EXPIRED', async () => {
    const t = await freshToken('expired');
    const err = await expectCode(verifyTimestampToken(t.token, opts(t)), 'TSA_CERT_EXPIRED');
    expect(err.details).toMatchObject({ notAfter: '2020-01-02T00:00:00.000Z' });
  });

  it('rejects a token without certificates with TSA_SIGNER_NOT_FOUND, unless the TSA certificate itself is trusted', async () => {
    const imprint = checkpointImprint();
    const token = parseTimeStampResponse(await stampQuery(plainQuery(imprint, { nonce: true, certReq: false })));
    await expectCode(verifyTimestampToken(token, { imprint, roots: [pki.caDer] }), 'TSA_SIGNER_NOT_FOUND');
    const v = await verifyTimestampToken(token, { imprint, roots: [pki.tsaDer] });
    expect(v.chain).toEqual([pki.tsaDer]);
  });
});

describe('when no roots are consulted (checkTimestampToken)', () => {
  it('accepts a well-signed token from any CA but reports an empty chain', async () => {
    const t = await freshToken('untrusted');
    const v = await checkTimestampToken(t.token, { imprint: t.imprint, nonce: t.nonce });
    expect(v.chain).toEqual([]);
    expect(v.tsa).toBe('CN=Untrusted Test TSA,O=cunzheng test');
  });

  it('still rejects a bad signature and a certificate without timeStamping', async () => {
    const { at } = signatureOffset(good.token);
    await expectCode(checkTimestampToken(flipped(good.token, at + 10), { imprint: good.imprint }), 'TSA_BAD_SIGNATURE');
    const t = await freshToken('no-eku');
    await expectCode(checkTimestampToken(t.token, { imprint: t.imprint }), 'TSA_NOT_TIMESTAMPING_CERT');
  });
});

describe('when the caller passes bad arguments', () => {
  it('rejects an imprint that is not 32 bytes and a root that is not a certificate', async () => {
    await expectCode(verifyTimestampToken(good.token, opts(good, { imprint: new Uint8Array(31) })), 'TSA_BAD_ARGUMENT');
    await expectCode(verifyTimestampToken(good.token, opts(good, { roots: [new Uint8Array([1, 2, 3])] })), 'TSA_ROOT_MALFORMED');
    await expectCode(verifyTimestampToken(good.token, opts(good, { notBefore: new Date(Number.NaN) })), 'TSA_BAD_ARGUMENT');
  });
});

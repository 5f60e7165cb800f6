/**
 * requestTimestamp over real HTTP against the openssl test TSA (127.0.0.1), in every mode it can misbehave in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTimestamp, verifyTimestampToken } from '../../src/anchor/index.js';
import { toHex } from '../../src/crypto/index.js';
import { opensslVerify, startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { checkpointImprint, expectCode } from './helpers.js';

let tsa: TestTsa;
const imprint = checkpointImprint(1000);

beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => tsa?.close());

function mode(m: Parameters<TestTsa['setMode']>[0], signer: Parameters<TestTsa['setSigner']>[0] = 'tsa'): void {
  tsa.setMode(m);
  tsa.setSigner(signer);
}

describe('when the TSA answers', () => {
  it('returns a token that verifies offline and that openssl accepts, with its genTime', async () => {
    mode('ok');
    const before = Date.now();
    const result = await requestTimestamp(tsa.url, imprint, { roots: [tsa.caDer], timeoutMs: 5000 });
    expect(result.genTime.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(result.verification.chain).toHaveLength(2);
    const again = await verifyTimestampToken(result.token, { imprint, roots: [tsa.caDer] });
    expect(again.genTime).toEqual(result.genTime);
    expect((await opensslVerify(result.token, toHex(imprint))).output).toContain('Verification: OK');
  });

  it('without roots, checks everything but the chain', async () => {
    mode('ok', 'untrusted');
    const result = await requestTimestamp(tsa.url, imprint);
    expect(result.verification.chain).toEqual([]);
    expect(result.verification.tsa).toBe('CN=Untrusted Test TSA,O=cunzheng test');
  });

  it('with roots, rejects a TSA from another CA with TSA_UNTRUSTED_CHAIN', async () => {
    mode('ok', 'untrusted');
    await expectCode(requestTimestamp(tsa.url, imprint, { roots: [tsa.caDer] }), 'TSA_UNTRUSTED_CHAIN');
  });

  it('rejects a TSA signing with a certificate without timeStamping with TSA_NOT_TIMESTAMPING_CERT', async () => {
    mode('ok', 'no-eku');
    await expectCode(requestTimestamp(tsa.url, imprint, { roots: [tsa.caDer] }), 'TSA_NOT_TIMESTAMPING_CERT');
  });

  it('rejects a token that does not echo our nonce with TSA_NONCE_MISMATCH', async () => {
    mode('wrong-nonce');
    await expectCode(requestTimestamp(tsa.url, imprint, { roots: [tsa.caDer] }), 'TSA_NONCE_MISMATCH');
  });

  it('reports a refusal with TSA_REJECTED', async () => {
    mode('reject');
    const err = await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_REJECTED');
    expect(err.details).toMatchObject({ failInfo: ['badAlg'] });
  });
});

describe('when the TSA misbehaves', () => {
  it('reports HTTP 503 with TSA_HTTP_ERROR and the status', async () => {
    mode('down');
    const err = await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_HTTP_ERROR');
    expect(err.details).toMatchObject({ status: 503, retryAfter: '1' });
  });

  it('reports a dropped connection with TSA_UNREACHABLE', async () => {
    mode('reset');
    await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_UNREACHABLE');
  });

  it('gives up on a slow TSA after timeoutMs with TSA_TIMEOUT', async () => {
    mode('slow');
    const started = Date.now();
    const err = await expectCode(requestTimestamp(tsa.url, imprint, { timeoutMs: 200 }), 'TSA_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err.details).toMatchObject({ timeoutMs: 200 });
  });

  it('reports random bytes with TSA_BAD_REPLY', async () => {
    mode('garbage');
    await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_BAD_REPLY');
  });

  it('reports a reply that is not application/timestamp-reply with TSA_BAD_REPLY', async () => {
    mode('wrong-content-type');
    const err = await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_BAD_REPLY');
    expect(err.details).toMatchObject({ got: 'text/html' });
  });
});

describe('when nothing listens or the URL is wrong', () => {
  it('reports a refused connection with TSA_UNREACHABLE', async () => {
    const gone = await startTestTsa();
    await gone.close();
    const err = await expectCode(requestTimestamp(gone.url, imprint, { timeoutMs: 2000 }), 'TSA_UNREACHABLE');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('rejects a URL that is not http(s) with TSA_BAD_URL', async () => {
    await expectCode(requestTimestamp('ftp://127.0.0.1/tsa', imprint), 'TSA_BAD_URL');
    await expectCode(requestTimestamp('not a url', imprint), 'TSA_BAD_URL');
  });
});

describe('when a fetch is injected', () => {
  it('posts a timestamp-query, moving URL credentials into a Basic Authorization header', async () => {
    mode('ok');
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const result = await requestTimestamp(`${tsa.url.replace('http://', 'http://user%40corp:p%3Ass@')}`, imprint, {
      fetch: async (url, init) => {
        seen.push({ url, headers: init.headers });
        return fetch(url, init);
      },
    });
    expect(result.token.length).toBeGreaterThan(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(tsa.url);
    expect(seen[0]!.headers).toMatchObject({
      'content-type': 'application/timestamp-query',
      authorization: `Basic ${Buffer.from('user@corp:p:ss').toString('base64')}`,
    });
  });

  it('refuses a reply body larger than MAX_RESPONSE_BYTES with TSA_BAD_REPLY', async () => {
    const huge = new Response(new Uint8Array(300 * 1024), { headers: { 'content-type': 'application/timestamp-reply' } });
    await expectCode(requestTimestamp(tsa.url, imprint, { fetch: async () => huge }), 'TSA_BAD_REPLY');
  });
});

/**
 * Anchoring at an SM2 TSA over a real listen: requestTimestamp against the test TSA's SM2 signer, and a real
 * `cunzheng serve --tsa URL --tsa-roots sm2-root.pem` process (dist/, built by `npx tsc -p tsconfig.json`) that
 * stamps its checkpoint there and hands out receipts whose SM2 token verifies offline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTimestamp, verifyTimestampToken } from '../../src/anchor/index.js';
import { fromBase64, sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { completeUscc } from '../../src/entry/index.js';
import { type Receipt, verifyReceipt } from '../../src/receipt/index.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { type Sm2Pki, sm2TestPki } from '../tsa/sm2-pki.js';
import { startTestTsa, type TestTsa } from '../tsa/test-tsa.js';
import { checkpointImprint, expectCode } from './helpers.js';

let tsa: TestTsa;
let pki: Sm2Pki;
const dir = mkdtempSync(join(tmpdir(), 'cunzheng-sm2-serve-'));

beforeAll(async () => {
  pki = await sm2TestPki();
  tsa = await startTestTsa({ signer: 'sm2' });
});
afterAll(async () => {
  await tsa?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('when requestTimestamp asks the SM2 test TSA over HTTP', () => {
  const imprint = checkpointImprint(7);

  it('gets a token that verifies against the SM2 root, and not against the EC test root', async () => {
    tsa.setSigner('sm2');
    const result = await requestTimestamp(tsa.url, imprint, { roots: [pki.rootDer], timeoutMs: 5000 });
    expect(result.verification.tsa).toBe('CN=SM2 Test TSA,O=cunzheng test');
    expect(result.verification.chain).toEqual([pki.tsaDer, pki.rootDer]);
    await expect(verifyTimestampToken(result.token, { imprint, roots: [pki.rootDer] })).resolves.toMatchObject({ genTime: result.genTime });
    await expectCode(requestTimestamp(tsa.url, imprint, { roots: [tsa.caDer] }), 'TSA_UNTRUSTED_CHAIN');
  });

  it('refuses a TSA signing SM2 without the identifier with TSA_SM2_NONSTANDARD_ID, roots or not', async () => {
    tsa.setSigner('sm2-no-id');
    await expectCode(requestTimestamp(tsa.url, imprint, { roots: [pki.rootDer] }), 'TSA_SM2_NONSTANDARD_ID');
    await expectCode(requestTimestamp(tsa.url, imprint), 'TSA_SM2_NONSTANDARD_ID');
    tsa.setSigner('sm2');
  });
});

describe('when `cunzheng serve --tsa URL --tsa-roots sm2-root.pem` anchors', () => {
  it('stamps the checkpoint at the SM2 TSA and serves receipts whose token verifies offline', async () => {
    tsa.setSigner('sm2');
    const roots = join(dir, 'sm2-root.pem');
    writeFileSync(roots, pki.rootPem);
    const admin = 'sm2-serve-admin-token-0123456789';
    const server = new ServerProcess(join(dir, 'data'), await freePort(), admin, ['--tsa', tsa.url, '--tsa-roots', roots, '--anchor-interval', '3600']);
    try {
      await server.start();
      const call = async (method: string, path: string, key?: string, body?: unknown) => {
        const r = await fetch(`${server.url}${path}`, {
          method,
          headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      const tenant = await call('POST', '/v1/admin/tenants', admin, { name: '国密时间戳测试有限公司', uscc: completeUscc('91430100MA4L16JJ') });
      const apiKey = tenant.body.apiKey as string;
      const digest = toHex(sha256(utf8('a document stamped by an SM2 TSA')));
      expect((await call('POST', '/v1/deposits', apiKey, { sha256: digest })).status).toBe(201);

      const before = tsa.requests;
      const anchored = await call('POST', '/v1/admin/anchor', admin);
      expect(anchored.status, JSON.stringify(anchored.body)).toBe(200);
      expect(tsa.requests).toBeGreaterThan(before);
      const anchors = anchored.body.anchors as { token: string }[];
      expect(anchors).toHaveLength(1);

      const log = await call('GET', '/v1/log');
      const receipt = (await call('GET', `/v1/deposits?sha256=${digest}`, apiKey)).body as unknown as Receipt;
      const verified = await verifyReceipt(receipt, [log.body.key as string], {}, { tsaRoots: [pki.rootDer] });
      expect(verified.anchors[0]).toMatchObject({ type: 'rfc3161', tokenChecked: true, tsa: 'CN=SM2 Test TSA,O=cunzheng test' });
      expect(fromBase64(anchors[0]!.token).length).toBeGreaterThan(1000);
    } finally {
      await server.kill();
    }
  }, 60_000);
});

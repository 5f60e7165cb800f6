/**
 * buildTimestampRequest: the DER TimeStampReq is read back by openssl (`openssl ts -query -in … -text`) and by
 * pkijs, carries version 1, the SHA-256 imprint, a fresh positive 64-bit nonce and certReq TRUE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { TimeStampReq } from 'pkijs';
import { describe, expect, it } from 'vitest';
import { buildTimestampRequest } from '../../src/anchor/pure.js';
import { toHex } from '../../src/crypto/index.js';
import { openssl, testPki } from '../tsa/pki.js';
import { checkpointImprint, expectCode } from './helpers.js';

describe('when a request is built for a checkpoint imprint', () => {
  it('is a TimeStampReq that openssl reads: v1, sha256, our imprint, our nonce, certificate required', async () => {
    const pki = await testPki();
    const imprint = checkpointImprint();
    const request = buildTimestampRequest(imprint);
    const work = mkdtempSync(join(pki.dir, 'req-'));
    try {
      writeFileSync(join(work, 'q.tsq'), request.der);
      const { stdout } = await openssl(['ts', '-query', '-in', 'q.tsq', '-text'], work);
      expect(stdout).toContain('Version: 1');
      expect(stdout).toContain('Hash Algorithm: sha256');
      expect(stdout).toContain('Certificate required: yes');
      // openssl prints the nonce in hex, whole bytes (so a leading zero nibble may or may not appear)
      const printed = /Nonce: 0x([0-9A-F]+)/.exec(stdout)?.[1];
      expect(printed !== undefined && BigInt(`0x${printed}`)).toBe(request.nonce);
      const dump = stdout.replace(/^[\s\S]*Message data:\n|Policy OID[\s\S]*$/g, '');
      const hex = [...dump.matchAll(/ - ((?:[0-9a-f]{2}[ -]){1,16})/g)].map((m) => m[1]!.replace(/[ -]/g, '')).join('');
      expect(hex).toBe(toHex(imprint));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('parses back with pkijs to the same fields', () => {
    const imprint = checkpointImprint(7);
    const request = buildTimestampRequest(imprint, { nonce: 0xfedcba9876543210n });
    const req = new TimeStampReq({ schema: asn1js.fromBER(request.der).result });
    expect(req.version).toBe(1);
    expect(req.messageImprint.hashAlgorithm.algorithmId).toBe('2.16.840.1.101.3.4.2.1');
    expect(toHex(req.messageImprint.hashedMessage.valueBlock.valueHexView)).toBe(toHex(imprint));
    expect(req.nonce?.toBigInt()).toBe(0xfedcba9876543210n); // high bit set: still positive
    expect(req.certReq).toBe(true);
  });

  it('draws a fresh positive 64-bit nonce each time', () => {
    const nonces = new Set<bigint>();
    for (let i = 0; i < 64; i++) {
      const { nonce } = buildTimestampRequest(checkpointImprint());
      expect(nonce > 0n && nonce < 2n ** 64n).toBe(true);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(64);
  });

  it('leaves certReq out when asked not to (DER omits a DEFAULT FALSE)', () => {
    const request = buildTimestampRequest(checkpointImprint(), { certReq: false });
    expect(new TimeStampReq({ schema: asn1js.fromBER(request.der).result }).certReq).toBeUndefined();
    expect(request.der.length).toBe(buildTimestampRequest(checkpointImprint(), { nonce: request.nonce }).der.length - 3);
  });

  it('rejects an imprint that is not 32 bytes and a nonce that is not positive', async () => {
    await expectCode((async () => buildTimestampRequest(new Uint8Array(20)))(), 'TSA_BAD_ARGUMENT');
    await expectCode((async () => buildTimestampRequest(checkpointImprint(), { nonce: 0n }))(), 'TSA_BAD_ARGUMENT');
  });
});

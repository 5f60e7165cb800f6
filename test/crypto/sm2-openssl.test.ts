/**
 * SM2 against a real OpenSSL 3 in both directions, with the standard identifier given explicitly
 * (`-pkeyopt distid:1234567812345678`): ours signed → `openssl pkeyutl -verify` accepts; openssl signed →
 * ours verifies; keys cross through SPKI and PKCS#8 PEM. And the trap: Node's crypto.sign with an SM2 key
 * uses an empty identifier, so its signature fails the standard verify (ours and openssl's with distid) and
 * passes only a verifier that also uses the empty identifier.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  sm2GenerateKeyPair,
  sm2PrivateKeyFromPem,
  sm2PrivateKeyToPem,
  sm2PublicKeyFromPem,
  sm2PublicKeyToPem,
  sm2Sign,
  sm2Verify,
  utf8,
} from '../../src/crypto/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cunzheng-sm2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data?: string | Uint8Array): string => {
  const p = join(dir, name);
  if (data !== undefined) writeFileSync(p, data);
  return p;
};

const DISTID = ['-pkeyopt', 'distid:1234567812345678'];

function opensslVerify(pubPem: string, msg: Uint8Array, sig: Uint8Array, distid: string[] = DISTID): boolean {
  const r = spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', ...distid, '-pubin', '-inkey', file('pub.pem', pubPem), '-sigfile', file('sig.der', sig), '-in', file('msg', msg)], { encoding: 'utf8' });
  if (r.status === 0 && /Verified Successfully/.test(r.stdout)) return true;
  if (/Verification Failure/.test(r.stdout + r.stderr)) return false;
  throw new Error(`openssl: ${r.status} ${r.stdout} ${r.stderr}`);
}

function opensslSign(keyPem: string, msg: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync('openssl', ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', ...DISTID, '-inkey', file('key.pem', keyPem), '-in', file('msg', msg)]));
}

const messages = [utf8(''), utf8('message digest'), utf8('cunzheng.example/log\n42\n' + 'x'.repeat(44) + '=\n'), new Uint8Array(5000).map((_, i) => i * 7)];

describe('ours → openssl', () => {
  it('openssl pkeyutl -verify (distid 1234567812345678) accepts our signatures, and refuses a changed message', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const pem = sm2PublicKeyToPem(publicKey);
    for (const msg of messages) {
      const sig = sm2Sign(privateKey, msg);
      expect(opensslVerify(pem, msg, sig)).toBe(true);
      expect(opensslVerify(pem, Uint8Array.from([...msg, 0x0a]), sig)).toBe(false);
    }
  });
  it('openssl reads our PKCS#8 key and derives the same public key', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const derived = execFileSync('openssl', ['pkey', '-in', file('k.pem', sm2PrivateKeyToPem(privateKey)), '-pubout'], { encoding: 'utf8' });
    expect(sm2PublicKeyFromPem(derived)).toEqual(publicKey);
  });
});

describe('openssl → ours', () => {
  it('we verify what openssl pkeyutl -sign (distid 1234567812345678) signed with a key openssl made', () => {
    const keyPem = execFileSync('openssl', ['genpkey', '-algorithm', 'SM2'], { encoding: 'utf8' });
    const pubPem = execFileSync('openssl', ['pkey', '-in', file('gen.pem', keyPem), '-pubout'], { encoding: 'utf8' });
    const publicKey = sm2PublicKeyFromPem(pubPem);
    const privateKey = sm2PrivateKeyFromPem(keyPem);
    for (const msg of messages) {
      const sig = opensslSign(keyPem, msg);
      expect(sm2Verify(publicKey, msg, sig)).toBe(true);
      expect(sm2Verify(publicKey, msg, sig, new Uint8Array(0))).toBe(false);
      // and our signature with the key openssl made verifies under openssl
      expect(opensslVerify(pubPem, msg, sm2Sign(privateKey, msg))).toBe(true);
    }
  });
});

describe("Node's crypto.sign with an SM2 key (the trap)", () => {
  it('signs with an empty identifier: refused by the standard verify, ours and openssl with distid', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const keyPem = sm2PrivateKeyToPem(privateKey);
    const pubPem = sm2PublicKeyToPem(publicKey);
    const msg = utf8('message digest');
    const sig = new Uint8Array(nodeSign('sm3', msg, createPrivateKey(keyPem)));
    expect(sm2Verify(publicKey, msg, sig)).toBe(false);
    expect(opensslVerify(pubPem, msg, sig)).toBe(false);
    // what it really is: an SM2 signature with the empty identifier
    expect(sm2Verify(publicKey, msg, sig, new Uint8Array(0))).toBe(true);
    expect(opensslVerify(pubPem, msg, sig, [])).toBe(true); // openssl 3 without distid: the same empty id
    readFileSync(file('pub.pem')); // the files were really written
  });
});

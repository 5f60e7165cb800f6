/**
 * Independent check: BouncyCastle's RFC 4998 implementation (org.bouncycastle.tsp.ers, Debian's
 * libbcpkix-java) reads our evidence records, finds the checkpoint body in them and verifies the timestamp
 * under the TSA certificate — and refuses a record with a flipped hash byte, a flipped signature byte, another
 * data object, and a truncated record; it accepts our renewals (a second token in the chain, a second chain) and
 * reads reduced hash trees as our verifier does. test/ers/Check.java is the program (a single-file Java source).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { buildEvidenceRecord, checkpointEvidenceRecord, parseEvidenceRecord, verifyEvidenceRecord } from '../../src/ers/index.js';
import { sha256, utf8 } from '../../src/crypto/index.js';
import { testPki, type TestPki } from '../tsa/test-tsa.js';
import { bouncyCastle as bc, missingJars } from './bc.js';
import { encodeRecord, SHA256_OID } from './encode.js';
import { checkpointBodyBytes, outcome, tokenOver, tokenOverDigest } from './helpers.js';
import { indexOfBytes, signatureOffset } from '../anchor/helpers.js';

let pki: TestPki;
let body: Uint8Array;
let token: Uint8Array;
let record: Uint8Array;

beforeAll(async () => {
  expect(missingJars(), 'apt-get install libbcprov-java libbcpkix-java libbcutil-java').toEqual([]);
  pki = await testPki();
  body = checkpointBodyBytes(42);
  token = await tokenOver(body);
  const note = `${new TextDecoder().decode(body)}\n— cunzheng.test/log AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`;
  record = checkpointEvidenceRecord(note, [token]);
});

const bouncyCastle = (der: Uint8Array, data: Uint8Array): Promise<string> => bc(der, data, pki.signers.tsa.cert);

describe('BouncyCastle on our evidence record', () => {
  it('accepts the record of a checkpoint body, which our verifier accepts too', async () => {
    expect((await verifyEvidenceRecord(record, body, { roots: [pki.caDer] })).chains[0]!.timeStamps).toHaveLength(1);
    expect(await bouncyCastle(record, body)).toBe('ok');
  }, 180_000);

  it('refuses the record with a flipped byte in the stamped hash', async () => {
    const at = indexOfBytes(record, sha256(body));
    expect(at).toBeGreaterThan(0);
    const bad = record.slice();
    bad[at + 5]! ^= 0x01;
    expect(await bouncyCastle(bad, body)).toMatch(/^fail: .*object hash not found/);
  }, 180_000);

  it('refuses another data object (the body of another tree size)', async () => {
    expect(await bouncyCastle(record, checkpointBodyBytes(43))).toMatch(/^fail: .*object hash not found/);
    expect(await bouncyCastle(record, utf8(''))).toMatch(/^fail: .*object hash not found/);
  }, 180_000);

  it('refuses a record whose token signature has a flipped byte (so it checks the signature, not only the hash)', async () => {
    const sig = signatureOffset(token);
    const bad = record.slice();
    bad[indexOfBytes(record, token) + sig.at + sig.length - 3]! ^= 0x01;
    expect(await bouncyCastle(bad, body)).toMatch(/^fail: .*signature not created by certificate/);
  }, 180_000);

  it('accepts a timestamp renewal (a second token over the first) and a hash-tree renewal (a second chain)', async () => {
    const renewal = await tokenOver(token);
    expect(await bouncyCastle(buildEvidenceRecord(body, [[token, renewal]]), body)).toBe('ok');
    // RFC 4998 §5.2 hash-tree renewal: H(H(d) ‖ H(ArchiveTimeStampSequence of the chains before))
    const chain0 = parseEvidenceRecord(record).chainBytes[0]!;
    const seqDer = new Uint8Array(new asn1js.Sequence({ value: [asn1js.fromBER(chain0).result] }).toBER(false));
    const next = await tokenOverDigest(sha256(sha256(body), sha256(seqDer)));
    const renewed = buildEvidenceRecord(body, [[token], [next]]);
    expect(await bouncyCastle(renewed, body)).toBe('ok');
    expect(await bouncyCastle(renewed, checkpointBodyBytes(43))).toMatch(/^fail:/);
  }, 180_000);

  it('reads reduced hash trees as our verifier does: siblings only in each higher list', async () => {
    const H = (...p: Uint8Array[]) => sha256(...p);
    const pair = (a: Uint8Array, b: Uint8Array) => H(...(Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]));
    const objects = [1, 2, 3, 4, 5].map((i) => checkpointBodyBytes(200 + i));
    const l = objects.map((o) => H(o));
    const h01 = pair(l[0]!, l[1]!);
    const h23 = pair(l[2]!, l[3]!);
    const h0123 = pair(h01, h23);
    const treeToken = await tokenOverDigest(pair(h0123, l[4]!));
    const cases: [Uint8Array[][], Uint8Array, boolean][] = [
      [[[l[0]!, l[1]!], [h23], [l[4]!]], objects[0]!, true],
      [[[l[4]!, h0123]], objects[4]!, true],
      [[[l[0]!, l[1]!], [h01, h23], [h0123, l[4]!]], objects[0]!, false],
    ];
    for (const [tree, data, ok] of cases) {
      const der = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token: treeToken, reducedHashtree: tree }]] });
      expect(typeof (await outcome(der, data, [pki.caDer])) === 'number', `ours, ${tree.length} lists`).toBe(ok);
      expect(await bouncyCastle(der, data), `BouncyCastle, ${tree.length} lists`).toMatch(ok ? /^ok$/ : /^fail:/);
    }
  }, 180_000);

  it('refuses a truncated record', async () => {
    expect(await bouncyCastle(record.subarray(0, record.length - 10), body)).toMatch(/^fail: .*(corrupted|out of bounds|length)/);
  }, 180_000);
});

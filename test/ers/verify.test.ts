/**
 * Evidence records built from real openssl TSA tokens and verified: the checkpoint case (one token over the
 * body), timestamp renewal and hash-tree renewal (RFC 4998 §5.2) with real tokens over what they renew, and
 * reduced hash trees from a naive reference tree — each against the check that must refuse it when altered.
 */
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyTimestampToken } from '../../src/anchor/pure.js';
import { sha256, sm3, utf8 } from '../../src/crypto/index.js';
import type { CunzhengError } from '../../src/errors.js';
import { buildEvidenceRecord, checkpointBody, checkpointEvidenceRecord, parseEvidenceRecord, verifyEvidenceRecord } from '../../src/ers/index.js';
import { sm2TestPki, testPki, type TestPki } from '../tsa/test-tsa.js';
import { chainDer, encodeRecord, SHA256_OID, SM3_OID } from './encode.js';
import { checkpointBodyBytes, outcome, syncCode, tokenOver, tokenOverDigest } from './helpers.js';

let pki: TestPki;
let body: Uint8Array;
let t1: Uint8Array;
let roots: Uint8Array[];

beforeAll(async () => {
  pki = await testPki();
  roots = [pki.caDer];
  body = checkpointBodyBytes(7);
  t1 = await tokenOver(body);
});

const NOTE_SIGNATURE = '\n— cunzheng.test/log AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

describe('the record of an anchored checkpoint', () => {
  it('is the token in one ArchiveTimeStamp, written exactly as asn1js writes the same structure', async () => {
    const note = new TextDecoder().decode(body) + NOTE_SIGNATURE;
    expect(checkpointBody(note)).toEqual(body);
    const record = checkpointEvidenceRecord(note, [t1]);
    // The token's messageImprint AlgorithmIdentifier as our request wrote it (SHA-256 with NULL parameters).
    expect(record).toEqual(encodeRecord({ digestAlgorithms: [SHA256_OID], withNull: true, chains: [[{ token: t1 }]] }));
    const parsed = parseEvidenceRecord(record);
    expect(parsed.chains).toHaveLength(1);
    expect(parsed.chains[0]![0]!.timeStamp).toEqual(t1);
    expect(parsed.chains[0]![0]!.imprint.digest).toEqual(sha256(body));
  });

  it('verifies for the body, with the token\'s genTime and TSA, and for nothing else', async () => {
    const record = buildEvidenceRecord(body, [[t1]]);
    const token = await verifyTimestampToken(t1, { imprint: sha256(body), roots });
    const v = await verifyEvidenceRecord(record, body, { roots });
    expect(v.genTime).toEqual(token.genTime);
    expect(v.chains).toEqual([{ hash: 'SHA-256', timeStamps: [expect.objectContaining({ genTime: token.genTime, tsa: token.tsa, serialNumber: token.serialNumber })] }]);
    expect(v.protectedUntil.getTime()).toBeGreaterThan(token.genTime.getTime());
    expect(await outcome(record, checkpointBodyBytes(8), roots)).toBe('ERS_DATA_MISMATCH');
    expect(await outcome(record, body.subarray(1), roots)).toBe('ERS_DATA_MISMATCH');
  });

  it('refuses a token that does not verify under the roots given, naming the anchor\'s code', async () => {
    const record = buildEvidenceRecord(body, [[t1]]);
    expect(await outcome(record, body, [pki.otherCaDer])).toBe('ERS_TIMESTAMP_INVALID');
    const err: unknown = await verifyEvidenceRecord(record, body, { roots: [pki.otherCaDer] }).catch((e: unknown) => e);
    expect((err as CunzhengError).details?.tsaCode).toBe('TSA_UNTRUSTED_CHAIN');
    expect(await outcome(record, body, roots, new Date(Date.parse('2020-01-01T00:00:00Z')))).toBe('ERS_TIMESTAMP_INVALID');
  });

  it('is not built from a token over something else, nor from no token', async () => {
    expect(syncCode(() => buildEvidenceRecord(checkpointBodyBytes(8), [[t1]]))).toBe('ERS_DATA_MISMATCH');
    expect(syncCode(() => buildEvidenceRecord(body, []))).toBe('ERS_NO_ANCHOR');
    expect(syncCode(() => buildEvidenceRecord(body, [[]]))).toBe('ERS_NO_ANCHOR');
    expect(syncCode(() => buildEvidenceRecord(body, [[utf8('not a token')]]))).toBe('ERS_MALFORMED');
  });

  it('carries an SM3 token (a TSA that stamps only SM3) with SM3 as its algorithm', async () => {
    const sm2 = await sm2TestPki();
    const token = await tokenOver(body, 'sm2', 'SM3');
    const record = buildEvidenceRecord(body, [[token]]);
    expect(parseEvidenceRecord(record).digestAlgorithms.map((a) => a.oid)).toEqual([SM3_OID]);
    expect(parseEvidenceRecord(record).chains[0]![0]!.imprint.digest).toEqual(sm3(body));
    const v = await verifyEvidenceRecord(record, body, { roots: [sm2.rootDer] });
    expect(v.chains[0]!.hash).toBe('SM3');
    expect(await outcome(record, checkpointBodyBytes(8), [sm2.rootDer])).toBe('ERS_DATA_MISMATCH');
  });
});

describe('timestamp renewal (RFC 4998 §5.2): each next token stamps the previous timeStamp', () => {
  let t2: Uint8Array;
  let t3: Uint8Array;
  beforeAll(async () => {
    t2 = await tokenOver(t1, 'rsa');
    t3 = await tokenOver(t2);
  });

  it('verifies a chain of three, renewals by another TSA among them', async () => {
    const record = buildEvidenceRecord(body, [[t1, t2, t3]]);
    const v = await verifyEvidenceRecord(record, body, { roots });
    expect(v.chains[0]!.timeStamps).toHaveLength(3);
    expect(v.genTime).toEqual(v.chains[0]!.timeStamps[0]!.genTime);
    expect(v.protectedUntil).toEqual(v.chains[0]!.timeStamps[2]!.signerNotAfter);
  });

  it('refuses a renewal over anything but the timestamp before it', async () => {
    expect(syncCode(() => buildEvidenceRecord(body, [[t1, t3]]))).toBe('ERS_CHAIN_BROKEN');
    expect(syncCode(() => buildEvidenceRecord(body, [[t2, t3]]))).toBe('ERS_DATA_MISMATCH');
    const swapped = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token: t1 }, { token: t3 }, { token: t2 }]] });
    expect(await outcome(swapped, body, roots)).toBe('ERS_CHAIN_BROKEN');
  });

  it('refuses a chain that changes hash algorithm, and an algorithm not listed in digestAlgorithms', async () => {
    const other = encodeRecord({ digestAlgorithms: [SHA256_OID, SM3_OID], chains: [[{ token: t1 }, { token: t2, digestAlgorithm: SM3_OID }]] });
    expect(await outcome(other, body, roots)).toBe('ERS_CHAIN_BROKEN');
    const unlisted = encodeRecord({ digestAlgorithms: [SM3_OID], chains: [[{ token: t1 }, { token: t2 }]] });
    expect(await outcome(unlisted, body, roots)).toBe('ERS_ALGORITHM_NOT_LISTED');
    const sha512 = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token: t1, digestAlgorithm: '2.16.840.1.101.3.4.2.3' }]] });
    expect(await outcome(sha512, body, roots)).toBe('ERS_UNSUPPORTED');
  });
});

describe('hash-tree renewal (RFC 4998 §5.2): a new chain over the data object and the chains before it', () => {
  it('verifies when the new chain\'s token stamps H(H(d) ‖ H(ArchiveTimeStampSequence of the previous chains))', async () => {
    const sequence = new Uint8Array(new asn1js.Sequence({ value: [asn1js.fromBER(chainDer([{ token: t1 }])).result] }).toBER(false));
    const renewal = await tokenOverDigest(sha256(sha256(body), sha256(sequence)));
    const record = buildEvidenceRecord(body, [[t1], [renewal]]);
    const v = await verifyEvidenceRecord(record, body, { roots });
    expect(v.chains.map((c) => c.timeStamps.length)).toEqual([1, 1]);
    // the concatenation in the other order is not the renewal
    const wrongOrder = await tokenOverDigest(sha256(sha256(sequence), sha256(body)));
    expect(syncCode(() => buildEvidenceRecord(body, [[t1], [wrongOrder]]))).toBe('ERS_CHAIN_BROKEN');
    expect(syncCode(() => buildEvidenceRecord(checkpointBodyBytes(8), [[t1], [renewal]]))).toBe('ERS_DATA_MISMATCH');
  });
});

describe('reduced hash trees (RFC 4998 §4.2–4.3), against a naive reference tree', () => {
  const H = (...parts: Uint8Array[]) => sha256(...parts);
  const sorted = (a: Uint8Array, b: Uint8Array) => (Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]);
  const objects = [1, 2, 3, 4, 5].map((i) => checkpointBodyBytes(100 + i));
  const leaves = objects.map((o) => H(o));
  // root over leaves 0..3 as a binary tree with sorted pairs, and leaf 4 joining at the top: H(sort(h0123, h4))
  const h01 = H(...sorted(leaves[0]!, leaves[1]!));
  const h23 = H(...sorted(leaves[2]!, leaves[3]!));
  const h0123 = H(...sorted(h01, h23));
  const root = H(...sorted(h0123, leaves[4]!));
  let token: Uint8Array;
  beforeAll(async () => {
    token = await tokenOverDigest(root);
  });

  it('verifies each data object with its reduced tree, and the tree of another object for none', async () => {
    const trees: Uint8Array[][][] = [
      [[leaves[0]!, leaves[1]!], [h23], [leaves[4]!]],
      [[leaves[2]!, leaves[3]!], [h01], [leaves[4]!]],
      [[leaves[4]!, h0123]],
    ];
    for (const [i, tree] of [[0, trees[0]!], [1, trees[0]!], [2, trees[1]!], [3, trees[1]!], [4, trees[2]!]] as const) {
      const record = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token, reducedHashtree: tree, digestAlgorithm: SHA256_OID, attribute: '1.2.3.9' }]] });
      expect(typeof (await outcome(record, objects[i]!, roots)), `object ${i}`).toBe('number');
      expect(await outcome(record, objects[(i + 2) % 5]!, roots), `object ${(i + 2) % 5} with the tree of ${i}`).toBe('ERS_DATA_MISMATCH');
    }
  });

  it('refuses a tree with an altered sibling hash, a list missing, or lists repeating the computed hashes', async () => {
    const altered = leaves[1]!.slice();
    altered[0]! ^= 1;
    // the last: each higher list repeating the hash computed below it (it is added, not looked up: RFC 4998 §4.3)
    for (const tree of [[[leaves[0]!, altered], [h23], [leaves[4]!]], [[leaves[0]!, leaves[1]!], [leaves[4]!]], [[leaves[0]!, leaves[1]!], [h23]], [[leaves[0]!, leaves[1]!], [h01, h23], [h0123, leaves[4]!]]]) {
      const record = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token, reducedHashtree: tree }]] });
      expect(await outcome(record, objects[0]!, roots)).toBe('ERS_HASH_TREE_MISMATCH');
    }
  });
});

describe('what a record may not carry', () => {
  it('refuses encryptionInfo (an encrypted data object), accepts cryptoInfos (informational)', async () => {
    expect(await outcome(encodeRecord({ digestAlgorithms: [SHA256_OID], encryptionInfo: true, chains: [[{ token: t1 }]] }), body, roots)).toBe('ERS_UNSUPPORTED');
    expect(typeof (await outcome(encodeRecord({ digestAlgorithms: [SHA256_OID], cryptoInfos: true, chains: [[{ token: t1 }]] }), body, roots))).toBe('number');
  });

  it('refuses version 2', async () => {
    expect(await outcome(encodeRecord({ version: 2, digestAlgorithms: [SHA256_OID], chains: [[{ token: t1 }]] }), body, roots)).toBe('ERS_MALFORMED');
  });
});

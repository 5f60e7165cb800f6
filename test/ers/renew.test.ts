/**
 * Timestamp renewal (RFC 4998 §5.2) of a record whose first TSA certificate expires: the library appends a
 * renewal keeping every other byte, verification at a date after that expiry fails without the renewal
 * (ERS_EXPIRED) and passes through it, and `cunzheng ers renew` / `ers verify --at` do the same against a real
 * TSA (openssl behind HTTP) — the renewed record also passing BouncyCastle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { sha256 } from '../../src/crypto/index.js';
import { buildEvidenceRecord, parseEvidenceRecord, renewalImprint, renewEvidenceRecord, verifyEvidenceRecord } from '../../src/ers/index.js';
import { openssl } from '../tsa/pki.js';
import { startTestTsa, testPki, type TestPki, type TestTsa } from '../tsa/test-tsa.js';
import { cli } from '../cli/run-cli.js';
import { cliAsync } from '../cli/cli-async.js';
import { bouncyCastle } from './bc.js';
import { encodeRecord, SHA256_OID } from './encode.js';
import { checkpointBodyBytes, outcome, syncCode, tokenOver, tokenOverDigest } from './helpers.js';

const DAY = 86_400_000;
let pki: TestPki;
let body: Uint8Array;
let short: Uint8Array;
let dir: string;

/** A token over SHA-256(`bytes`) signed with the 30-day twin of the test TSA's certificate (same key and subject). */
async function shortLivedToken(bytes: Uint8Array): Promise<Uint8Array> {
  const work = mkdtempSync(join(pki.dir, 'twin-'));
  try {
    writeFileSync(join(work, 'q.tsq'), buildTimestampRequest(sha256(bytes)).der);
    await openssl(['ts', '-reply', '-config', pki.tsConfig, '-section', 'tsa_sha256', '-queryfile', 'q.tsq',
      '-signer', join(pki.dir, 'twin.crt'), '-inkey', pki.signers.tsa.key, '-chain', pki.caFile, '-out', 'r.tsr'], work);
    return parseTimeStampResponse(new Uint8Array(readFileSync(join(work, 'r.tsr'))));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  pki = await testPki();
  body = checkpointBodyBytes(11);
  short = await shortLivedToken(body);
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-ers-renew-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renewing a record (library)', () => {
  it('appends a token over the last timeStamp, byte for byte what the builder writes for the whole chain', async () => {
    const record = buildEvidenceRecord(body, [[short]]);
    const { hash, imprint } = renewalImprint(record);
    expect(hash).toBe('SHA-256');
    expect(imprint).toEqual(sha256(short));
    const renewal = await tokenOverDigest(imprint);
    expect(renewEvidenceRecord(record, body, renewal)).toEqual(buildEvidenceRecord(body, [[short, renewal]]));
    expect(syncCode(() => renewEvidenceRecord(record, body, short))).toBe('ERS_CHAIN_BROKEN');
    // the second renewal stamps the one-list tree of both earlier timeStamps (BouncyCastle wants every one covered)
    const twice = renewEvidenceRecord(record, body, renewal);
    const next = renewalImprint(twice);
    expect(next.reducedHashtree).toEqual([[sha256(short), sha256(renewal)]]);
    expect(next.imprint).toEqual(sha256(...[sha256(short), sha256(renewal)].sort(Buffer.compare)));
    const third = await tokenOverDigest(next.imprint);
    const thrice = renewEvidenceRecord(twice, body, third);
    expect(thrice).toEqual(buildEvidenceRecord(body, [[short, renewal, third]]));
    expect(parseEvidenceRecord(thrice).chains[0]![2]!.reducedHashtree).toEqual(next.reducedHashtree);
    expect(typeof (await outcome(thrice, body, [pki.caDer]))).toBe('number');
    expect(await bouncyCastle(thrice, body, pki.signers.tsa.cert)).toBe('ok');
    expect(syncCode(() => renewEvidenceRecord(record, checkpointBodyBytes(12), renewal))).toBe('ERS_DATA_MISMATCH');
  });

  it('keeps the bytes of ArchiveTimeStamps it did not write (a reduced hash tree, a digestAlgorithm)', async () => {
    const other = sha256(checkpointBodyBytes(99));
    const root = sha256(...[sha256(body), other].sort(Buffer.compare));
    const record = encodeRecord({ digestAlgorithms: [SHA256_OID], chains: [[{ token: await tokenOverDigest(root), digestAlgorithm: SHA256_OID, reducedHashtree: [[sha256(body), other]] }]] });
    const renewed = renewEvidenceRecord(record, body, await tokenOverDigest(renewalImprint(record).imprint));
    const [first] = parseEvidenceRecord(renewed).chains[0]!;
    expect(first!.der).toEqual(parseEvidenceRecord(record).chains[0]![0]!.der);
    expect(typeof (await outcome(renewed, body, [pki.caDer]))).toBe('number');
  });

  it('fails once the last TSA certificate has expired, and holds through a renewal by a longer-lived one', async () => {
    const once = buildEvidenceRecord(body, [[short]]);
    const renewed = buildEvidenceRecord(body, [[short, await tokenOver(short)]]);
    const later = new Date(Date.now() + 60 * DAY);
    expect(await outcome(once, body, [pki.caDer], new Date())).toEqual(expect.any(Number));
    expect(await outcome(once, body, [pki.caDer], later)).toBe('ERS_EXPIRED');
    const v = await verifyEvidenceRecord(renewed, body, { roots: [pki.caDer], at: later });
    expect(v.chains[0]!.timeStamps.map((t) => t.signerNotAfter.getTime() - t.genTime.getTime() < 31 * DAY)).toEqual([true, false]);
    expect(await outcome(renewed, body, [pki.caDer], new Date(Date.now() + 11 * 365 * DAY))).toBe('ERS_EXPIRED');
  });
});

describe('cunzheng ers renew and ers verify --at', () => {
  let tsa: TestTsa;
  beforeAll(async () => {
    tsa = await startTestTsa();
  });
  afterAll(async () => tsa?.close());

  it('renews a record at a TSA, after which it verifies at a date past the first certificate\'s expiry', async () => {
    const record = join(dir, 'checkpoint.ers');
    const data = join(dir, 'body');
    writeFileSync(record, buildEvidenceRecord(body, [[short]]));
    writeFileSync(data, body);
    const at = new Date(Date.now() + 60 * DAY).toISOString();
    const before = cli(['ers', 'verify', record, '--data', data, '--tsa-roots', tsa.caFile, '--at', at]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('ERS_EXPIRED');

    // asynchronously: the TSA answers from this process
    const renew = await cliAsync(['ers', 'renew', record, '--data', data, '--tsa', tsa.url, '--tsa-roots', tsa.caFile]);
    expect(renew.stderr).toBe('');
    expect(renew.code).toBe(0);
    expect(renew.stdout).toMatch(/renewed by .*Test TSA/);
    const after = cli(['ers', 'verify', record, '--data', data, '--tsa-roots', tsa.caFile, '--at', at, '--json']);
    expect(after.code).toBe(0);
    const json = JSON.parse(after.stdout) as { ok: boolean; chains: { timeStamps: unknown[] }[] };
    expect(json.ok).toBe(true);
    expect(json.chains[0]!.timeStamps).toHaveLength(2);
    const renewed = new Uint8Array(readFileSync(record));
    expect(await bouncyCastle(renewed, body, tsa.pki.signers.tsa.cert)).toBe('ok');
    // another data object: refused by both
    expect(cli(['ers', 'verify', record, '--data', tsa.caFile, '--tsa-roots', tsa.caFile]).code).toBe(1);
  }, 120_000);

  it('exits 2 with one line for usage mistakes and an unreachable TSA, and leaves the record as it was', async () => {
    const record = join(dir, 'kept.ers');
    const data = join(dir, 'body');
    const bytes = buildEvidenceRecord(body, [[short]]);
    writeFileSync(record, bytes);
    writeFileSync(data, body);
    tsa.setMode('down');
    try {
      for (const args of [
        ['verify', record, '--data', data],
        ['verify', record, '--tsa-roots', tsa.caFile],
        ['verify', record, '--data', data, '--receipt', data, '--tsa-roots', tsa.caFile],
        ['verify', record, '--data', data, '--tsa-roots', tsa.caFile, '--at', 'tomorrow'],
        ['renew', record, '--data', data, '--tsa-roots', tsa.caFile],
        ['renew', record, '--data', data, '--tsa', tsa.url, '--tsa-roots', tsa.caFile],
      ]) {
        const r = await cliAsync(['ers', ...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      }
    } finally {
      tsa.setMode('ok');
    }
    expect(new Uint8Array(readFileSync(record))).toEqual(bytes);
  }, 120_000);
});

/**
 * SM2 tokens altered or hostile: one bit of the TSTInfo, of the signed attributes, of the signature; a TSA and root
 * with the trusted names but other keys; an expired SM2 certificate; and garbage SM2 signatures, keys and
 * certificate signatures — always one of the existing codes, never an uncoded exception, never a valid token.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTimestampRequest, checkTimestampToken, parseTimeStampResponse, verifyTimestampToken } from '../../src/anchor/pure.js';
import { sm2PrivateKeyFromPem, sm2Sign } from '../../src/crypto/sm2.js';
import { CunzhengError } from '../../src/errors.js';
import { FULL_RELIABILITY, fuzzRuns } from '../support/fuzz.js';
import { type Sm2Pki, sm2TestPki } from '../tsa/sm2-pki.js';
import { assembleSm2Token, signedPartsOf, sm2SignedAttributes, tlv, tstInfoOf } from '../tsa/sm2-token.js';
import { type Sm2TsaSigner, stampSm2Query } from '../tsa/sm2-tsa.js';
import { checkpointImprint, expectCode, flipped, genTimeOffset, indexOfBytes, signatureOffset } from './helpers.js';

let pki: Sm2Pki;
let good: { token: Uint8Array; nonce: bigint };
let tsaKey: Uint8Array;
const imprint = checkpointImprint();

async function sm2Token(signer: Sm2TsaSigner) {
  const request = buildTimestampRequest(imprint);
  return { token: parseTimeStampResponse(await stampSm2Query(request.der, signer)), nonce: request.nonce };
}

beforeAll(async () => {
  pki = await sm2TestPki();
  good = await sm2Token('sm2');
  tsaKey = sm2PrivateKeyFromPem(readFileSync(pki.signers.tsa.key, 'utf8'));
});

/** genTime on success, else the code; an uncoded exception fails the test. */
async function outcome(token: Uint8Array, roots = [pki.rootDer]): Promise<number | string> {
  try {
    return (await verifyTimestampToken(token, { imprint, roots })).genTime.getTime();
  } catch (err) {
    if (!(err instanceof CunzhengError)) throw new Error(`uncoded ${String(err)}`, { cause: err });
    return err.code;
  }
}

/** A token over the good TSTInfo with `cert` embedded (ESS naming it), signed by `sign` (default: the TSA key, standard). */
function rebuilt(cert: Uint8Array, sign: (attrs: Uint8Array) => Uint8Array = (a) => sm2Sign(tsaKey, a)): Uint8Array {
  const tstInfo = tstInfoOf(good.token);
  const attrs = sm2SignedAttributes(tstInfo, cert);
  return assembleSm2Token(tstInfo, attrs, sign(attrs), [cert, pki.rootDer]);
}

describe('when one bit of an SM2 token changes', () => {
  it('the good token verifies (the baseline the rest departs from)', async () => {
    expect(typeof (await outcome(good.token))).toBe('number');
    expect(typeof (await outcome(rebuilt(pki.tsaDer)))).toBe('number');
  });

  it('rejects a backdated genTime in the TSTInfo with TSA_BAD_SIGNATURE (message-digest)', async () => {
    const err = await expectCode(verifyTimestampToken(flipped(good.token, genTimeOffset(good.token) + 3), { imprint, roots: [pki.rootDer] }), 'TSA_BAD_SIGNATURE');
    expect(err.message).toContain('message-digest');
  });

  it('rejects a changed signingTime in the signed attributes with TSA_BAD_SIGNATURE (the SM2 signature)', async () => {
    const { signedAttrs } = signedPartsOf(good.token);
    const attrsAt = indexOfBytes(good.token, signedAttrs.subarray(1));
    const timeAt = indexOfBytes(signedAttrs, Uint8Array.of(0x17, 0x0d)); // UTCTime, 13 characters
    expect(attrsAt).toBeGreaterThan(0);
    expect(timeAt).toBeGreaterThan(0);
    const err = await expectCode(verifyTimestampToken(flipped(good.token, attrsAt - 1 + timeAt + 2 + 5), { imprint, roots: [pki.rootDer] }), 'TSA_BAD_SIGNATURE');
    expect(err.message).toContain('SM2 signature does not verify');
  });

  it('rejects a flipped bit of r or s with TSA_BAD_SIGNATURE', async () => {
    const { at, length } = signatureOffset(good.token);
    for (const offset of [5, length - 1]) {
      await expectCode(verifyTimestampToken(flipped(good.token, at + offset), { imprint, roots: [pki.rootDer] }), 'TSA_BAD_SIGNATURE');
    }
  });

  // Every byte in the full reliability run; in the regular suite one byte in four, the one of each four moving
  // along (0, 5, 10, 15, 16, 21…), so every field of the token is still hit (a full SM2 chain check is ~15 ms).
  it(`rejects every flipped byte${FULL_RELIABILITY ? '' : ' of one in four'}, except inside the embedded copy of the root`, async () => {
    const copyAt = indexOfBytes(good.token, pki.rootDer);
    expect(copyAt).toBeGreaterThan(0);
    const accepted: number[] = [];
    const positions = [...good.token.keys()].filter((at) => FULL_RELIABILITY || at % 4 === Math.floor(at / 4) % 4);
    expect(positions.length).toBeGreaterThan(good.token.length / 5);
    for (const at of positions) {
      if (typeof (await outcome(flipped(good.token, at))) === 'number') accepted.push(at);
    }
    expect(accepted.filter((at) => at < copyAt || at >= copyAt + pki.rootDer.length)).toEqual([]);
  }, 120_000);
});

describe('when the certificates are not the trusted SM2 ones', () => {
  it('rejects a TSA and root with the trusted names but other keys with TSA_UNTRUSTED_CHAIN (the SM2 certificate signature fails)', async () => {
    const t = await sm2Token('sm2-impostor');
    await expect(checkTimestampToken(t.token, { imprint })).resolves.toMatchObject({ tsa: 'CN=SM2 Test TSA,O=cunzheng test' });
    await expectCode(verifyTimestampToken(t.token, { imprint, roots: [pki.rootDer] }), 'TSA_UNTRUSTED_CHAIN');
  });

  it('rejects a TSA of another SM2 root with TSA_UNTRUSTED_CHAIN, and the SM2 TSA under the EC root too', async () => {
    const t = await sm2Token('sm2-untrusted');
    await expectCode(verifyTimestampToken(t.token, { imprint, roots: [pki.rootDer] }), 'TSA_UNTRUSTED_CHAIN');
    await expect(verifyTimestampToken(t.token, { imprint, roots: [pki.otherRootDer] })).resolves.toBeDefined();
    await expectCode(verifyTimestampToken(good.token, { imprint, roots: [pki.otherRootDer] }), 'TSA_UNTRUSTED_CHAIN');
  });

  it('rejects an SM2 TSA certificate valid only in 2020 with TSA_CERT_EXPIRED', async () => {
    const t = await sm2Token('sm2-expired');
    const err = await expectCode(verifyTimestampToken(t.token, { imprint, roots: [pki.rootDer] }), 'TSA_CERT_EXPIRED');
    expect(err.details).toMatchObject({ notAfter: '2020-01-02T00:00:00.000Z' });
  });
});

describe('when SM2 signatures, keys or certificate signatures are garbage', () => {
  const derInteger = fc.oneof(
    fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }),
    fc.constantFrom(0n, 1n, 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n, 2n ** 256n),
  );
  const intDer = (v: bigint): Uint8Array => {
    let hex = (v < 0n ? -v : v).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    return tlv(0x02, v < 0n ? Uint8Array.of(0xff, ...bytes) : bytes[0]! & 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
  };
  const signature = fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.tuple(derInteger, derInteger).map(([r, s]) => tlv(0x30, intDer(r), intDer(s))));

  it('a garbage signature is TSA_BAD_SIGNATURE, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(signature, async (sig) => {
        expect(await outcome(rebuilt(pki.tsaDer, () => sig))).toBe('TSA_BAD_SIGNATURE');
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('a garbage SM2 key in the signing certificate is a coded failure', async () => {
    const keyAt = indexOfBytes(pki.tsaDer, Uint8Array.of(0x03, 0x42, 0x00, 0x04)) + 3;
    expect(keyAt).toBeGreaterThan(3);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 255 }), async (offset, mask) => {
        const cert = flipped(pki.tsaDer, keyAt + offset, mask);
        expect(['TSA_BAD_SIGNATURE', 'TSA_TOKEN_MALFORMED']).toContain(await outcome(rebuilt(cert)));
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('a garbage SM2 signature on the TSA certificate (token re-signed to name it) is TSA_UNTRUSTED_CHAIN', async () => {
    const sigAt = pki.tsaDer.length - 1;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 255 }), async (back, mask) => {
        const cert = flipped(pki.tsaDer, sigAt - back, mask);
        expect(['TSA_UNTRUSTED_CHAIN', 'TSA_TOKEN_MALFORMED']).toContain(await outcome(rebuilt(cert)));
      }),
      { numRuns: fuzzRuns(100) },
    );
  });
});

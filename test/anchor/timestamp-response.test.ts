/**
 * parseTimeStampResponse: granted replies give the token bytes exactly as received; refusals (a real one from
 * openssl, and hand-made ones) give TSA_REJECTED with status, text and failure bits; anything else TSA_BAD_REPLY.
 */
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { grantedResponse, stampQuery } from '../tsa/test-tsa.js';
import { checkpointImprint, expectCode, indexOfBytes } from './helpers.js';

function response(status: number, extra: asn1js.AsnType[] = [], token?: asn1js.AsnType): Uint8Array {
  const info = new asn1js.Sequence({ value: [new asn1js.Integer({ value: status }), ...extra] });
  return new Uint8Array(new asn1js.Sequence({ value: token === undefined ? [info] : [info, token] }).toBER(false));
}

const parse = async (der: Uint8Array) => parseTimeStampResponse(der);

describe('when the TSA grants the request', () => {
  it('returns the token bytes exactly as they appear in the reply', async () => {
    const reply = await stampQuery(buildTimestampRequest(checkpointImprint()).der);
    const token = parseTimeStampResponse(reply);
    expect(token.length).toBeGreaterThan(500);
    expect(indexOfBytes(reply, token)).toBe(reply.length - token.length);
    expect(parseTimeStampResponse(grantedResponse(token))).toEqual(token);
  });

  it('accepts grantedWithMods (1) like granted', () => {
    const token = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 7 })] });
    expect(parseTimeStampResponse(response(1, [], token))).toEqual(new Uint8Array(token.toBER(false)));
  });

  it('rejects a granted status without a token with TSA_BAD_REPLY', async () => {
    await expectCode(parse(response(0)), 'TSA_BAD_REPLY');
  });
});

describe('when the TSA refuses', () => {
  it('reports openssl\'s real refusal (SHA-256 not allowed by the policy) as TSA_REJECTED with badAlg', async () => {
    const reply = await stampQuery(buildTimestampRequest(checkpointImprint()).der, 'tsa', 'tsa_sha512_only');
    const err = await expectCode(parse(reply), 'TSA_REJECTED');
    expect(err.details).toMatchObject({ status: 2, failInfo: ['badAlg'] });
    expect(err.message).toContain('rejection');
  });

  it('carries the status text and failure bits of a hand-made refusal, made printable', async () => {
    const text = new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: 'busy\nnow' })] });
    const bits = new asn1js.BitString({ valueHex: new Uint8Array([0x00, 0x02]), unusedBits: 1 }); // bit 14
    const err = await expectCode(parse(response(2, [text, bits])), 'TSA_REJECTED');
    expect(err.details).toMatchObject({ status: 2, statusText: ['busy?now'], failInfo: ['timeNotAvailable'] });
  });

  it('treats waiting (3) and unknown statuses as refusals', async () => {
    await expectCode(parse(response(3)), 'TSA_REJECTED');
    await expectCode(parse(response(99)), 'TSA_REJECTED');
  });
});

describe('when the reply is not a TimeStampResp', () => {
  it('rejects empty, truncated, trailing and oversized input with TSA_BAD_REPLY', async () => {
    const reply = await stampQuery(buildTimestampRequest(checkpointImprint()).der);
    await expectCode(parse(new Uint8Array(0)), 'TSA_BAD_REPLY');
    await expectCode(parse(reply.subarray(0, 100)), 'TSA_BAD_REPLY');
    await expectCode(parse(new Uint8Array([...reply, 0, 0])), 'TSA_BAD_REPLY');
    await expectCode(parse(new Uint8Array(300 * 1024)), 'TSA_BAD_REPLY');
    await expectCode(parse(new TextEncoder().encode('<html>error</html>')), 'TSA_BAD_REPLY');
  });
});

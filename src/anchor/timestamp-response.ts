/**
 * RFC 3161 §2.4.2 TimeStampResp:
 *
 *   TimeStampResp ::= SEQUENCE {
 *     status          PKIStatusInfo,   -- SEQUENCE { status INTEGER, statusString PKIFreeText OPTIONAL,
 *                                      --            failInfo PKIFailureInfo OPTIONAL }
 *     timeStampToken  TimeStampToken OPTIONAL }
 *
 * Threat model: the bytes come from the network (a TSA, or whatever answered in its place). Anything that is not
 * exactly one well-formed TimeStampResp fails with TSA_BAD_REPLY; a refusal fails with TSA_REJECTED carrying the
 * TSA's status, text and failure bits. The token is returned as the exact bytes received, never re-encoded.
 */
import * as asn1js from 'asn1js';
import { decodeOne, elements, encodedBytes, integerOf, printable, type AsnNode } from './asn1.js';
import { tsaError } from './errors.js';

/** Replies larger than this are not TimeStampResps (a token with a long chain is a few KiB). */
export const MAX_RESPONSE_BYTES = 256 * 1024;

const STATUS_NAMES = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];

/** PKIFailureInfo bit names (RFC 3161 §2.4.2). */
const FAILURE_BITS: Readonly<Record<number, string>> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

/** Reads a TimeStampResp; returns the DER of its TimeStampToken when the status is granted (0) or grantedWithMods (1). */
export function parseTimeStampResponse(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array)) throw tsaError('TSA_BAD_REPLY', 'TimeStampResp: expected bytes');
  if (der.length > MAX_RESPONSE_BYTES) {
    throw tsaError('TSA_BAD_REPLY', `TimeStampResp: ${der.length} bytes is larger than ${MAX_RESPONSE_BYTES}`);
  }
  const root = decodeOne(der, 'TSA_BAD_REPLY', 'TimeStampResp');
  const [statusInfo, token] = elements(root, 'TSA_BAD_REPLY', 'TimeStampResp', { min: 1, max: 2 });
  const info = elements(statusInfo, 'TSA_BAD_REPLY', 'PKIStatusInfo', { min: 1, max: 3 });
  const status = integerOf(info[0], 'TSA_BAD_REPLY', 'PKIStatusInfo.status');
  let text: string[] = [];
  let failInfo: string[] = [];
  for (const field of info.slice(1)) {
    if (field instanceof asn1js.Sequence) text = freeText(field);
    else if (field instanceof asn1js.BitString) failInfo = failureBits(field);
    else throw tsaError('TSA_BAD_REPLY', 'PKIStatusInfo: unexpected field');
  }
  if (status !== 0n && status !== 1n) {
    const name = status >= 0n && status < BigInt(STATUS_NAMES.length) ? STATUS_NAMES[Number(status)] : `status ${status}`;
    const why = [...failInfo, ...text].join('; ');
    throw tsaError('TSA_REJECTED', `the TSA refused the request: ${name}${why === '' ? '' : ` (${why})`}`, {
      status: status <= 1_000_000n && status >= -1_000_000n ? Number(status) : status.toString(),
      statusText: text,
      failInfo,
    });
  }
  if (token === undefined) throw tsaError('TSA_BAD_REPLY', 'TimeStampResp: status granted but no timeStampToken');
  if (!(token instanceof asn1js.Sequence)) throw tsaError('TSA_BAD_REPLY', 'TimeStampResp: timeStampToken is not a SEQUENCE');
  return encodedBytes(token);
}

/** PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String — kept printable and bounded. */
function freeText(node: AsnNode): string[] {
  const items = elements(node, 'TSA_BAD_REPLY', 'PKIFreeText', { min: 0, max: 16 });
  return items.map((item) => {
    if (!(item instanceof asn1js.Utf8String)) throw tsaError('TSA_BAD_REPLY', 'PKIFreeText: expected UTF8String');
    return printable(item.valueBlock.value, 200);
  });
}

function failureBits(node: asn1js.BitString): string[] {
  const bytes = node.valueBlock.valueHexView;
  const names: string[] = [];
  for (let i = 0; i < bytes.length && i < 8; i++) {
    const byte = bytes[i] ?? 0;
    for (let bit = 0; bit < 8; bit++) {
      if ((byte & (0x80 >>> bit)) !== 0) {
        const position = i * 8 + bit;
        names.push(FAILURE_BITS[position] ?? `bit${position}`);
      }
    }
  }
  return names;
}

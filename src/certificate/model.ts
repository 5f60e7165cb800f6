/**
 * What a certificate says, read from the receipt alone: the receipt is first verified against the log key it
 * names itself (a receipt that is not even consistent with its own key gets no certificate); the key printed
 * is that hint, and the certificate tells its reader to compare it with the key the operator published.
 * Each anchor's token is checked (imprint and signature, `checkTimestampToken`) and read for its TSA, serial
 * and genTime. Every signature line of the checkpoint is listed: the log's (Ed25519, SM2) and the witnesses'.
 */
import { checkTimestampToken } from '../anchor/pure.js';
import { checkpointImprint } from '../checkpoint/index.js';
import { fromBase64, sha256, toHex, utf8 } from '../crypto/index.js';
import type { Entry } from '../entry/index.js';
import { CunzhengError } from '../errors.js';
import { parseNote } from '../note/index.js';
import { exportTlogProof, parseReceipt, verifyReceipt, type Receipt } from '../receipt/index.js';

export interface CertificateAnchor {
  tsa: string;
  serialNumber: string;
  genTime: string;
  treeSize: number;
  /** SHA-256 of the stamped checkpoint body, lowercase hex: `openssl ts -verify -digest`. */
  imprint: string;
}

export interface CertificateSignature {
  kind: 'log-ed25519' | 'log-sm2' | 'witness';
  name: string;
  keyId: string;
  /** A witness cosignature's time (cosignature/v1), ISO 8601 UTC. */
  time?: string;
  /** True for the log line checked against the receipt's log key. */
  checked: boolean;
}

export interface CertificateData {
  receipt: Receipt;
  /** The receipt's bytes exactly as given: the attachment. */
  receiptBytes: Uint8Array;
  tlogProof: string;
  entry: Entry;
  id: string;
  origin: string;
  /** The receipt's log verifier key (a hint) and the SHA-256 of its text. */
  logVerifierKey: string;
  logKeyFingerprint: string;
  logKeyId: string;
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  anchors: CertificateAnchor[];
  signatures: CertificateSignature[];
}

/** A receipt → what its certificate shows. `CERTIFICATE_RECEIPT_INVALID` when it does not verify under its own key. */
export async function certificateData(input: Uint8Array): Promise<CertificateData> {
  let receipt: Receipt;
  let v;
  try {
    receipt = parseReceipt(input);
    v = await verifyReceipt(input, [receipt.log.key]);
  } catch (cause) {
    if (!(cause instanceof CunzhengError)) throw cause;
    throw new CunzhengError('CERTIFICATE_RECEIPT_INVALID', `no certificate for this receipt: ${cause.code}: ${cause.message}`, { cause, details: { code: cause.code } });
  }
  const anchors: CertificateAnchor[] = [];
  for (const [i, a] of receipt.anchors.entries()) {
    const imprint = checkpointImprint(a.checkpoint);
    try {
      const t = await checkTimestampToken(fromBase64(a.token, undefined, 'anchor token'), { imprint });
      anchors.push({ tsa: t.tsa, serialNumber: t.serialNumber, genTime: t.genTime.toISOString(), treeSize: v.anchors[i]!.treeSize, imprint: toHex(imprint) });
    } catch (cause) {
      if (!(cause instanceof CunzhengError)) throw cause;
      throw new CunzhengError('CERTIFICATE_RECEIPT_INVALID', `no certificate for this receipt: anchors[${i}]: ${cause.code}: ${cause.message}`, { cause, details: { code: cause.code } });
    }
  }
  const checkedKeyId = v.logKey.slice(v.logKey.lastIndexOf('+') + 1);
  const signatures = parseNote(receipt.checkpoint).signatures.map((s): CertificateSignature => {
    const keyId = s.keyId.toString(16).padStart(8, '0');
    if (s.name === v.origin) {
      return { kind: s.signature.length === 64 ? 'log-ed25519' : 'log-sm2', name: s.name, keyId, checked: keyId === checkedKeyId };
    }
    const sig: CertificateSignature = { kind: 'witness', name: s.name, keyId, checked: false };
    if (s.signature.length === 72) {
      const seconds = Number(new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0));
      if (Number.isSafeInteger(seconds * 1000)) sig.time = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    }
    return sig;
  });
  return {
    receipt,
    receiptBytes: input,
    tlogProof: exportTlogProof(receipt),
    entry: v.entry,
    id: v.id,
    origin: v.origin,
    logVerifierKey: receipt.log.key,
    logKeyFingerprint: toHex(sha256(utf8(receipt.log.key))),
    logKeyId: checkedKeyId,
    leafIndex: v.leafIndex,
    treeSize: v.treeSize,
    rootHash: v.rootHash,
    anchors,
    signatures,
  };
}

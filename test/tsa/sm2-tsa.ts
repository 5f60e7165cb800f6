/**
 * The SM2 signers of the test TSA (test-tsa.ts routes every `sm2…` signer here):
 *
 *   sm2            standard: signed attributes signed by `openssl pkeyutl … -pkeyopt distid:1234567812345678`
 *   sm2-ours       standard, signed by our own sm2Sign (src/crypto/sm2.ts) — for the openssl-verifies-ours direction
 *   sm2-no-id      signed by `openssl pkeyutl` WITHOUT distid: the empty identifier OpenSSL 3.0 uses by default
 *                  (and that `openssl ts`/`openssl cms` would use if they could sign SM2): not a standard signature
 *   sm2-cert-no-id standard token signature, but the TSA certificate's own signature was made without the identifier
 *   sm2-untrusted  SM2 TSA of another SM2 root
 *   sm2-expired    SM2 TSA certificate valid 2020-01-01 .. 2020-01-02
 *   sm2-impostor   an SM2 TSA and root with the same names as the trusted ones but other keys
 *
 * The TSTInfo is openssl's (`openssl ts -reply` with the signer's stand-in certificate, see sm2-pki.ts): the query's
 * imprint (SHA-256 or SM3), nonce, and the TSA's name. A refusal (e.g. an imprint algorithm outside `digests`) is
 * passed on as openssl wrote it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { TimeStampResp } from 'pkijs';
import { sm2PrivateKeyFromPem, sm2Sign } from '../../src/crypto/sm2.js';
import { openssl } from './pki.js';
import { type Sm2SignerFiles, sm2TestPki } from './sm2-pki.js';
import { assembleSm2Token, opensslSm2Sign, type Sm2TokenOptions, sm2SignedAttributes, tstInfoOf } from './sm2-token.js';

export type Sm2TsaSigner = 'sm2' | 'sm2-ours' | 'sm2-no-id' | 'sm2-cert-no-id' | 'sm2-untrusted' | 'sm2-expired' | 'sm2-impostor';

export const SM2_SIGNERS: readonly Sm2TsaSigner[] = ['sm2', 'sm2-ours', 'sm2-no-id', 'sm2-cert-no-id', 'sm2-untrusted', 'sm2-expired', 'sm2-impostor'];

export function isSm2Signer(signer: string): signer is Sm2TsaSigner {
  return (SM2_SIGNERS as readonly string[]).includes(signer);
}

export interface Sm2StampOptions extends Sm2TokenOptions {
  /** 'tsa_sm2' (SHA-256 and SM3 imprints, the default) or 'tsa_sha512_only' (refuses both: badAlg). */
  section?: string;
  /** Replaces the signature over DER(signedAttrs) (default per signer). */
  sign?: (signedAttrs: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Called with the signed attributes and signature that went into the token. */
  onSigned?: (signedAttrs: Uint8Array, signature: Uint8Array) => void;
}

let queue: Promise<unknown> = Promise.resolve();
let counter = 0;

/** Stamps a DER TimeStampReq as an SM2 TSA; returns the DER TimeStampResp. */
export async function stampSm2Query(query: Uint8Array, signer: Sm2TsaSigner = 'sm2', options: Sm2StampOptions = {}): Promise<Uint8Array> {
  const pki = await sm2TestPki();
  const files: Sm2SignerFiles =
    signer === 'sm2-untrusted' ? pki.signers.untrusted
    : signer === 'sm2-expired' ? pki.signers.expired
    : signer === 'sm2-cert-no-id' ? pki.signers.noIdCert
    : signer === 'sm2-impostor' ? pki.signers.impostor
    : pki.signers.tsa;
  // One openssl reply at a time: the TSA serial-number file is shared.
  const next = queue.then(async () => {
    const work = mkdtempSync(join(pki.dir, `sm2q${++counter}-`));
    try {
      writeFileSync(join(work, 'q.tsq'), query);
      await openssl(
        ['ts', '-reply', '-config', pki.tsConfig, '-section', options.section ?? 'tsa_sm2', '-queryfile', 'q.tsq',
          '-signer', files.standInCert, '-inkey', files.standInKey, '-out', 'r.tsr'],
        work,
      );
      const reply = new Uint8Array(readFileSync(join(work, 'r.tsr')));
      const resp = new TimeStampResp({ schema: asn1js.fromBER(reply).result });
      if (resp.status.status !== 0 || resp.timeStampToken === undefined) return reply;
      const tstInfo = tstInfoOf(new Uint8Array(resp.timeStampToken.toSchema().toBER(false)));
      const signedAttrs = sm2SignedAttributes(tstInfo, files.certDer, options);
      const signature =
        options.sign !== undefined ? await options.sign(signedAttrs)
        : signer === 'sm2-ours' ? sm2Sign(sm2PrivateKeyFromPem(readFileSync(files.key, 'utf8')), signedAttrs)
        : await opensslSm2Sign(files.key, signedAttrs, work, { standardId: signer !== 'sm2-no-id' });
      options.onSigned?.(signedAttrs, signature);
      return grantedSm2Response(assembleSm2Token(tstInfo, signedAttrs, signature, [files.certDer, files.chainDer], options));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
  queue = next.catch(() => undefined);
  return next;
}

/** TimeStampResp { status { granted }, token }. */
function grantedSm2Response(token: Uint8Array): Uint8Array {
  return new Uint8Array(
    new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] }), asn1js.fromBER(token).result] }).toBER(false),
  );
}

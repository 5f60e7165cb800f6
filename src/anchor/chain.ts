/**
 * Certificate path building from the token's signing certificate up to one of the caller's trusted roots:
 *
 *   signer (TSA cert) ──signed by──► intermediate* ──signed by──► root (byte-equal to one the caller trusts)
 *
 * Candidates for each issuer are the roots and the certificates embedded in the token, matched by name and then
 * proven by signature. Issuers other than the root must be CAs (basicConstraints cA, keyCertSign when keyUsage is
 * present, pathLenConstraint respected). Roots are trusted as configured (their own signature and extensions are not
 * judged). Certificates signed with SM2-with-SM3 are verified by sm2.ts (standard identifier; pkijs does not know
 * SM2), all others by pkijs over WebCrypto. Validity is checked at genTime — the token proves a time, and the chain must have been valid then; a
 * token keeps verifying after its certificates expire (long-term validation); revocation is revocation.ts's, as of genTime.
 *
 * Threat model: the embedded certificates are attacker-chosen, so the search is bounded (depth and number of
 * signature checks) and a found path is only as good as the root at its end.
 */
import * as asn1js from 'asn1js';
import { BasicConstraints, type Certificate } from 'pkijs';
import { bytesEqual } from '../crypto/index.js';
import { cryptoEngine, OID } from './algorithms.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';
import { checkSm2CertificateSignature, isSm2SignedCertificate } from './sm2.js';
import type { CertRef } from './token.js';

const MAX_DEPTH = 8;
const MAX_SIGNATURE_CHECKS = 64;
/** Bounds the walk itself: a clique of cross-signed certificates must not make the search exponential. */
const MAX_STEPS = 2_000;

export function validAt(cert: Certificate, time: Date): boolean {
  const t = time.getTime();
  return cert.notBefore.value.getTime() <= t && t <= cert.notAfter.value.getTime();
}

/**
 * Returns the path [signer, …, root]. Throws TSA_CERT_EXPIRED when the only paths found contain a certificate not
 * valid at `time`, and TSA_UNTRUSTED_CHAIN when none reaches a root.
 */
export async function buildChain(
  signer: CertRef,
  embedded: readonly CertRef[],
  roots: readonly CertRef[],
  time: Date,
): Promise<CertRef[]> {
  const candidates = [...roots, ...embedded.filter((c) => !roots.some((r) => bytesEqual(r.der, c.der)))];
  const isRoot = (c: CertRef): boolean => roots.some((r) => bytesEqual(r.der, c.der));
  const verified = new Map<string, boolean>();
  let checks = 0;
  let steps = 0;
  /** Certificates whose SM2 signature verified only with an empty identifier: named when no path is found. */
  const nonstandard = new Set<string>();

  const signedBy = async (child: CertRef, parentIndex: number, childId: string): Promise<boolean> => {
    const key = `${childId}>${parentIndex}`;
    const known = verified.get(key);
    if (known !== undefined) return known;
    if (++checks > MAX_SIGNATURE_CHECKS) {
      throw tsaError('TSA_UNTRUSTED_CHAIN', 'certificate path search gave up: too many candidate issuers');
    }
    let ok = false;
    const parent = candidates[parentIndex]!.cert;
    if (isSm2SignedCertificate(child.cert)) {
      const result = checkSm2CertificateSignature(child.cert, parent);
      if (result === 'empty-id') nonstandard.add(formatName(child.cert.subject));
      ok = result === 'ok';
    } else {
      try {
        ok = await child.cert.verify(parent, cryptoEngine());
      } catch {
        ok = false;
      }
    }
    verified.set(key, ok);
    return ok;
  };

  const extend = async (path: CertRef[], childId: string, requireValid: boolean): Promise<CertRef[] | undefined> => {
    const current = path[path.length - 1]!;
    if (isRoot(current)) return path;
    if (++steps > MAX_STEPS) {
      throw tsaError('TSA_UNTRUSTED_CHAIN', 'certificate path search gave up: too many candidate paths');
    }
    if (path.length > MAX_DEPTH) return undefined;
    for (let i = 0; i < candidates.length; i++) {
      const parent = candidates[i]!;
      if (path.some((p) => bytesEqual(p.der, parent.der))) continue;
      if (!sameName(current.cert, parent.cert)) continue;
      if (!isRoot(parent) && !canIssue(parent.cert, path.length - 1)) continue;
      if (requireValid && !validAt(parent.cert, time)) continue;
      if (!(await signedBy(current, i, childId))) continue;
      const found = await extend([...path, parent], String(i), requireValid);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const valid = await extend([signer], 's', true);
  if (valid !== undefined) return valid;
  const any = await extend([signer], 's', false);
  if (any !== undefined) {
    const stale = any.find((c) => !validAt(c.cert, time))!;
    throw tsaError('TSA_CERT_EXPIRED', `certificate ${formatName(stale.cert.subject)} of the chain is not valid at genTime`, {
      subject: formatName(stale.cert.subject),
      notBefore: stale.cert.notBefore.value.toISOString(),
      notAfter: stale.cert.notAfter.value.toISOString(),
      genTime: time.toISOString(),
    });
  }
  const sm2Note =
    nonstandard.size === 0
      ? ''
      : `; the SM2 signature of ${[...nonstandard].join(', ')} verifies only with an empty identifier, not the standard 1234567812345678`;
  throw tsaError(
    'TSA_UNTRUSTED_CHAIN',
    `no chain from the TSA certificate ${formatName(signer.cert.subject)} (issued by ${formatName(signer.cert.issuer)}) to a trusted root${sm2Note}`,
    {
      subject: formatName(signer.cert.subject),
      issuer: formatName(signer.cert.issuer),
      roots: roots.length,
      ...(nonstandard.size === 0 ? {} : { sm2NonstandardId: [...nonstandard] }),
    },
  );
}

function sameName(child: Certificate, parent: Certificate): boolean {
  try {
    return child.issuer.isEqual(parent.subject);
  } catch {
    return false;
  }
}

/** May `cert` issue a certificate with `below` CA certificates under it (excluding the end-entity)? */
function canIssue(cert: Certificate, below: number): boolean {
  const extensions = cert.extensions ?? [];
  try {
    const bc: unknown = extensions.find((e) => e.extnID === OID.basicConstraints)?.parsedValue;
    if (!(bc instanceof BasicConstraints) || !bc.cA) return false;
    if (bc.pathLenConstraint !== undefined) {
      const limit = bc.pathLenConstraint instanceof asn1js.Integer ? Number(bc.pathLenConstraint.toBigInt()) : bc.pathLenConstraint;
      if (typeof limit !== 'number' || below > limit) return false;
    }
    const ku: unknown = extensions.find((e) => e.extnID === OID.keyUsage)?.parsedValue;
    // keyCertSign is bit 5 (0x04 of the first byte)
    if (ku !== undefined && (!(ku instanceof asn1js.BitString) || ((ku.valueBlock.valueHexView[0] ?? 0) & 0x04) === 0)) {
      return false;
    }
    return true;
  } catch {
    return false;
  }
}

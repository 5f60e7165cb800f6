/**
 * Revocation of a TSA chain checked **as of genTime**, with evidence (OCSP responses, CRLs) obtained when the
 * token was: RFC 3161 §4 has the verifier check that the TSA certificate was not revoked at the time of the stamp,
 * and RFC 4998 keeps such evidence beside the timestamp so the check can be repeated after the responder is gone.
 *
 * For each certificate of the path signer → … → root but the root (trusted as configured), the evidence given for
 * it (matched by the SHA-256 of its DER) must be signed by its issuer in the path (or a responder that issuer
 * delegated), name it (issuer and serial), and be fresh for genTime G:
 *
 *   thisUpdate ≤ G + window (7 days) and ≤ the certificate's notAfter      else 'too-late'
 *   thisUpdate ≥ G − skew (60 s), or nextUpdate ≥ G                         else 'stale'
 *
 * (a status established at or after G covers G, because revocation is permanent; one established before G covers
 * it only if its issuer promised it until nextUpdate ≥ G. Evidence much later than G is not "at anchoring time",
 * and evidence from after the certificate expired proves little: a CA may drop expired certificates from its CRLs
 * and its responder — RFC 5280 §3.3.)
 *
 * Revoked at or before G: TSA_CERT_REVOKED. Revoked after G: valid as of G only for the reasons RFC 3161 §4 names
 * (unspecified, affiliationChanged, superseded, cessationOfOperation); with no reason, keyCompromise or any other,
 * every token of that key is invalid (TSA_CERT_REVOKED, `details.afterGenTime: true`).
 */
import { Certificate } from 'pkijs';
import { sha256, toHex } from '../crypto/index.js';
import { decodeOne, errorText, isOurs } from './asn1.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';
import { invalid, REASONS, type StatusClaim } from './revocation-common.js';
import { checkCrl, parseCrl } from './revocation-crl.js';
import { checkOcsp, parseOcspResponse } from './revocation-ocsp.js';
import type { CertRef } from './token.js';

export interface RevocationEvidence {
  /** Lowercase hex SHA-256 of the DER certificate this evidence is for. */
  cert: string;
  /** DER OCSPResponse. */
  ocsp?: Uint8Array;
  /** DER CertificateList. */
  crl?: Uint8Array;
}

export interface RevocationOptions {
  /** Evidence per certificate of the chain (signer and intermediates). Without it revocation is not checked. */
  revocation?: readonly RevocationEvidence[];
  /** Fail with TSA_REVOCATION_MISSING when a certificate of the chain (but the root) has no evidence. */
  requireRevocation?: boolean;
  /** How long after genTime evidence may be established (default 7 days). */
  revocationWindowMs?: number;
  /** Clock difference allowed between the TSA and the revocation issuer (default 60 s). */
  revocationSkewMs?: number;
}

export interface RevocationSource {
  source: 'ocsp' | 'crl';
  status: 'good' | 'revoked';
  thisUpdate: string;
  nextUpdate?: string;
  producedAt?: string;
  revocationTime?: string;
  reason?: string;
}

export interface CertificateRevocation {
  subject: string;
  /** Certificate serial number, lowercase hex. */
  serialNumber: string;
  /** SHA-256 of the certificate DER, lowercase hex. */
  cert: string;
  /** good, revoked after genTime (for a reason that leaves earlier tokens valid), or not checked (no evidence). */
  status: 'good' | 'revoked-after-genTime' | 'not-checked';
  sources: RevocationSource[];
}

export interface RevocationReport {
  /** Every certificate of the chain but the root has evidence, and it all held as of genTime. */
  checked: boolean;
  certificates: CertificateRevocation[];
}

export const MAX_EVIDENCE_ITEMS = 16;
const DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;
const DEFAULT_SKEW_MS = 60_000;
/** RFC 3161 §4: revoked for these reasons, the tokens made before revocationTime stay valid. */
const BENIGN_REASONS: ReadonlySet<number> = new Set([0, 3, 4, 5]);

export function certificateHash(der: Uint8Array): string {
  return toHex(sha256(der));
}

/** Validates the caller's (or a receipt's) evidence list: TSA_BAD_ARGUMENT on a wrong shape. */
export function readRevocationOptions(opts: RevocationOptions): Required<Pick<RevocationOptions, 'revocationWindowMs' | 'revocationSkewMs'>> & RevocationOptions {
  const list = opts.revocation;
  if (list !== undefined) {
    if (!Array.isArray(list) || list.length > MAX_EVIDENCE_ITEMS) throw tsaError('TSA_BAD_ARGUMENT', `revocation: expected an array of at most ${MAX_EVIDENCE_ITEMS} items`);
    list.forEach((e: RevocationEvidence, i) => {
      const ok =
        typeof e === 'object' && e !== null && typeof e.cert === 'string' && /^[0-9a-f]{64}$/.test(e.cert) &&
        (e.ocsp === undefined || e.ocsp instanceof Uint8Array) && (e.crl === undefined || e.crl instanceof Uint8Array) &&
        (e.ocsp !== undefined || e.crl !== undefined);
      if (!ok) throw tsaError('TSA_BAD_ARGUMENT', `revocation[${i}]: expected { cert: sha256 hex, ocsp?: bytes, crl?: bytes } with ocsp or crl`);
    });
  }
  const number = (v: unknown, d: number, name: string): number => {
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw tsaError('TSA_BAD_ARGUMENT', `${name}: expected a non-negative number`);
    return v;
  };
  return {
    ...opts,
    revocationWindowMs: number(opts.revocationWindowMs, DEFAULT_WINDOW_MS, 'revocationWindowMs'),
    revocationSkewMs: number(opts.revocationSkewMs, DEFAULT_SKEW_MS, 'revocationSkewMs'),
  };
}

/**
 * Checks evidence for a chain already verified (TimestampVerification.chain: DER signer … root) as of genTime:
 * what the service does with evidence fetched after the token, without verifying the token again.
 */
export async function verifyRevocation(chain: readonly Uint8Array[], genTime: Date, opts: RevocationOptions): Promise<RevocationReport> {
  if (!Array.isArray(chain) || chain.length > 16 || !chain.every((c) => c instanceof Uint8Array)) {
    throw tsaError('TSA_BAD_ARGUMENT', 'chain: expected at most 16 DER certificates');
  }
  if (!(genTime instanceof Date) || Number.isNaN(genTime.getTime())) throw tsaError('TSA_BAD_ARGUMENT', 'genTime: expected a valid Date');
  const refs = chain.map((der, i) => {
    try {
      return { cert: new Certificate({ schema: decodeOne(der, 'TSA_BAD_ARGUMENT', `chain[${i}]`) }), der: der.slice() };
    } catch (err) {
      if (isOurs(err)) throw err;
      throw tsaError('TSA_BAD_ARGUMENT', `chain[${i}]: not an X.509 certificate (${errorText(err)})`);
    }
  });
  return checkChainRevocation(refs, genTime, opts);
}

/** Checks the evidence for `chain` ([signer, …, root]) as of genTime; see the file comment. */
export async function checkChainRevocation(chain: readonly CertRef[], genTime: Date, opts: RevocationOptions): Promise<RevocationReport> {
  const o = readRevocationOptions(opts);
  const certificates: CertificateRevocation[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const subject = chain[i]!;
    const issuer = chain[i + 1]!;
    const hash = certificateHash(subject.der);
    const evidence = (o.revocation ?? []).filter((e) => e.cert === hash);
    const base = { subject: formatName(subject.cert.subject), serialNumber: toHex(subject.cert.serialNumber.valueBlock.valueHexView), cert: hash };
    if (evidence.length === 0) {
      if (o.requireRevocation === true) {
        throw tsaError('TSA_REVOCATION_MISSING', `no revocation evidence (OCSP or CRL) for ${base.subject}, and it is required`, base);
      }
      certificates.push({ ...base, status: 'not-checked', sources: [] });
      continue;
    }
    const claims: StatusClaim[] = [];
    for (const e of evidence) {
      if (e.ocsp !== undefined) claims.push(await checkOcsp(parseOcspResponse(e.ocsp), subject, issuer));
      if (e.crl !== undefined) claims.push(await checkCrl(parseCrl(e.crl), subject, issuer));
    }
    for (const claim of claims) judge(claim, subject, genTime, o.revocationWindowMs, o.revocationSkewMs);
    const after = claims.some((c) => c.status === 'revoked');
    certificates.push({ ...base, status: after ? 'revoked-after-genTime' : 'good', sources: claims.map(report) });
  }
  if (o.requireRevocation === true && chain.length === 0) {
    throw tsaError('TSA_REVOCATION_MISSING', 'revocation is required, and no certificate path was built (no trusted roots)');
  }
  return { checked: chain.length > 0 && certificates.every((c) => c.status !== 'not-checked'), certificates };
}

/** Freshness and status of one claim as of genTime; throws when it does not let the token stand. */
function judge(claim: StatusClaim, subject: CertRef, genTime: Date, windowMs: number, skewMs: number): void {
  const g = genTime.getTime();
  const t = claim.thisUpdate.getTime();
  const what = claim.source === 'ocsp' ? 'OCSP response' : 'CRL';
  const name = formatName(subject.cert.subject);
  const times = { thisUpdate: claim.thisUpdate.toISOString(), genTime: genTime.toISOString(), ...(claim.nextUpdate === undefined ? {} : { nextUpdate: claim.nextUpdate.toISOString() }) };
  if (t > g + windowMs) throw invalid('too-late', `the ${what} for ${name} is from ${times.thisUpdate}, more than ${windowMs / 3600_000} h after genTime`, times);
  if (t > subject.cert.notAfter.value.getTime()) {
    throw invalid('too-late', `the ${what} for ${name} is from after the certificate expired`, { ...times, notAfter: subject.cert.notAfter.value.toISOString() });
  }
  if (t < g - skewMs && (claim.nextUpdate === undefined || claim.nextUpdate.getTime() < g)) {
    throw invalid('stale', `the ${what} for ${name} (${times.thisUpdate}) does not cover genTime ${times.genTime}`, times);
  }
  if (claim.status !== 'revoked') return;
  const at = claim.revocationTime!;
  const reason = claim.reason === undefined ? 'no reason given' : (REASONS[claim.reason] ?? `reason ${claim.reason}`);
  const details = { subject: name, serialNumber: toHex(subject.cert.serialNumber.valueBlock.valueHexView), revocationTime: at.toISOString(), reason, genTime: times.genTime, source: claim.source };
  if (at.getTime() <= g) {
    throw tsaError('TSA_CERT_REVOKED', `the TSA certificate ${name} was revoked at ${details.revocationTime} (${reason}), at or before genTime ${details.genTime}`, { ...details, afterGenTime: false });
  }
  if (claim.reason === undefined || !BENIGN_REASONS.has(claim.reason)) {
    throw tsaError('TSA_CERT_REVOKED', `the TSA certificate ${name} was revoked at ${details.revocationTime} (${reason}): after genTime, but for a reason that invalidates every token of its key (RFC 3161 §4)`, { ...details, afterGenTime: true });
  }
}

function report(c: StatusClaim): RevocationSource {
  return {
    source: c.source,
    status: c.status,
    thisUpdate: c.thisUpdate.toISOString(),
    ...(c.nextUpdate === undefined ? {} : { nextUpdate: c.nextUpdate.toISOString() }),
    ...(c.producedAt === undefined ? {} : { producedAt: c.producedAt.toISOString() }),
    ...(c.revocationTime === undefined ? {} : { revocationTime: c.revocationTime.toISOString() }),
    ...(c.reason === undefined ? {} : { reason: REASONS[c.reason] ?? String(c.reason) }),
  };
}

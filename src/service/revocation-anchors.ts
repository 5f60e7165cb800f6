/**
 * Revocation evidence for stored anchors (src/anchor "Revocation as of genTime"): fetched right after a token is
 * verified, kept in the anchor's record (`revocation: [{cert, ocsp?, crl?}]`, base64 DER), and — when a responder
 * was down — marked `revocationPending` and fetched again later. The token is stored either way: a responder
 * outage never costs an anchor. A TSA certificate found revoked as of genTime throws TSA_CERT_REVOKED (the token
 * proves nothing then, and is not stored).
 *
 * Retrying stops `revocationWindowMs` (7 days, the verifier's rule) after genTime: evidence from later would not
 * be accepted as of genTime. The anchor then stays without evidence ("revocation not checked"), logged.
 */
import { CunzhengError } from '../errors.js';
import { fromBase64, toBase64 } from '../crypto/index.js';
import { fetchRevocation, type RevocationEvidence, type RevocationFetch, verifyTimestampToken } from '../anchor/index.js';

export interface StoredRevocation {
  /** SHA-256 hex of the certificate. */
  cert: string;
  /** Base64 DER OCSPResponse. */
  ocsp?: string;
  /** Base64 DER CRL. */
  crl?: string;
}

export interface StoredAnchor {
  tsa: string;
  /** Base64 DER TimeStampToken. */
  token: string;
  genTime: string;
  /** Revocation evidence of the TSA chain, verified as of genTime when fetched. */
  revocation?: StoredRevocation[];
  /** Evidence still to fetch (a responder was down): retried by the anchorer. */
  revocationPending?: true;
}

export interface RevocationSettings {
  ocspUrl?: string;
  crlUrl?: string;
  timeoutMs?: number;
  fetch?: RevocationFetch;
  /** Stop retrying this long after genTime (default 7 days). */
  windowMs?: number;
}

export interface RevocationMetrics {
  revocationFetched: number;
  revocationFailures: number;
}

type Log = { warn: (o: object, m: string) => void; error?: (o: object, m: string) => void };

export const DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;

export function toStored(e: RevocationEvidence): StoredRevocation {
  return { cert: e.cert, ...(e.ocsp === undefined ? {} : { ocsp: toBase64(e.ocsp) }), ...(e.crl === undefined ? {} : { crl: toBase64(e.crl) }) };
}

export function fromStored(e: StoredRevocation): RevocationEvidence {
  return {
    cert: e.cert,
    ...(e.ocsp === undefined ? {} : { ocsp: fromBase64(e.ocsp, undefined, 'revocation ocsp') }),
    ...(e.crl === undefined ? {} : { crl: fromBase64(e.crl, undefined, 'revocation crl') }),
  };
}

/**
 * Fetches evidence for a verified token's chain into `anchor` (a copy is returned). Failures other than a
 * revoked certificate leave the anchor `revocationPending` (logged, counted); a chain whose certificates name no
 * responder and none is configured gets no evidence and no mark.
 */
export async function withRevocation(
  anchor: StoredAnchor,
  chain: readonly Uint8Array[],
  genTime: Date,
  settings: RevocationSettings,
  metrics: RevocationMetrics,
  log: Log | undefined,
): Promise<StoredAnchor> {
  const { revocationPending: _, ...base } = anchor;
  try {
    const fetched = await fetchRevocation(chain, genTime, {
      ...(settings.ocspUrl === undefined ? {} : { ocspUrl: settings.ocspUrl }),
      ...(settings.crlUrl === undefined ? {} : { crlUrl: settings.crlUrl }),
      timeoutMs: settings.timeoutMs ?? 10_000,
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    });
    const out: StoredAnchor = { ...base, ...(fetched.evidence.length === 0 ? {} : { revocation: fetched.evidence.map(toStored) }) };
    const missing = fetched.failures.filter((f) => !f.noUrl);
    if (fetched.evidence.length > 0) metrics.revocationFetched++;
    if (missing.length === 0) return out;
    metrics.revocationFailures++;
    log?.warn({ tsa: anchor.tsa, genTime: anchor.genTime, failures: missing }, 'revocation evidence not fetched; the anchor is kept and will be retried');
    return { ...out, revocationPending: true };
  } catch (e) {
    if (e instanceof CunzhengError && e.code === 'TSA_CERT_REVOKED') throw e;
    metrics.revocationFailures++;
    log?.warn({ tsa: anchor.tsa, error: e instanceof CunzhengError ? `${e.code}: ${e.message}` : String(e) }, 'revocation evidence not fetched; the anchor is kept and will be retried');
    return { ...base, revocationPending: true };
  }
}

/**
 * A pending anchor of the checkpoint with imprint `imprint`, tried again: re-verifies its token for the chain,
 * fetches. Past the window the mark is dropped (logged). A certificate now found revoked as of genTime keeps the
 * anchor (it was accepted) but drops the mark, logged as an error: an operator must look at that TSA.
 */
export async function retryPending(
  anchor: StoredAnchor,
  imprint: Uint8Array,
  roots: readonly Uint8Array[],
  settings: RevocationSettings,
  metrics: RevocationMetrics,
  log: Log | undefined,
  now = Date.now(),
): Promise<StoredAnchor> {
  if (anchor.revocationPending !== true) return anchor;
  const { revocationPending: _, ...done } = anchor;
  const genTime = new Date(anchor.genTime);
  if (now - genTime.getTime() > (settings.windowMs ?? DEFAULT_WINDOW_MS)) {
    log?.warn({ tsa: anchor.tsa, genTime: anchor.genTime }, 'revocation evidence could not be fetched within the window; the anchor stays without it');
    return done;
  }
  try {
    const v = await verifyTimestampToken(fromBase64(anchor.token, undefined, 'anchor token'), { imprint, roots });
    return await withRevocation(anchor, v.chain, v.genTime, settings, metrics, log);
  } catch (e) {
    const text = e instanceof CunzhengError ? `${e.code}: ${e.message}` : String(e);
    (log?.error ?? log?.warn)?.({ tsa: anchor.tsa, genTime: anchor.genTime, error: text }, 'a stored anchor failed its revocation check');
    return done;
  }
}

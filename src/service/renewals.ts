/**
 * Timestamp renewal of the log's own anchors (RFC 4998 §5.2): on demand (POST /v1/admin/checkpoints/<size>/renew),
 * a new token over the hash of the anchor's last timestamp, from the first configured TSA that issues one,
 * verified against the anchoring roots and, as a whole evidence record, for the checkpoint body; then stored
 * durably under `x V <size> <anchor>` (ledger/renewal-keys.ts) before it is acknowledged. GET
 * /v1/checkpoints/<size>/evidence-record serves the anchor's token with its renewals as one chain.
 */
import { requestTimestamp } from '../anchor/index.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/index.js';
import { CunzhengError } from '../errors.js';
import { checkpointBody, checkpointEvidenceRecord, renewalImprint, renewEvidenceRecord, verifyEvidenceRecord } from '../ers/index.js';
import type { Ledger } from '../ledger/index.js';
import { renewalKey } from '../ledger/renewal-keys.js';
import type { Anchorer, StoredAnchor } from './anchorer.js';

export interface StoredRenewal {
  tsa: string;
  /** Base64 DER TimeStampToken over the hash of the timestamp before it. */
  token: string;
  genTime: string;
}

/** The stored renewals of anchor `index` of the checkpoint of `treeSize`, oldest first. */
export async function renewalsAt(ledger: Ledger, treeSize: number, index: number): Promise<StoredRenewal[]> {
  const v = await ledger.records.get(renewalKey(treeSize, index));
  return v === undefined ? [] : (JSON.parse(fromUtf8(v)) as StoredRenewal[]);
}

/** The evidence record of anchor `index` of a checkpoint, with its renewals (ERS_NO_ANCHOR without that anchor). */
export async function anchorEvidenceRecord(ledger: Ledger, anchorer: Anchorer, treeSize: number, index: number, note: string): Promise<Uint8Array> {
  const anchor = await anchorAt(anchorer, treeSize, index);
  const renewals = await renewalsAt(ledger, treeSize, index);
  return checkpointEvidenceRecord(note, [anchor.token, ...renewals.map((r) => r.token)].map((t) => fromBase64(t, undefined, 'stored token')));
}

async function anchorAt(anchorer: Anchorer, treeSize: number, index: number): Promise<StoredAnchor> {
  const anchors = await anchorer.anchorsAt(treeSize);
  const anchor = anchors[index];
  if (anchor === undefined) {
    throw new CunzhengError('ERS_NO_ANCHOR', anchors.length === 0
      ? `the checkpoint of size ${treeSize} has no RFC 3161 anchor (GET /v1/log: anchoredTreeSize)`
      : `the checkpoint of size ${treeSize} has ${anchors.length} anchor(s); anchor=${index} is not one of them`, { details: { anchors: anchors.length } });
  }
  return anchor;
}

// One renewal at a time per ledger: two at once would both extend the same stored list.
const queues = new WeakMap<Ledger, Promise<unknown>>();

/** Renews anchor `index` of the checkpoint of `treeSize` once; resolves with every renewal stored for it. */
export function renewAnchor(ledger: Ledger, anchorer: Anchorer, treeSize: number, index: number, note: string): Promise<StoredRenewal[]> {
  const run = (queues.get(ledger) ?? Promise.resolve()).then(() => renewOnce(ledger, anchorer, treeSize, index, note));
  queues.set(ledger, run.catch(() => undefined));
  return run;
}

async function renewOnce(ledger: Ledger, anchorer: Anchorer, treeSize: number, index: number, note: string): Promise<StoredRenewal[]> {
  if (!anchorer.enabled) throw new CunzhengError('ANCHOR_NO_TSA', 'no TSA is configured (serve --tsa URL)');
  const record = await anchorEvidenceRecord(ledger, anchorer, treeSize, index, note);
  const body = checkpointBody(note);
  const { hash, imprint } = renewalImprint(record);
  if (hash !== 'SHA-256') throw new CunzhengError('ERS_UNSUPPORTED', `this anchor's timestamps are ${hash}; the log renews SHA-256 ones only`);
  const failures: string[] = [];
  for (const tsa of anchorer.tsas) {
    try {
      const { token, genTime } = await requestTimestamp(tsa.url, imprint, { roots: anchorer.roots });
      const renewed = renewEvidenceRecord(record, body, token);
      await verifyEvidenceRecord(renewed, body, { roots: anchorer.roots, at: new Date() });
      const renewals = [...(await renewalsAt(ledger, treeSize, index)), { tsa: tsa.url, token: toBase64(token), genTime: genTime.toISOString() }];
      await ledger.records.put([[renewalKey(treeSize, index), utf8(JSON.stringify(renewals))]]);
      return renewals;
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      failures.push(`${tsa.url}: ${e.code}: ${e.message}`);
    }
  }
  throw new CunzhengError('ANCHOR_FAILED', `no TSA renewed the anchor: ${failures.join('; ')}`);
}

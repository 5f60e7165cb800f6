/**
 * Prometheus text exposition (version 0.0.4) of the service's own figures: deposits, queue depth, group
 * sizes, commit latency, tree size, anchoring, witnesses, and the HTTP layer's admission figures. A few dozen series do
 * not need a metrics library.
 */
import type { Ledger } from '../ledger/index.js';
import type { Deposits } from './deposits.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Tenants } from './tenants.js';
import type { Anchorer } from './anchorer.js';
import type { Witnesser } from './witnesser.js';

/** The HTTP layer's own figures (admission, failed authentication, connections over the cap). */
export interface HttpFigures {
  inFlightBytes: number;
  inFlightRequests: number;
  refused: { tenant: number; service: number };
  authRefused: number;
  droppedConnections: number;
}

const GROUP_BUCKETS = [1, 10, 100, 500, 1000, 5000, 10000];
const COMMIT_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

function histogram(name: string, help: string, values: number[], buckets: number[], scale = 1): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  let sum = 0;
  const counts = buckets.map(() => 0);
  for (const raw of values) {
    const v = raw * scale;
    sum += v;
    buckets.forEach((b, i) => {
      if (v <= b) counts[i]!++;
    });
  }
  buckets.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${counts[i]}`));
  lines.push(`${name}_bucket{le="+Inf"} ${values.length}`, `${name}_sum ${sum}`, `${name}_count ${values.length}`);
  return lines;
}

export function renderMetrics(ledger: Ledger, deposits: Deposits, tenants: Tenants, anchorer?: Anchorer, http?: HttpFigures, pool?: WorkerPool, witnesser?: Witnesser): string {
  const s = ledger.stats;
  const lines = [
    '# HELP cunzheng_deposits_total Deposits answered, by who hashed the document and whether a new entry was written.',
    '# TYPE cunzheng_deposits_total counter',
    `cunzheng_deposits_total{hashed_by="client",result="created"} ${deposits.metrics.created.client}`,
    `cunzheng_deposits_total{hashed_by="server",result="created"} ${deposits.metrics.created.server}`,
    `cunzheng_deposits_total{result="existing"} ${deposits.metrics.existing}`,
    '# HELP cunzheng_tree_size Entries in the ledger (the newest checkpoint\'s tree size).',
    '# TYPE cunzheng_tree_size gauge',
    `cunzheng_tree_size ${ledger.treeSize}`,
    '# HELP cunzheng_queue_depth Entries waiting for the next group commit.',
    '# TYPE cunzheng_queue_depth gauge',
    `cunzheng_queue_depth ${s.queueDepth}`,
    '# HELP cunzheng_groups_committed_total Group commits (one durable batch and one checkpoint each).',
    '# TYPE cunzheng_groups_committed_total counter',
    `cunzheng_groups_committed_total ${s.groupsCommitted}`,
    ...histogram('cunzheng_group_size', 'Entries per group commit (recent groups).', s.groupSizes, GROUP_BUCKETS),
    ...histogram('cunzheng_commit_seconds', 'From preparing a group to answering its callers, its durable write included (recent groups).', s.commitMs, COMMIT_BUCKETS_S, 1 / 1000),
    '# HELP cunzheng_ledger_write_failures_total Writes that failed; each fenced the ledger until its store was reopened and proven.',
    '# TYPE cunzheng_ledger_write_failures_total counter',
    `cunzheng_ledger_write_failures_total ${s.writeFailures}`,
    '# HELP cunzheng_ledger_recoveries_total Fences lifted after the reopened store was proven.',
    '# TYPE cunzheng_ledger_recoveries_total counter',
    `cunzheng_ledger_recoveries_total ${s.recoveries}`,
    '# HELP cunzheng_ledger_fenced 1 while the ledger refuses appends after a failed write (LEDGER_FENCED, or a fault an operator must look at).',
    '# TYPE cunzheng_ledger_fenced gauge',
    `cunzheng_ledger_fenced ${ledger.fence === undefined ? 0 : 1}`,
    '# HELP cunzheng_tenants Registered tenants.',
    '# TYPE cunzheng_tenants gauge',
    `cunzheng_tenants ${tenants.count}`,
    '# HELP cunzheng_tenants_damaged Tenant records that failed their check at start (those tenants are answered STORE_CORRUPT).',
    '# TYPE cunzheng_tenants_damaged gauge',
    `cunzheng_tenants_damaged ${tenants.corrupt.length}`,
    '# HELP cunzheng_tile_cache_tiles Full tiles held expanded in memory.',
    '# TYPE cunzheng_tile_cache_tiles gauge',
    `cunzheng_tile_cache_tiles ${ledger.cacheStats.tiles}`,
    '# HELP cunzheng_digest_filter_ready 1 when new digests are told apart in memory; 0 while it loads, or off (every lookup then reads LevelDB).',
    '# TYPE cunzheng_digest_filter_ready gauge',
    `cunzheng_digest_filter_ready ${ledger.index.filter.ready ? 1 : 0}`,
    '# HELP cunzheng_digest_filter_entries Deposit fingerprints held by the digest filter.',
    '# TYPE cunzheng_digest_filter_entries gauge',
    `cunzheng_digest_filter_entries ${ledger.index.filter.size}`,
    '# HELP cunzheng_digest_filter_bytes Memory held by the digest filter.',
    '# TYPE cunzheng_digest_filter_bytes gauge',
    `cunzheng_digest_filter_bytes ${ledger.index.filter.bytes}`,
    '# HELP cunzheng_replies_written_total Replies of new deposits, by who wrote them: the worker pool, or the main thread (no pool, a small turn, or a failed worker).',
    '# TYPE cunzheng_replies_written_total counter',
    `cunzheng_replies_written_total{by="pool"} ${deposits.replies.stats.pooled}`,
    `cunzheng_replies_written_total{by="main"} ${deposits.replies.stats.inline}`,
    `cunzheng_replies_written_total{by="main",reason="worker_failed"} ${deposits.replies.stats.fallbacks}`,
  ];
  if (pool !== undefined) {
    lines.push(
      '# HELP cunzheng_workers Worker threads in the pool.',
      '# TYPE cunzheng_workers gauge',
      `cunzheng_workers ${pool.size}`,
      '# HELP cunzheng_worker_jobs_total Jobs the worker threads answered.',
      '# TYPE cunzheng_worker_jobs_total counter',
      `cunzheng_worker_jobs_total ${pool.stats.jobs}`,
      '# HELP cunzheng_worker_replaced_total Worker threads that died and were replaced (their jobs were redone on the main thread).',
      '# TYPE cunzheng_worker_replaced_total counter',
      `cunzheng_worker_replaced_total ${pool.stats.failures}`,
    );
  }
  if (http !== undefined) {
    lines.push(
      '# HELP cunzheng_http_in_flight_bytes Work in flight as charged by admission control (bodies, batch items, a fixed cost per request).',
      '# TYPE cunzheng_http_in_flight_bytes gauge',
      `cunzheng_http_in_flight_bytes ${http.inFlightBytes}`,
      '# HELP cunzheng_http_in_flight_requests Authenticated requests being handled.',
      '# TYPE cunzheng_http_in_flight_requests gauge',
      `cunzheng_http_in_flight_requests ${http.inFlightRequests}`,
      '# HELP cunzheng_http_refused_total Requests refused: 503 TENANT_BUSY / SERVICE_BUSY, 429 AUTH_RATE_LIMITED.',
      '# TYPE cunzheng_http_refused_total counter',
      `cunzheng_http_refused_total{code="TENANT_BUSY"} ${http.refused.tenant}`,
      `cunzheng_http_refused_total{code="SERVICE_BUSY"} ${http.refused.service}`,
      `cunzheng_http_refused_total{code="AUTH_RATE_LIMITED"} ${http.authRefused}`,
      '# HELP cunzheng_http_dropped_connections_total Connections closed at once because the connection cap was reached.',
      '# TYPE cunzheng_http_dropped_connections_total counter',
      `cunzheng_http_dropped_connections_total ${http.droppedConnections}`,
    );
  }
  if (anchorer?.enabled) {
    lines.push(
      '# HELP cunzheng_anchor_lag_entries Entries not yet covered by an RFC 3161 anchor.',
      '# TYPE cunzheng_anchor_lag_entries gauge',
      `cunzheng_anchor_lag_entries ${anchorer.lagEntries}`,
      '# HELP cunzheng_anchor_last_success_seconds When a checkpoint was last anchored (Unix time; 0: never since start).',
      '# TYPE cunzheng_anchor_last_success_seconds gauge',
      `cunzheng_anchor_last_success_seconds ${Math.floor(anchorer.metrics.lastSuccessAt / 1000)}`,
      '# HELP cunzheng_anchor_requests_total Timestamp requests sent, and those that failed.',
      '# TYPE cunzheng_anchor_requests_total counter',
      `cunzheng_anchor_requests_total ${anchorer.metrics.attempts}`,
      `cunzheng_anchor_requests_total{result="failed"} ${anchorer.metrics.failures}`,
      '# HELP cunzheng_anchor_tsa_consecutive_failures Failures in a row, per TSA.',
      '# TYPE cunzheng_anchor_tsa_consecutive_failures gauge',
      ...anchorer.tsas.map((t) => `cunzheng_anchor_tsa_consecutive_failures{tsa=${JSON.stringify(t.url)}} ${t.failures}`),
      '# HELP cunzheng_anchor_revocation_fetches_total Revocation evidence (OCSP/CRL) fetched for anchors, and fetches that failed (the anchor is kept, its evidence pending).',
      '# TYPE cunzheng_anchor_revocation_fetches_total counter',
      `cunzheng_anchor_revocation_fetches_total{result="fetched"} ${anchorer.metrics.revocationFetched}`,
      `cunzheng_anchor_revocation_fetches_total{result="failed"} ${anchorer.metrics.revocationFailures}`,
      '# HELP cunzheng_anchor_revocation_pending Anchored checkpoints whose revocation evidence is still to be fetched.',
      '# TYPE cunzheng_anchor_revocation_pending gauge',
      `cunzheng_anchor_revocation_pending ${anchorer.revocationPending.size}`,
    );
  }
  if (witnesser !== undefined) lines.push(...witnessMetrics(ledger.treeSize, witnesser));
  return lines.join('\n') + '\n';
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function label(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function witnessMetrics(treeSize: number, w: Witnesser): string[] {
  const asked = w.witnesses.filter((s) => s.url !== null);
  return [
    '# HELP cunzheng_cosigned_tree_size The newest checkpoint at least one witness cosigned (0: none).',
    '# TYPE cunzheng_cosigned_tree_size gauge',
    `cunzheng_cosigned_tree_size ${w.latestCosigned?.treeSize ?? 0}`,
    "# HELP cunzheng_witness_quorum_met 1 when the newest cosigned checkpoint meets the policy's quorum.",
    '# TYPE cunzheng_witness_quorum_met gauge',
    `cunzheng_witness_quorum_met ${w.quorumMet ? 1 : 0}`,
    '# HELP cunzheng_witness_lag_entries Tree size minus the size the witness was last known to be at (the whole tree when unknown).',
    '# TYPE cunzheng_witness_lag_entries gauge',
    ...asked.map((s) => `cunzheng_witness_lag_entries{witness=${label(s.name)}} ${treeSize - (s.size ?? 0)}`),
    '# HELP cunzheng_witness_consecutive_failures Failed add-checkpoint exchanges in a row, per witness, by the last error code.',
    '# TYPE cunzheng_witness_consecutive_failures gauge',
    ...asked.map((s) => `cunzheng_witness_consecutive_failures{witness=${label(s.name)},code=${label(s.lastError ?? '')}} ${s.failures}`),
    '# HELP cunzheng_witness_last_cosigned_seconds When the witness last cosigned (Unix time; 0: not since start).',
    '# TYPE cunzheng_witness_last_cosigned_seconds gauge',
    ...asked.map((s) => `cunzheng_witness_last_cosigned_seconds{witness=${label(s.name)}} ${Math.floor((s.lastCosignedAt ?? 0) / 1000)}`),
    '# HELP cunzheng_witness_run_seconds How long the last witnessing run took (every due witness answered or reached its deadline).',
    '# TYPE cunzheng_witness_run_seconds gauge',
    `cunzheng_witness_run_seconds ${w.metrics.lastRunMs / 1000}`,
    '# HELP cunzheng_witness_requests_total add-checkpoint exchanges, and those that failed.',
    '# TYPE cunzheng_witness_requests_total counter',
    `cunzheng_witness_requests_total ${w.metrics.requests}`,
    `cunzheng_witness_requests_total{result="failed"} ${w.metrics.failures}`,
  ];
}

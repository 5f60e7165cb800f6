/** Opens the service's state on a data directory: the ledger, the tenants, the deposits, the admin token. */
import { Ledger, type LedgerOptions } from '../ledger/index.js';
import { CunzhengError } from '../errors.js';
import { Deposits } from './deposits.js';
import { Inventory } from './inventory.js';
import { Tenants } from './tenants.js';
import { Users } from './users.js';
import { loadAdminToken } from './admin-token.js';
import { Anchorer, type AnchorerOptions } from './anchorer.js';
import type { RevocationSettings } from './revocation-anchors.js';
import { Witnesser } from './witnesser.js';
import type { Policy } from '../policy/index.js';
import { parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { WorkerPool, workerScript } from '../workers/pool.js';
import type { ServiceContext } from './context.js';

export interface ServiceOptions extends LedgerOptions {
  adminToken?: string;
  /** RFC 3161 TSAs to anchor checkpoints at, their trusted roots (DER), and how often (default 60 s). */
  tsaUrls?: string[];
  tsaRoots?: Uint8Array[];
  /** Revocation evidence of the TSA certificate: configured OCSP/CRL URLs (before its AIA/CDP), fetch, deadline. */
  tsaRevocation?: RevocationSettings;
  anchorIntervalMs?: number;
  log?: AnchorerOptions['log'];
  /** Worker threads that write new deposits' replies (default 0: the main thread does). `cunzheng serve` sizes it to the machine. */
  workers?: number;
  /**
   * A C2SP tlog-policy (parsePolicy): its witnesses with a URL are asked to cosign every new checkpoint. Its
   * log lines must list this log's key (WITNESS_POLICY_OTHER_LOG otherwise, once the ledger is open).
   */
  witnessPolicy?: Policy;
  /** How often the witnesser looks for a grown tree (default 1 s) and its deadline per witness (default 5 s). */
  witnessIntervalMs?: number;
  witnessTimeoutMs?: number;
}



export async function openService(options: ServiceOptions): Promise<ServiceContext> {
  const { adminToken: given, tsaUrls, tsaRoots, tsaRevocation, anchorIntervalMs, log, workers, witnessPolicy, witnessIntervalMs, witnessTimeoutMs, ...ledgerOptions } = options;
  if (workers !== undefined && (!Number.isSafeInteger(workers) || workers < 0 || workers > 64)) {
    throw new CunzhengError('SERVICE_BAD_WORKERS', 'workers must be an integer from 0 to 64');
  }
  if ((tsaUrls?.length ?? 0) > 0 && (tsaRoots?.length ?? 0) === 0) {
    throw new CunzhengError('ANCHOR_NO_ROOTS', 'anchoring needs the TSA roots to verify replies against (--tsa-roots PEM)');
  }
  const ledger = await Ledger.open({ ...ledgerOptions, ...(log === undefined ? {} : { log }) });
  try {
    const adminToken = await loadAdminToken(options.dataDir, given);
    const tenants = await Tenants.load(ledger.records);
    if (tenants.corrupt.length > 0) {
      log?.warn({ tenants: tenants.corrupt.map((c) => c.id) }, 'tenant records failed their check: those tenants are answered STORE_CORRUPT (run cunzheng fsck on a copy of the data directory)');
    }
    const users = await Users.load(ledger.records, tenants);
    // Tenants from before users get their founding officer (the tenant's key), once: one synced batch.
    const founded = await users.ensureFoundingOfficers();
    if (founded.length > 0) log?.info({ tenants: founded.length }, 'founding officers written for tenants created before users');
    if (witnessPolicy !== undefined) checkPolicyNamesLog(witnessPolicy, ledger);
    const witnesser = witnessPolicy === undefined ? undefined : await Witnesser.open(ledger, {
      policy: witnessPolicy,
      ...(witnessIntervalMs === undefined ? {} : { intervalMs: witnessIntervalMs }),
      ...(witnessTimeoutMs === undefined ? {} : { timeoutMs: witnessTimeoutMs }),
      ...(log === undefined ? {} : { log }),
    });
    const anchorer = await Anchorer.open(ledger, {
      tsaUrls: tsaUrls ?? [],
      roots: tsaRoots ?? [],
      intervalMs: anchorIntervalMs ?? 60_000,
      ...(tsaRevocation === undefined ? {} : { revocation: tsaRevocation }),
      ...(log === undefined ? {} : { log }),
      ...(witnesser === undefined ? {} : { witnessed: witnesser }),
    });
    const pool = workers === undefined || workers === 0 ? undefined : new WorkerPool(workerScript(), workers);
    const deposits = new Deposits(ledger, anchorer, pool, witnesser);
    // In the background: until the digest filter is loaded, idempotency lookups all go to LevelDB.
    void ledger.index.loadFilter();
    return {
      ledger, tenants, users, deposits, inventory: new Inventory(ledger), adminToken, anchorer,
      ...(pool === undefined ? {} : { pool }), ...(witnesser === undefined ? {} : { witnesser }),
    };
  } catch (e) {
    await ledger.close();
    throw e;
  }
}

/** The policy must list this log's key(s) among its logs: a policy for another log would cosign nothing of ours. */
function checkPolicyNamesLog(policy: Policy, ledger: Ledger): void {
  const sm2 = ledger.sm2VerifierKey;
  const ours = [ledger.verifierKey, ...(sm2 === undefined ? [] : [sm2])].map((k) => parseVerifierKey(k));
  const same = (a: NoteVerifier, b: NoteVerifier): boolean =>
    a.name === b.name && a.type === b.type && a.publicKey.length === b.publicKey.length && a.publicKey.every((x, i) => x === b.publicKey[i]);
  if (!ours.some((k) => policy.logs.some((l) => same(k, l.verifier)))) {
    throw new CunzhengError('WITNESS_POLICY_OTHER_LOG', `the witness policy lists no key of this log: add the line "log ${ledger.verifierKey}"`, {
      details: { key: ledger.verifierKey },
    });
  }
}

/** Stops witnessing and anchoring, commits what is queued and closes the ledger, then ends the worker threads. */
export async function closeService(ctx: ServiceContext): Promise<void> {
  await ctx.witnesser?.stop();
  await ctx.anchorer.stop();
  await ctx.ledger.close();
  await ctx.pool?.close();
}

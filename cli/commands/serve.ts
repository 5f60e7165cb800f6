/**
 * `cunzheng serve`: the deposit service on an embedded default (LevelDB in ./data, a generated log key).
 *
 * Order matters: every flag is checked, the port probed and the data folder checked before anything is
 * created, so a mistake exits 2 with one line and leaves the disk as it was (serve-checks.ts). The umask is
 * 0077 from the start: the ledger's files, the log key and the admin token are the operator's alone, even in
 * a data folder someone made 0755 beforehand.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { autoWorkers } from '../../src/workers/pool.js';
import { UsageError } from '../exit-codes.js';
import { isUsageCode } from '../report-error.js';
import { loadTsaRoots } from '../trust.js';
import { checkLogLevel, checkOrigin, checkTsaUrls, loadWitnessPolicy, prepareDataDir, probePort, wholeNumber } from './serve-checks.js';

export interface ServeFlags {
  data: string;
  host: string;
  port: string;
  origin?: string;
  adminToken?: string;
  maxUpload: string;
  rateLimit: string;
  logLevel: string;
  tsa: string[];
  tsaRoots?: string;
  /** OCSP responder / CRL URL for the TSA certificate's revocation evidence, before its AIA/CDP. */
  tsaOcsp?: string;
  tsaCrl?: string;
  anchorInterval: string;
  tileCache: string;
  maxInflight: string;
  maxTenantInflight: string;
  maxConnections: string;
  workers: string;
  witnessPolicy?: string;
  /** Sign every checkpoint with the SM2 key in <data>/log-sm2.key too (created on first use). */
  sm2?: boolean;
}

async function asUsage<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`cannot start: ${e.code}: ${e.message}`);
    throw e;
  }
}

export async function runServe(flags: ServeFlags): Promise<void> {
  process.umask(0o077);
  // 1. Every flag, before anything touches the disk or the network.
  const port = wholeNumber(flags.port, '--port', 0, 65535);
  // At least one tile; at most 2^20 (16 GiB), far beyond any sensible setting and a guard against typos.
  const tileCacheTiles = wholeNumber(flags.tileCache, '--tile-cache', 1, 1 << 20);
  const maxUploadBytes = wholeNumber(flags.maxUpload, '--max-upload', 1);
  const rateLimitPerMinute = wholeNumber(flags.rateLimit, '--rate-limit', 1);
  const maxInFlightBytes = wholeNumber(flags.maxInflight, '--max-inflight', 1 << 20);
  const maxTenantInFlightBytes = wholeNumber(flags.maxTenantInflight, '--max-tenant-inflight', 1 << 20);
  const maxConnections = wholeNumber(flags.maxConnections, '--max-connections', 1);
  // auto: one thread per core beside the main one (at least one): the sequencer stays on the main thread.
  const workers = flags.workers === 'auto' ? autoWorkers(availableParallelism()) : wholeNumber(flags.workers, '--workers', 0, 64);
  const anchorIntervalMs = wholeNumber(flags.anchorInterval, '--anchor-interval', 1, 365 * 86_400) * 1000;
  const logLevel = checkLogLevel(flags.logLevel);
  checkOrigin(flags.origin);
  checkTsaUrls(flags.tsa);
  if (flags.tsaOcsp !== undefined) checkTsaUrls([flags.tsaOcsp], '--tsa-ocsp');
  if (flags.tsaCrl !== undefined) checkTsaUrls([flags.tsaCrl], '--tsa-crl');
  if ((flags.tsaOcsp !== undefined || flags.tsaCrl !== undefined) && flags.tsa.length === 0) {
    throw new UsageError('--tsa-ocsp and --tsa-crl need --tsa URL: they are for the TSA certificate');
  }
  // A given token is checked without touching the disk (the service would check it only after opening the ledger).
  if (flags.adminToken !== undefined) {
    const { loadAdminToken } = await import('../../src/service/admin-token.js');
    await asUsage(loadAdminToken('', flags.adminToken));
  }
  const tsaRoots = loadTsaRoots(flags.tsaRoots);
  if (flags.tsa.length > 0 && tsaRoots.length === 0) {
    throw new UsageError('--tsa needs --tsa-roots PEM: the TSA roots its replies must chain to');
  }
  const witnessPolicy = flags.witnessPolicy === undefined ? undefined : loadWitnessPolicy(flags.witnessPolicy);
  // 2. The port (a busy one is the commonest mistake) and the data folder.
  await probePort(flags.host, port); // port 0 too: an unknown --host is found here
  const dataDir = resolve(flags.data);
  const plan = await prepareDataDir(dataDir);
  // The service (fastify, the ledger) is loaded once every check has passed: a refused start stays quick.
  const { closeOnSignals, startServer } = await import('../../src/http/server.js');
  const { DEFAULT_ORIGIN, SM2_KEY_FILE } = await import('../../src/ledger/index.js');

  let server;
  try {
    server = await startServer({
      dataDir,
      host: flags.host,
      port,
      ...(flags.origin === undefined ? {} : { origin: flags.origin }),
      ...(flags.adminToken === undefined ? {} : { adminToken: flags.adminToken }),
      maxUploadBytes,
      rateLimitPerMinute,
      logLevel,
      tsaUrls: flags.tsa,
      tsaRoots,
      tsaRevocation: { ...(flags.tsaOcsp === undefined ? {} : { ocspUrl: flags.tsaOcsp }), ...(flags.tsaCrl === undefined ? {} : { crlUrl: flags.tsaCrl }) },
      anchorIntervalMs,
      tileCacheTiles,
      maxInFlightBytes,
      maxTenantInFlightBytes,
      maxConnections,
      workers,
      ...(witnessPolicy === undefined ? {} : { witnessPolicy }),
      ...(flags.sm2 === true ? { sm2KeyPath: join(dataDir, SM2_KEY_FILE) } : {}),
    });
  } catch (e) {
    await plan.undo();
    // A mistake (another origin than the log's, a data folder in use) is exit 2; a damaged data folder is 3.
    if (e instanceof CunzhengError) {
      if (isUsageCode(e.code) || e.code === 'WITNESS_POLICY_OTHER_LOG') throw new UsageError(`cannot start: ${e.code}: ${e.message}`);
      throw new CunzhengError(e.code, `cannot start: ${e.message}`, { cause: e });
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`cannot start: ${flags.host}:${port} is already in use; choose another --port`);
    if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'EPERM') {
      throw new UsageError(`cannot start: the data folder ${dataDir}: ${code}: ${(e as Error).message}`);
    }
    throw e;
  }
  const { ctx, logger, url } = server;
  const origin = ctx.ledger.origin;
  logger.info({ url, origin, verifierKey: ctx.ledger.verifierKey, ...(ctx.ledger.sm2VerifierKey === undefined ? {} : { sm2VerifierKey: ctx.ledger.sm2VerifierKey }), treeSize: ctx.ledger.treeSize, data: dataDir }, 'cunzheng is serving');
  if (ctx.adminToken.created) {
    process.stderr.write(`cunzheng: a new admin token was written to ${ctx.adminToken.path} (mode 0600); it is printed nowhere else.\n`);
  }
  const lines = [
    `cunzheng: serving ${url} (API docs at ${url}/docs), data in ${dataDir}`,
    `cunzheng: log origin: ${origin}`,
    `cunzheng: log verifier key (give it to verifiers out of band):`,
    `  ${ctx.ledger.verifierKey}`,
  ];
  if (ctx.ledger.sm2VerifierKey !== undefined) {
    lines.push(`cunzheng: log SM2 verifier key (every checkpoint from now on also carries its line; ${join(dataDir, SM2_KEY_FILE)}):`, `  ${ctx.ledger.sm2VerifierKey}`);
  }
  if (plan.firstStart) {
    lines.push(`cunzheng: a new log was created: its origin ${JSON.stringify(origin)} is now fixed for ${dataDir} (it names every checkpoint and the key).`);
    if (flags.origin === undefined && origin === DEFAULT_ORIGIN) {
      lines.push(`cunzheng: ${DEFAULT_ORIGIN} is the development default; for a real log start a new data folder with --origin <your.domain/log-name>.`);
    }
  }
  if (witnessPolicy !== undefined) {
    lines.push(`cunzheng: witnesses (quorum ${witnessPolicy.quorum}; cosigned checkpoints are served at /checkpoint):`);
    for (const w of witnessPolicy.witnesses) lines.push(`  ${w.name} ${w.url ?? '(no URL: listed, not asked)'}`);
  }
  process.stderr.write(lines.join('\n') + '\n');
  closeOnSignals(server);
  await new Promise<never>(() => undefined); // runs until a signal closes it
}

/** `cunzheng serve`: the deposit service on an embedded default (LevelDB in ./data, a generated dev key). */
import { resolve } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { closeOnSignals, startServer } from '../../src/http/server.js';
import { UsageError } from '../exit-codes.js';
import { loadTsaRoots } from '../trust.js';

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
  anchorInterval: string;
  tileCache: string;
}

function positiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > max) throw new UsageError(`${flag} must be a whole number up to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const port = positiveInt(flags.port, '--port', 65535);
  // At least one tile; at most 2^20 (16 GiB), far beyond any sensible setting and a guard against typos.
  const tileCacheTiles = positiveInt(flags.tileCache, '--tile-cache', 1 << 20);
  if (tileCacheTiles < 1) throw new UsageError('--tile-cache must be at least 1');
  let server;
  try {
    server = await startServer({
      dataDir: resolve(flags.data),
      host: flags.host,
      port,
      ...(flags.origin === undefined ? {} : { origin: flags.origin }),
      ...(flags.adminToken === undefined ? {} : { adminToken: flags.adminToken }),
      maxUploadBytes: positiveInt(flags.maxUpload, '--max-upload'),
      rateLimitPerMinute: positiveInt(flags.rateLimit, '--rate-limit'),
      logLevel: flags.logLevel,
      tsaUrls: flags.tsa,
      tsaRoots: loadTsaRoots(flags.tsaRoots),
      anchorIntervalMs: positiveInt(flags.anchorInterval, '--anchor-interval') * 1000,
      tileCacheTiles,
    });
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`cannot start: ${e.code}: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`cannot start: ${flags.host}:${port} is already in use`);
    throw e;
  }
  const { ctx, logger, url } = server;
  logger.info({ url, origin: ctx.ledger.origin, verifierKey: ctx.ledger.verifierKey, treeSize: ctx.ledger.treeSize, data: resolve(flags.data) }, 'cunzheng is serving');
  if (ctx.adminToken.created) {
    process.stderr.write(`cunzheng: a new admin token was written to ${ctx.adminToken.path} (mode 0600); it is printed nowhere else.\n`);
  }
  process.stderr.write(`cunzheng: serving ${url} (API docs at ${url}/docs); log verifier key:\n  ${ctx.ledger.verifierKey}\n`);
  closeOnSignals(server);
  await new Promise<never>(() => undefined); // runs until a signal closes it
}

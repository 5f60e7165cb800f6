/**
 * The listening server: opens the data directory, builds the app, listens, and shuts down gracefully on
 * SIGTERM/SIGINT: stop accepting, answer the requests in flight, flush the sequencer, close LevelDB.
 */
import pino, { type Logger } from 'pino';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, requestSerializers } from './app.js';
import { closeService, openService, type ServiceOptions } from '../service/open.js';
import type { AppOptions, ServiceContext } from './context.js';

export interface ServerOptions extends ServiceOptions, AppOptions {
  host: string;
  port: number;
  logLevel?: string;
  /** Milliseconds for a whole request to arrive (default 15 minutes). */
  requestTimeoutMs?: number;
  /** Milliseconds for the request headers to arrive (default 30 s). */
  headersTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection is kept open (default 72 s: beyond the usual 60 s of proxies). */
  keepAliveTimeoutMs?: number;
  /**
   * Open connections at most (default 2048); node closes those beyond at once. Keep it below the process's
   * file-descriptor limit (`ulimit -n`), which LevelDB shares.
   */
  maxConnections?: number;
  /** Pretty logs (default: when stdout is a TTY). */
  pretty?: boolean;
}

export const DEFAULT_MAX_CONNECTIONS = 2048;

export interface RunningServer {
  app: FastifyInstance;
  ctx: ServiceContext;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

export function makeLogger(level = 'info', pretty = process.stdout.isTTY === true): Logger {
  const options = {
    level,
    serializers: requestSerializers,
    // Belt and braces: should a header ever be logged, its secrets are not.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', 'token'], censor: '[redacted]' },
  };
  return pretty ? pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 1, translateTime: 'SYS:standard' } } }) : pino(options);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = makeLogger(options.logLevel, options.pretty);
  const ctx = await openService({
    ...options,
    log: { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) },
  });
  let app: FastifyInstance;
  try {
    app = await buildApp(ctx, options, {
      loggerInstance: logger,
      // A whole request (headers and body) must arrive within requestTimeout: long enough for a 1 GiB upload
      // over a slow link, short enough that slow clients cannot hold sockets for ever.
      requestTimeout: options.requestTimeoutMs ?? 15 * 60_000,
      // How often Node looks for requests past their header/request deadlines (its default is 30 s).
      http: { connectionsCheckingInterval: Math.min(5_000, options.headersTimeoutMs ?? 30_000) },
      connectionTimeout: 0,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 72_000,
    } as FastifyServerOptions);
    // Headers must arrive quickly (slowloris); Node checks this on its own timer.
    app.server.headersTimeout = options.headersTimeoutMs ?? 30_000;
    app.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    await app.listen({ host: options.host, port: options.port });
    ctx.anchorer.start();
    ctx.witnesser?.start();
  } catch (e) {
    await closeService(ctx);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Stops accepting and waits for the requests in flight. A keep-alive connection that was busy when
      // closing began would stay open after its response until the keep-alive timeout: reap idle ones.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
      } finally {
        clearInterval(reaper);
      }
      await closeService(ctx); // commits what is queued, closes LevelDB, ends the worker threads
    })());
  return { app, ctx, url, logger, close };
}

/** Runs until SIGTERM/SIGINT, then closes gracefully; a second signal exits at once. */
export function closeOnSignals(server: RunningServer): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) process.exit(130);
    server.logger.info({ signal }, 'shutting down: finishing requests in flight, flushing the ledger');
    server.close().then(
      () => {
        server.logger.info('ledger closed; bye');
        server.logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(3);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

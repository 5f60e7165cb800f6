/**
 * `cunzheng witness serve` and `cunzheng witness key`: a C2SP tlog-witness (src/witness/README.md).
 *
 *   witness serve --data DIR [--name NAME] --log VKEY… [--host 127.0.0.1] [--port 7380] [--log-level info]
 *   witness key   --data DIR [--name NAME]        prints the witness's verifier key (creates the key with --name)
 *
 * Order as in `serve`: every flag is checked and the port probed before anything is created, so a mistake
 * exits 2 with one line and leaves the disk as it was. The umask is 0077 (the key and the state are the
 * operator's alone). SIGTERM/SIGINT: stop accepting, finish the requests in flight, close the state.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CunzhengError } from '../../src/errors.js';
import { assertKeyName } from '../../src/note/index.js';
import { UsageError } from '../exit-codes.js';
import { checkLogLevel, prepareDataDir, probePort, wholeNumber } from './serve-checks.js';

export const DEFAULT_WITNESS_PORT = '7380';

export interface WitnessServeFlags {
  data: string;
  name?: string;
  log: string[];
  host: string;
  port: string;
  logLevel: string;
}

/** Codes that mean the operator started it wrongly (exit 2); anything else (a damaged state) exits 3. */
const USAGE = new Set(['WITNESS_BAD_LOG_KEY', 'WITNESS_KEY_NAME_MISMATCH', 'WITNESS_KEY_MISSING', 'WITNESS_KEY_INVALID', 'WITNESS_KEY_UNREADABLE', 'WITNESS_STATE_LOCKED', 'BAD_KEY_NAME']);

function asUsage(e: unknown): unknown {
  if (e instanceof CunzhengError && USAGE.has(e.code)) return new UsageError(`cannot start: ${e.code}: ${e.message}`);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'EPERM') return new UsageError(`cannot start: ${code}: ${(e as Error).message}`);
  return e;
}

function checkName(name: string | undefined): void {
  if (name === undefined) return;
  try {
    assertKeyName(name);
  } catch (e) {
    throw new UsageError(`--name ${JSON.stringify(name.slice(0, 100))} is not a key name: ${(e as Error).message}`);
  }
}

export async function runWitnessServe(flags: WitnessServeFlags): Promise<void> {
  process.umask(0o077);
  // Imported here, not at start-up: the witness's server (fastify) and its state (level) are this command's only.
  const { WITNESS_KEY_FILE, openWitness, startWitnessServer, trustedLogs } = await import('../../src/witness/index.js');
  const { default: pino } = await import('pino');
  const port = wholeNumber(flags.port, '--port', 0, 65535);
  const level = checkLogLevel(flags.logLevel);
  checkName(flags.name);
  if (flags.log.length === 0) throw new UsageError('--log VKEY is required: the verifier key of a log this witness follows (repeatable)');
  try {
    trustedLogs(flags.log);
  } catch (e) {
    throw asUsage(e);
  }
  await probePort(flags.host, port);
  const dataDir = resolve(flags.data);
  const plan = await prepareDataDir(dataDir);
  let opened;
  try {
    opened = await openWitness({ dataDir, ...(flags.name === undefined ? {} : { name: flags.name }), logs: flags.log });
  } catch (e) {
    await plan.undo();
    throw asUsage(e);
  }
  const logger = pino({ level, base: { witness: opened.key.signer.name } });
  let server;
  try {
    server = await startWitnessServer(opened.witness, { host: flags.host, port, logger });
  } catch (e) {
    await opened.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`cannot start: ${flags.host}:${port} is already in use; choose another --port`);
    throw e;
  }
  const { witness, key } = opened;
  logger.info({ url: server.url, vkey: key.vkey, logs: witness.origins, keyCreated: key.created }, 'witness is serving');
  const lines = [
    `cunzheng witness: serving ${server.url} (POST ${server.url}/add-checkpoint), data in ${dataDir}`,
    `cunzheng witness: ${key.created ? 'a new witness key was written to ' + join(dataDir, WITNESS_KEY_FILE) + ' (mode 0600); its' : 'its'} verifier key, for the logs' policies:`,
    `  ${key.vkey}`,
    `cunzheng witness: following ${witness.origins.length} log(s):`,
    ...witness.origins.map((o) => `  ${o} (cosigned size ${witness.state.get(o)?.size ?? 'none yet'})`),
  ];
  process.stderr.write(lines.join('\n') + '\n');
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(130);
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(() => opened.close()).then(
      () => {
        logger.info('witness state closed; bye');
        logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: { message: (err as Error).message } }, 'shutdown failed');
        process.exit(3);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await new Promise<never>(() => undefined); // runs until a signal closes it
}

export async function runWitnessKey(flags: { data: string; name?: string }, stdout: (s: string) => void): Promise<number> {
  process.umask(0o077);
  const { WITNESS_KEY_FILE, loadOrCreateWitnessKey } = await import('../../src/witness/index.js');
  checkName(flags.name);
  const dataDir = resolve(flags.data);
  let key;
  try {
    if (flags.name !== undefined) await prepareDataDir(dataDir);
    key = await loadOrCreateWitnessKey(join(dataDir, WITNESS_KEY_FILE), flags.name);
  } catch (e) {
    if (e instanceof CunzhengError && e.code === 'WITNESS_KEY_MISSING') throw new UsageError(`no witness key in ${dataDir}: give --name NAME to create one (or start witness serve --name NAME)`);
    throw asUsage(e);
  }
  if (key.created) process.stderr.write(`cunzheng witness: a new witness key was written to ${join(dataDir, WITNESS_KEY_FILE)} (mode 0600)\n`);
  stdout(key.vkey);
  return 0;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerWitnessCommands(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  const witness = program.command('witness').description('run a C2SP tlog-witness: cosign a log\'s checkpoints after checking that each extends the last one cosigned');
  witness
    .command('serve')
    .description('serve POST /add-checkpoint and GET /<origin hash>/checkpoint (the key is created on first start, 0600; the state is LevelDB in --data)')
    .addOption(new Option('--data <dir>', 'data directory (witness.key and state/)').env('CUNZHENG_WITNESS_DATA').makeOptionMandatory())
    .addOption(new Option('--name <name>', 'the witness\'s key name, e.g. witness.example.com/w1 (required on first start)').env('CUNZHENG_WITNESS_NAME'))
    .addOption(new Option('--log <vkey>', 'the verifier key of a log to follow, named after its origin (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--host <host>', 'address to listen on').env('CUNZHENG_WITNESS_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('CUNZHENG_WITNESS_PORT').default(DEFAULT_WITNESS_PORT))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug').env('CUNZHENG_LOG_LEVEL').default('info'))
    .action(async (flags: WitnessServeFlags) => {
      await runWitnessServe(flags);
    });
  witness
    .command('key')
    .description('print the witness\'s verifier key (for a log\'s policy); with --name, create the key if there is none')
    .addOption(new Option('--data <dir>', 'data directory').env('CUNZHENG_WITNESS_DATA').makeOptionMandatory())
    .addOption(new Option('--name <name>', 'create a key with this name if there is none').env('CUNZHENG_WITNESS_NAME'))
    .action(async (flags: { data: string; name?: string }) => {
      setExit(await runWitnessKey(flags, stdout));
    });
}

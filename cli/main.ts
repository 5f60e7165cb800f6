#!/usr/bin/env -S node --max-semi-space-size=64
// The young generation is raised to 64 MiB: a deposit allocates heavily (entry, receipt, proof), and with
// the default semi-space the scavenger ran 3× as often; measured +26% single deposits/s over HTTP.
/**
 * cunzheng — the command line. Exit codes: 0 ok, 1 verification failed / problems found, 2 usage, 3 internal.
 * `--json` puts the machine result on stdout; progress and logs go to stderr.
 */
import { Command, Option } from 'commander';
import { EXIT_OK } from './exit-codes.js';
// Each command's module is imported when that command runs: the service (fastify), the ledger (level), the
// receipt's schema (typebox) would otherwise load for every command, --help and every usage mistake.
import type { runServe } from './commands/serve.js';
import type { runAudit } from './commands/audit.js';
import type { runUpgrade } from './commands/upgrade.js';
import type { runDeposit } from './commands/deposit.js';
import { registerTenantCommands, runTenantAdd } from './commands/tenant.js';
import { registerUserCommands } from './commands/user.js';
import { registerEventCommands } from './commands/event.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerInventoryCommands } from './commands/inventory.js';
import { registerWitnessCommands } from './commands/witness.js';
import { registerCertificateCommand } from './commands/certificate.js';
import { registerEvidenceCommand } from './commands/evidence.js';
import { loadClientConfig } from './config.js';
import { reportError } from './report-error.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const envList = (name: string): string[] => (process.env[name] ?? '').split(/\s+/).filter(Boolean);
const stdout = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cunzheng')
    .description('存证 cunzheng — deposit document fingerprints in a signed append-only ledger; verify receipts offline')
    .version('0.1.0')
    .exitOverride()
    // One line per mistake, with the hint on it: `cunzheng: unknown option '--x' (cunzheng --help for usage)`.
    .configureOutput({ outputError: (text, write) => write(`cunzheng: ${text.replace(/^error: /, '').trim()} (cunzheng --help for usage)\n`) });

  program
    .command('verify')
    .description('verify receipts offline: inclusion in the signed ledger, and the document when --file is given')
    .argument('<receipt...>', 'receipt files (*.receipt.json), certificates (*.pdf, cunzheng certificate), evidence packages (*.zip, cunzheng evidence), or folders to search for receipts')
    .option('--file <doc>', 'the original document: its SHA-256 (and SM3) must match every receipt given')
    .option('--documents <dir>', 'where the documents are, for receipts mirrored with deposit --out (default: beside each receipt)')
    .addOption(new Option('--require-documents', 'fail (exit 1) for every receipt checked without its document').env('CUNZHENG_REQUIRE_DOCUMENTS'))
    .addOption(new Option('--key <vkey>', 'a trusted log verifier key (repeatable; env CUNZHENG_KEY, space-separated)').argParser(collect).default([]))
    .addOption(new Option('--trust <file>', 'a file of trusted verifier keys, one per line (repeatable; env CUNZHENG_TRUST)').argParser(collect).default([]))
    .addOption(new Option('--tsa-roots <pem>', 'TSA root certificates: check each anchor\'s RFC 3161 token and report its time').env('CUNZHENG_TSA_ROOTS'))
    .option('--require-revocation', 'with --tsa-roots: fail an anchor that carries no revocation evidence for its TSA (TSA_REVOCATION_MISSING)')
    .option('--policy <file>', 'a C2SP tlog-policy file: the checkpoint must be signed by a listed log and cosigned by its witness quorum')
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (receipts: string[], opts: { file?: string; documents?: string; requireDocuments?: boolean; tsaRoots?: string; requireRevocation?: boolean; policy?: string; key: string[]; trust: string[]; json: boolean }) => {
      const key = opts.key.length ? opts.key : envList('CUNZHENG_KEY');
      const trust = opts.trust.length ? opts.trust : envList('CUNZHENG_TRUST');
      const { runVerify } = await import('./commands/verify.js');
      setExit(await runVerify(receipts, { ...opts, key, trust }, stdout));
    });

  program
    .command('serve')
    .description('run the deposit service (LevelDB in --data; the log key and admin token are created on first start)')
    .addOption(new Option('--data <dir>', 'data directory').env('CUNZHENG_DATA').default('./data'))
    .addOption(new Option('--host <host>', 'address to listen on').env('CUNZHENG_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('CUNZHENG_PORT').default('8080'))
    .addOption(new Option('--origin <origin>', 'the log origin (its name in checkpoints), set when the log is created').env('CUNZHENG_ORIGIN'))
    .addOption(new Option('--admin-token <token>', 'use this admin token instead of generating one').env('CUNZHENG_ADMIN_TOKEN'))
    .addOption(new Option('--max-upload <bytes>', 'largest document POST /v1/documents accepts').env('CUNZHENG_MAX_UPLOAD').default(String(1024 ** 3)))
    .addOption(new Option('--rate-limit <n>', 'requests per minute per tenant').env('CUNZHENG_RATE_LIMIT').default('1000000'))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug').env('CUNZHENG_LOG_LEVEL').default('info'))
    .addOption(new Option('--tsa <url>', 'an RFC 3161 TSA to anchor checkpoints at (repeatable; env CUNZHENG_TSA, space-separated)').argParser(collect).default([]))
    .addOption(new Option('--tsa-roots <pem>', 'PEM file of the TSA roots replies must chain to').env('CUNZHENG_TSA_ROOTS'))
    .addOption(new Option('--tsa-ocsp <url>', 'OCSP responder for the TSA certificate\'s revocation evidence, asked before the one its AIA names').env('CUNZHENG_TSA_OCSP'))
    .addOption(new Option('--tsa-crl <url>', 'CRL of the TSA certificate\'s issuer, fetched when no OCSP answer holds, before the one its CDP names').env('CUNZHENG_TSA_CRL'))
    .addOption(new Option('--anchor-interval <seconds>', 'how often to anchor the newest checkpoint when the tree has grown').env('CUNZHENG_ANCHOR_INTERVAL').default('60'))
    .addOption(new Option('--tile-cache <tiles>', 'full hash tiles kept expanded in memory for proofs: 16 KiB each, one per 256 leaves (4096 ≈ 64 MiB covers ~1M leaves)').env('CUNZHENG_TILE_CACHE').default('4096'))
    .addOption(new Option('--max-inflight <bytes>', 'request bytes in flight over all tenants before 503 SERVICE_BUSY').env('CUNZHENG_MAX_INFLIGHT').default(String(1024 ** 3)))
    .addOption(new Option('--max-tenant-inflight <bytes>', 'request bytes in flight per tenant before 503 TENANT_BUSY').env('CUNZHENG_MAX_TENANT_INFLIGHT').default(String(256 * 1024 ** 2)))
    .addOption(new Option('--max-connections <n>', 'open connections; more are closed at once (keep it below ulimit -n)').env('CUNZHENG_MAX_CONNECTIONS').default('2048'))
    .addOption(new Option('--workers <n>', "worker threads that write new deposits' receipts (0: the main thread; auto: one per core beside it)").env('CUNZHENG_WORKERS').default('auto'))
    .addOption(new Option('--witness-policy <file>', 'a C2SP tlog-policy file: its witnesses with a URL are asked to cosign every new checkpoint (its log lines must list this log\'s key)').env('CUNZHENG_WITNESS_POLICY'))
    .addOption(new Option('--sm2', 'also sign every checkpoint with an SM2 (国密) log key, <data>/log-sm2.key, created on first use').env('CUNZHENG_SM2').default(false))
    .action(async (flags: Parameters<typeof runServe>[0]) => {
      const tsa = flags.tsa.length ? flags.tsa : envList('CUNZHENG_TSA');
      const { runServe } = await import('./commands/serve.js');
      await runServe({ ...flags, tsa });
    });

  const tenant = program.command('tenant').description('manage tenants (enterprises) on a running service');
  tenant
    .command('add')
    .description('register an enterprise; prints its id and its founding officer\'s API key once')
    .requiredOption('--name <name>', 'the enterprise\'s registered name')
    .requiredOption('--uscc <code>', 'its 18-character unified social credit code')
    .addOption(new Option('--url <url>', 'the service').env('CUNZHENG_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--admin-token <token>', 'the admin token (default: read from <data>/admin-token)').env('CUNZHENG_ADMIN_TOKEN'))
    .addOption(new Option('--data <dir>', 'data directory holding admin-token').env('CUNZHENG_DATA').default('./data'))
    .option('--allow-duplicate-uscc', 'register it even though a tenant with this USCC exists (refused otherwise)', false)
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (flags: Parameters<typeof runTenantAdd>[0]) => {
      setExit(await runTenantAdd(flags, stdout));
    });
  registerTenantCommands(tenant, setExit, stdout);

  program
    .command('fsck')
    .description('check a stopped service\'s ledger offline: recompute every tile, the state and every checkpoint')
    .addOption(new Option('--data <dir>', 'data directory').env('CUNZHENG_DATA').default('./data'))
    .addOption(new Option('--key <vkey>', 'the log verifier key (default: the public half of <data>/log.key)').env('CUNZHENG_KEY'))
    .option('--json', 'print the machine-readable report on stdout', false)
    .option('--reindex', 'first rewrite every record derived from the entries (deposit index, listings, document index) from the entries; the service must be stopped', false)
    .action(async (flags: { data: string; key?: string; json: boolean }) => {
      const { runFsck } = await import('./commands/fsck.js');
      setExit(await runFsck(flags, stdout));
    });

  program
    .command('deposit')
    .description('hash files and folders locally (SHA-256 + SM3), deposit the digests and sizes (no file names unless --names), write one receipt per file; re-running deposits only changed files, as new versions (the old receipt is kept as <file>.receipt.v<N>.json)')
    .argument('<path...>', 'files and folders (.git, node_modules and receipts are skipped; links inside folders are reported and not followed)')
    .addOption(new Option('--url <url>', 'the service').env('CUNZHENG_URL'))
    .addOption(new Option('--api-key <key>', 'your tenant API key').env('CUNZHENG_API_KEY'))
    .addOption(new Option('--config <file>', 'a JSON file {"url", "apiKey"}, no other keys (default ~/.config/cunzheng/config.json)').env('CUNZHENG_CONFIG'))
    .option('--out <dir>', 'write receipts mirrored under this folder instead of beside each file')
    .addOption(new Option('--exclude <glob>', 'skip matching paths (repeatable): *, **, ?, [a-z]').argParser(collect).default([]))
    .addOption(new Option('--batch <n>', 'digests per request').default('1000'))
    .addOption(new Option('--key <vkey>', 'also verify each receipt under this trusted log key before writing it').argParser(collect).default([]))
    .option('--names', 'also send each file\'s name and relative path (they stay in the never-pruned ledger; by default only digests and sizes are sent)', false)
    .option('--title <text>', 'a title sent with every file of this run (it stays in the ledger)')
    .option('--follow-symlinks', 'follow symbolic links inside folders that lead out of them (listed on stderr; links into the folder and loops are not followed; each file is deposited once)', false)
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (paths: string[], flags: Parameters<typeof runDeposit>[1] & { config?: string }) => {
      const config = loadClientConfig(flags.config);
      const url = flags.url ?? config.url ?? 'http://127.0.0.1:8080';
      const apiKey = flags.apiKey ?? config.apiKey;
      const { runDeposit } = await import('./commands/deposit.js');
      setExit(await runDeposit(paths, { ...flags, url, ...(apiKey === undefined ? {} : { apiKey }) }, stdout));
    });

  program
    .command('audit')
    .description('check that the log only grew since the last audit (consistency proof); --full recomputes the root from every public tile')
    .addOption(new Option('--url <url>', 'the log service').env('CUNZHENG_URL').makeOptionMandatory())
    .addOption(new Option('--key <vkey>', 'the log verifier key, obtained out of band (default with --policy: the policy\'s log key)').env('CUNZHENG_KEY'))
    .addOption(new Option('--state <file>', 'where the last checkpoint seen is kept').env('CUNZHENG_AUDIT_STATE').default('cunzheng-audit-state.json'))
    .addOption(new Option('--evidence <file>', 'where to write the evidence of an inconsistency (default: cunzheng-evidence-<time>.json)'))
    .option('--full', 'download every public tile and recompute the root', false)
    .option('--policy <file>', 'a C2SP tlog-policy file: the newest checkpoint must also be cosigned by its witness quorum')
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (flags: Parameters<typeof runAudit>[0]) => {
      const { runAudit } = await import('./commands/audit.js');
      setExit(await runAudit(flags, stdout));
    });

  const receipt = program.command('receipt').description('work with receipt files');
  receipt
    .command('export')
    .description('print a receipt as a C2SP tlog-proof@v1 (inclusion and checkpoint; anchors are not part of that format), or write the RFC 4998 evidence record (DER) of its anchored checkpoint, built offline from its anchor')
    .option('--tlog-proof', 'output: the C2SP tlog-proof@v1 text')
    .option('--ers', 'output: the DER EvidenceRecord over the anchored checkpoint\'s body (to --out, or to stdout when it is not a terminal)')
    .option('--anchor <n>', 'with --ers: which of the receipt\'s anchors (0-based, default 0)')
    .option('--out <file>', 'with --ers: the file to write (atomically)')
    .argument('<receipt>', 'a receipt file')
    .action(async (path: string, flags: import('./commands/receipt.js').ReceiptExportFlags) => {
      const { runReceiptExport } = await import('./commands/receipt.js');
      setExit(runReceiptExport(path, flags, stdout));
    });
  const ers = program.command('ers').description('RFC 4998 evidence records (from receipt export --ers or GET /v1/checkpoints/<size>/evidence-record): verify through their renewals, renew');
  ers
    .command('verify')
    .description('verify an evidence record for its data object (a file, or the checkpoint body of a receipt\'s anchor) through its renewal chain, at a date: exit 0 verified, 1 not')
    .argument('<record>', 'a DER EvidenceRecord file')
    .option('--data <file>', 'the data object')
    .option('--receipt <receipt>', 'or: the receipt whose anchored checkpoint body is the data object')
    .option('--anchor <n>', 'with --receipt: which anchor (0-based, default 0)')
    .addOption(new Option('--tsa-roots <pem>', 'the TSA root certificates you trust').env('CUNZHENG_TSA_ROOTS'))
    .option('--at <date>', 'verify as of this date (YYYY-MM-DD, Beijing time, or ISO 8601 with an offset; default now): the last timestamp\'s TSA certificate must still be valid then')
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (path: string, flags: Parameters<typeof import('./commands/ers.js').runErsVerify>[1]) => {
      const { runErsVerify } = await import('./commands/ers.js');
      setExit(await runErsVerify(path, flags, stdout));
    });
  ers
    .command('renew')
    .description('renew an evidence record (RFC 4998 timestamp renewal): a new timestamp over its last one, verified with --tsa-roots, the record rewritten atomically (or written to --out)')
    .argument('<record>', 'a DER EvidenceRecord file')
    .option('--data <file>', 'the data object (the record is verified for it before and after)')
    .option('--receipt <receipt>', 'or: the receipt whose anchored checkpoint body is the data object')
    .option('--anchor <n>', 'with --receipt: which anchor (0-based, default 0)')
    .option('--tsa <url>', 'the RFC 3161 Time-Stamp Authority to renew at')
    .addOption(new Option('--tsa-roots <pem>', 'the TSA root certificates you trust').env('CUNZHENG_TSA_ROOTS'))
    .option('--out <file>', 'write the renewed record here instead of replacing <record>')
    .action(async (path: string, flags: Parameters<typeof import('./commands/ers.js').runErsRenew>[1]) => {
      const { runErsRenew } = await import('./commands/ers.js');
      setExit(await runErsRenew(path, flags, stdout));
    });
  receipt
    .command('upgrade')
    .description('refresh receipts to the log\'s newest checkpoint (verified, consistent with the old one) and rewrite them atomically; never to one that proves less: anchors are added only when --tsa-roots checks them, the ones a receipt has are kept, and the previous file is kept as X.prev.receipt.json')
    .argument('<receipt...>', 'receipt files')
    .addOption(new Option('--url <url>', 'the log service').env('CUNZHENG_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--key <vkey>', 'a trusted log verifier key (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--trust <file>', 'a file of trusted verifier keys (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--tsa-roots <pem>', 'TSA root certificates: move to the newest anchored checkpoint and add its RFC 3161 anchors, each checked (without it no anchor is added)').env('CUNZHENG_TSA_ROOTS'))
    .option('--policy <file>', 'a C2SP tlog-policy file: a receipt that meets its witness quorum is never replaced by one that does not (without it, no cosigner of the old checkpoint may be dropped)')
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (paths: string[], flags: Parameters<typeof runUpgrade>[1]) => {
      const key = flags.key.length ? flags.key : envList('CUNZHENG_KEY');
      const trust = flags.trust.length ? flags.trust : envList('CUNZHENG_TRUST');
      const { runUpgrade } = await import('./commands/upgrade.js');
      setExit(await runUpgrade(paths, { ...flags, key, trust }, stdout));
    });
  registerEventCommands(program, setExit, stdout);
  registerHistoryCommands(program, setExit, stdout);
  registerInventoryCommands(program, setExit, stdout);
  registerUserCommands(program, setExit, stdout);
  registerWitnessCommands(program, setExit, stdout);
  registerCertificateCommand(program, setExit, stdout);
  registerEvidenceCommand(program, setExit, stdout);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e);
  }
}

// A closed pipe (`cunzheng verify … | head`) is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
// An error thrown outside the command's promise (an event handler, a timer) is reported the same way.
process.on('uncaughtException', (e) => {
  process.exit(reportError(e));
});
process.exitCode = await main(process.argv.slice(2));

/**
 * `cunzheng event <kind> FILE|ID [--level L] [--period P] [--basis T] [--measures a,b] [--reason T]
 *                 [--method T] [--who REF] [--role R] [--returned ID,…] [--destroyed ID,…] [--record FILE]
 *                 [--out DIR] [--key VKEY] [--json]`
 * Records a lifecycle event (定密、隐密、解密、销毁, access, departure audit) of a deposited document.
 * FILE is hashed here and found by its SHA-256 among the tenant's deposits; an ID (32 hex) names the deposit
 * directly. `--record FILE` — the signed 定密审批表, the destruction certificate — is hashed here too (SHA-256,
 * SM3 and size): the file itself is never sent. The event's receipt is written beside FILE as
 * `<file>.<kind>.<n>.receipt.json` (n = the first number not taken; under --out DIR when given) and, with
 * --key, verified under that log key first. Mistakes exit 2 with one line.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Command, Option } from 'commander';
import type { Receipt } from '../../src/receipt/index.js';
import { hashFile } from '../local/hash-file.js';
import { EXIT_OK, UsageError } from '../exit-codes.js';
import { HttpStatusError, requestJson, type RequestOptions } from '../http-client.js';
import { CunzhengError } from '../../src/errors.js';
import { clientOf, clientOptions } from '../client.js';

/** The kinds an event may have (every entry kind but deposit). */
export const EVENT_KINDS = ['classify', 'reclassify', 'conceal', 'declassify', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'] as const;

const ID_RE = /^[0-9a-fA-F]{32}$/;

export interface EventFlags {
  url?: string;
  apiKey?: string;
  config?: string;
  level?: string;
  period?: string;
  basis?: string;
  measures?: string;
  reason?: string;
  method?: string;
  who?: string;
  role?: string;
  returned?: string;
  destroyed?: string;
  record?: string;
  out?: string;
  key: string[];
  json: boolean;
}

/** requestJson with the API key; a refusal (4xx) is the caller's mistake: one line, exit 2. */
export async function callApi<T>(url: URL, apiKey: string, opts: RequestOptions = {}): Promise<T> {
  try {
    return (await requestJson<T>(url, { ...opts, headers: { ...opts.headers, authorization: `Bearer ${apiKey}` } })).json;
  } catch (e) {
    if (e instanceof HttpStatusError && e.status === 401) throw new UsageError('the service refused the API key (401)');
    if (e instanceof HttpStatusError && e.status >= 400 && e.status < 500) throw new UsageError(e.message);
    throw e;
  }
}

/** A local file's digests; a file that cannot be read is the caller's mistake (exit 2). */
export async function hashLocal(path: string, what: string): Promise<{ sha256: string; sm3: string; size: number }> {
  try {
    const d = await hashFile(path);
    return { sha256: d.sha256, sm3: d.sm3, size: d.size };
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`${what} ${path}: ${e.message}`);
    throw e;
  }
}

/** What FILE|ID names: a deposit id, or a regular file to hash and look up (a file wins over an id-shaped name). */
export type Target = { kind: 'id'; id: string } | { kind: 'file'; path: string };

export function targetOf(arg: string): Target {
  if (existsSync(arg)) {
    if (!statSync(arg).isFile()) throw new UsageError(`${arg}: not a regular file`);
    return { kind: 'file', path: arg };
  }
  if (ID_RE.test(arg)) return { kind: 'id', id: arg.toLowerCase() };
  throw new UsageError(`${arg}: no such file, and not a deposit id (32 hex characters)`);
}

/** The deposit id a target names: a file's is found by its SHA-256 (GET /v1/deposits?sha256=). */
export async function resolveTarget(t: Target, base: string, apiKey: string): Promise<{ id: string; sha256?: string }> {
  if (t.kind === 'id') return { id: t.id };
  const digest = await hashLocal(t.path, 'file');
  const url = new URL(`v1/deposits?sha256=${digest.sha256}`, base);
  // The receipt module (with its schema) is loaded by the commands that need it, not at every start-up.
  const { parseReceipt } = await import('../../src/receipt/index.js');
  try {
    return { id: parseReceipt(await callApi<Receipt>(url, apiKey)).id, sha256: digest.sha256 };
  } catch (e) {
    if (e instanceof UsageError && / 404 /.test(e.message)) throw new UsageError(`${t.path}: not deposited (no deposit of SHA-256 ${digest.sha256}); cunzheng deposit it first`);
    throw e;
  }
}

function list(value: string | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag}: a comma-separated list without empty items`);
  return items;
}

/** Which flags each kind takes; any other given is a mistake. */
const FLAGS_OF: Record<(typeof EVENT_KINDS)[number], readonly (keyof EventFlags)[]> = {
  classify: ['level', 'period', 'basis'],
  reclassify: ['level', 'period', 'basis'],
  conceal: ['measures'],
  declassify: ['reason'],
  destroy: ['reason', 'method'],
  'access-grant': ['who', 'role'],
  'access-revoke': ['who', 'role'],
  'departure-audit': ['who', 'returned', 'destroyed'],
};
const FIELD_FLAGS = ['level', 'period', 'basis', 'measures', 'reason', 'method', 'who', 'role', 'returned', 'destroyed'] as const;

/** The request body for `kind` from the flags (the server checks the fields: its codes are the answer). */
export async function eventBody(kind: string, flags: EventFlags): Promise<Record<string, unknown>> {
  if (!(EVENT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`event kind ${JSON.stringify(kind.slice(0, 40))}: expected one of ${EVENT_KINDS.join(', ')}`);
  const allowed = FLAGS_OF[kind as (typeof EVENT_KINDS)[number]];
  for (const f of FIELD_FLAGS) {
    if (flags[f] !== undefined && !allowed.includes(f)) throw new UsageError(`--${f} does not belong to ${kind} (it takes ${allowed.map((a) => `--${a}`).join(', ')})`);
  }
  const body: Record<string, unknown> = { kind };
  for (const f of ['level', 'period', 'basis', 'reason', 'method', 'who', 'role'] as const) if (flags[f] !== undefined) body[f] = flags[f];
  const measures = list(flags.measures, '--measures');
  if (measures !== undefined) body.measures = measures;
  const returned = list(flags.returned, '--returned');
  if (returned !== undefined) body.returned = returned.map((s) => s.toLowerCase());
  const destroyed = list(flags.destroyed, '--destroyed');
  if (destroyed !== undefined) body.destroyed = destroyed.map((s) => s.toLowerCase());
  if (flags.record !== undefined) {
    const d = await hashLocal(flags.record, '--record');
    body.record = { sha256: d.sha256, sm3: d.sm3, size: d.size };
  }
  return body;
}

/** `<file>.<kind>.<n>.receipt.json` beside the file (or under outDir), n the first free number. */
export function eventReceiptPath(stem: string, kind: string, outDir?: string): string {
  const dir = outDir;
  for (let n = 1; ; n++) {
    const name = `${basename(stem)}.${kind}.${n}.receipt.json`;
    const path = dir === undefined ? `${stem}.${kind}.${n}.receipt.json` : join(dir, name);
    if (!existsSync(path)) return path;
  }
}

export async function runEvent(kind: string, arg: string, flags: EventFlags, out: (s: string) => void): Promise<number> {
  const body = await eventBody(kind, flags);
  const { formatReceipt, parseReceipt, verifyReceipt } = await import('../../src/receipt/index.js');
  const { writeReceiptAtomic } = await import('../local/receipt-files.js');
  const { loadTrustedKeys } = await import('../trust.js');
  const trusted = loadTrustedKeys(flags.key, []);
  const target = targetOf(arg);
  const { base, apiKey } = clientOf(flags);
  const { id, sha256 } = await resolveTarget(target, base, apiKey);
  const reply = await callApi<unknown>(new URL(`v1/deposits/${id}/events`, base), apiKey, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const receipt = parseReceipt(reply);
  if (trusted.length > 0) await verifyReceipt(receipt, trusted, sha256 === undefined ? {} : { digest: { sha256 } });
  const path = eventReceiptPath(target.kind === 'file' ? target.path : id, kind, flags.out);
  await writeReceiptAtomic(path, formatReceipt(receipt));
  if (flags.json) out(JSON.stringify({ kind, deposit: id, id: receipt.id, index: receipt.index, receipt: path, verified: trusted.length > 0 }));
  else out(`recorded ${kind} of ${target.kind === 'file' ? target.path : id} (deposit ${id}): event ${receipt.id}, receipt ${path}${trusted.length > 0 ? ' (verified)' : ''}`);
  return EXIT_OK;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `cunzheng event …` on the program. */
export function registerEventCommands(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  const event = program
    .command('event')
    .description(`record a lifecycle event of a deposited document (${EVENT_KINDS.join(', ')}); the event's receipt is written beside the file as <file>.<kind>.<n>.receipt.json`)
    .argument('<kind>', EVENT_KINDS.join(' | '))
    .argument('<target>', 'the deposited file (hashed here, found by its SHA-256) or its deposit id');
  clientOptions(event, 'your API key (an officer\'s: 保密员)')
    .option('--level <name>', 'classify/reclassify: the level (密级), e.g. 核心商密')
    .option('--period <date>', 'classify/reclassify: the secrecy period (保密期限): YYYY-MM-DD or 长期')
    .option('--basis <text>', 'classify/reclassify: the basis of the decision')
    .option('--measures <list>', 'conceal: marking,classification,isolation,encryption,sealing,access-limit,device-limit,agreement,training,other')
    .option('--reason <text>', 'declassify/destroy: why')
    .option('--method <text>', 'destroy: how it was destroyed')
    .option('--who <ref>', 'access-grant/access-revoke/departure-audit: an employee number or user id (never a name)')
    .option('--role <text>', 'access-grant/access-revoke: the person\'s role')
    .option('--returned <ids>', 'departure-audit: deposit ids returned, comma-separated')
    .option('--destroyed <ids>', 'departure-audit: deposit ids destroyed, comma-separated')
    .option('--record <file>', 'the written record of the measure (hashed here; never sent)')
    .option('--out <dir>', 'write the receipt under this folder instead of beside the file')
    .addOption(new Option('--key <vkey>', 'verify the receipt under this trusted log key before writing it').argParser(collect).default([]))
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (kind: string, target: string, flags: EventFlags) => {
      setExit(await runEvent(kind, target, flags, stdout));
    });
}

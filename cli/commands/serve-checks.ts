/**
 * What `cunzheng serve` checks before it creates anything: every flag, the port, the data folder.
 * A failed start must leave the disk as it found it (no data folder, no log key, no empty `ledger/`), so
 * all of this runs first, and DataDirPlan.undo removes whatever a start that failed later had created.
 */
import { constants, type Stats } from 'node:fs';
import { access, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { assertKeyName } from '../../src/note/index.js';
import { CunzhengError } from '../../src/errors.js';
import { parsePolicy, POLICY_LIMITS, type Policy } from '../../src/policy/index.js';
import { checkWitnessUrl } from '../../src/service/witness-client.js';
import { UsageError } from '../exit-codes.js';
import { readUserFile } from '../user-file.js';

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function wholeNumber(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > max || Number(value) < min) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function checkLogLevel(level: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  return level;
}

/** The origin names the log in every checkpoint and is its key's name: a C2SP key name. */
export function checkOrigin(origin: string | undefined): void {
  if (origin === undefined) return;
  try {
    assertKeyName(origin);
  } catch (e) {
    throw new UsageError(`--origin ${JSON.stringify(origin)} is not a valid log origin: ${(e as Error).message.replace(/^invalid key name: /, '')}`);
  }
}

export function checkTsaUrls(urls: readonly string[], flag = '--tsa'): void {
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new UsageError(`${flag} ${JSON.stringify(u)} is not a URL (expected http://… or https://…)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`${flag} ${JSON.stringify(u)}: only http:// and https:// URLs are supported`);
    }
  }
}

/** Reads and parses --witness-policy FILE; a bad file, or a witness URL the log cannot ask, is one line and exit 2. */
export function loadWitnessPolicy(path: string): Policy {
  const bytes = readUserFile(path, '--witness-policy', POLICY_LIMITS.maxBytes);
  try {
    const policy = parsePolicy(bytes);
    for (const w of policy.witnesses) if (w.url !== undefined) checkWitnessUrl(w.name, w.url);
    return policy;
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`--witness-policy ${path}: ${e.code}: ${e.message}`);
    throw e;
  }
}

/** Binds host:port and lets it go again: a busy port or an unknown host is found before anything is created. */
export async function probePort(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UsageError(`cannot start: ${host}:${port} is already in use (another cunzheng serve?); choose another --port`));
      else if (e.code === 'EACCES') reject(new UsageError(`cannot start: no permission to listen on ${host}:${port} (ports below 1024 need privileges)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(new UsageError(`cannot start: --host ${host} is not an address of this machine (${e.code})`));
      else reject(new UsageError(`cannot start: cannot listen on ${host}:${port}: ${e.code ?? e.message}`));
    });
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve()));
  });
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

export interface DataDirPlan {
  dir: string;
  /** True when the folder holds no log key yet: this start creates the log and fixes its origin. */
  firstStart: boolean;
  /** Removes what was created since prepareDataDir (the folders it made, or the new entries of an existing one). */
  undo(): Promise<void>;
}

/**
 * Makes sure `dir` is (or can become) a writable folder, creating it and any missing parents one level at a
 * time (Node's recursive mkdir loops forever under /proc), mode 0700. Throws a UsageError, with nothing
 * left behind, when that cannot be done.
 */
export async function prepareDataDir(dir: string): Promise<DataDirPlan> {
  let st: Stats | undefined;
  try {
    st = await stat(dir);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw new UsageError(`--data ${dir}: ${errno(e)}`);
  }
  if (st !== undefined) {
    if (!st.isDirectory()) throw new UsageError(`--data ${dir} exists and is not a folder`);
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw new UsageError(`--data ${dir} is not writable (${errno(e)})`);
    }
    const before = new Set(await readdir(dir).catch((e: unknown) => {
      throw new UsageError(`--data ${dir} cannot be read (${errno(e)})`);
    }));
    let firstStart = true;
    try {
      await access(join(dir, 'log.key'));
      firstStart = false;
    } catch {
      // no key yet
    }
    return {
      dir,
      firstStart,
      undo: async () => {
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!before.has(name)) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
        }
      },
    };
  }
  // Missing: find the nearest existing parent, then create each level down to `dir`.
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let pst: Stats | undefined;
    try {
      pst = await stat(d);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw new UsageError(`--data ${dir}: cannot use ${d} (${errno(e)})`);
    }
    if (pst !== undefined) {
      if (!pst.isDirectory()) throw new UsageError(`--data ${dir}: ${d} is not a folder`);
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const created: string[] = [];
  const undo = async (): Promise<void> => {
    if (created[0] !== undefined) await rm(created[0], { recursive: true, force: true }).catch(() => undefined);
  };
  for (const d of missing) {
    try {
      await mkdir(d, { mode: 0o700 });
      created.push(d);
    } catch (e) {
      await undo();
      throw new UsageError(`--data ${dir}: cannot create the folder ${d} (${errno(e)})`);
    }
  }
  return { dir, firstStart: true, undo };
}

/**
 * `cunzheng inventory [--csv] [--level L] [--status S] [--label X] [--since T] [--until T] [--lang zh|en]
 *                     [--json] [--url U] [--api-key K] [--config FILE]`
 * The tenant's 商业秘密清单 (GET /v1/inventory), every page of it: the cursor is walked until the service
 * says there is no more (a page may come back short, or empty, with a cursor: the service bounds the work
 * of one request). A table on a terminal (Chinese headers by default, aligned under CJK text), the CSV
 * the service writes (UTF-8 with BOM, for Excel) with --csv, or one JSON object with --json. The filters
 * are checked here with the service's own parser, so a bad one is exit 2 before anything is asked.
 */
import { Option, type Command } from 'commander';
import { CunzhengError } from '../../src/errors.js';
import { parseInventoryQuery } from '../../src/service/inventory-query.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from '../exit-codes.js';
import { HttpStatusError, NetworkError, requestJson, serviceUrl } from '../http-client.js';
import { loadClientConfig } from '../config.js';
import { clientOptions } from '../client.js';
import { formatInventoryTable, type TableRow } from './inventory-table.js';

export interface InventoryFlags {
  url?: string;
  apiKey?: string;
  config?: string;
  csv: boolean;
  json: boolean;
  level?: string;
  status?: string;
  label?: string;
  since?: string;
  until?: string;
  lang: string;
  /** Rows per request (1..500). */
  page: string;
}

/** Rows a table or --json holds before it stops (the CSV streams, without a limit). */
export const TABLE_MAX_ROWS = 100_000;
/** A service that hands back the same cursor, or pages without end, is stopped after this many. */
const MAX_PAGES = 1_000_000;
/** One CSV part (the service cuts its CSV long before), and how long it may take. */
const MAX_CSV_BYTES = 2 * 1024 ** 3;
const CSV_TIMEOUT_MS = 600_000;

interface Page {
  rows: TableRow[];
  examined: number;
  next: string | null;
}

function filterQuery(flags: InventoryFlags): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of ['level', 'status', 'label', 'since', 'until'] as const) {
    const v = flags[k];
    if (v !== undefined) q[k] = v;
  }
  return q;
}

function pageUrl(base: string, query: Record<string, string>, cursor: string | null): URL {
  const u = new URL('v1/inventory', base);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  if (cursor !== null) u.searchParams.set('cursor', cursor);
  return u;
}

function checkPage(json: unknown, url: URL): Page {
  const p = json as Partial<Page> | null;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.rows) || typeof p.examined !== 'number' || !(p.next === null || typeof p.next === 'string')) {
    throw new NetworkError(`${url.origin}${url.pathname}: the answer is not an inventory page`);
  }
  return p as Page;
}

/** One line for a refusal of the service: a 4xx (a filter refused, a key without the role) is the caller's to fix. */
function refused(e: HttpStatusError): number {
  process.stderr.write(`cunzheng: inventory refused: ${e.status === 401 ? 'the service refused the API key (401)' : e.message}\n`);
  return e.status < 500 ? EXIT_USAGE : EXIT_INTERNAL;
}

export async function runInventory(flags: InventoryFlags, out: (s: string) => void, write: (s: string) => void): Promise<number> {
  if (flags.csv && flags.json) throw new UsageError('--csv and --json are two outputs: choose one');
  if (flags.apiKey === undefined || flags.apiKey === '') throw new UsageError('no API key: pass --api-key K or set CUNZHENG_API_KEY');
  if (!/^[0-9]{1,3}$/.test(flags.page) || Number(flags.page) < 1 || Number(flags.page) > 500) throw new UsageError('--page must be 1 to 500');
  const query = filterQuery(flags);
  try {
    parseInventoryQuery('', { ...query, lang: flags.lang });
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`--${String(e.details?.field ?? '')} ${e.message.replace(/^[a-z]+: /, '')}`.replace(/^-- /, ''));
    throw e;
  }
  const base = serviceUrl(flags.url ?? 'http://127.0.0.1:8080');
  const headers = { authorization: `Bearer ${flags.apiKey}` };
  try {
    if (flags.csv) return await writeCsv(base, { ...query, lang: flags.lang }, headers, write);
    query.limit = flags.page;
    return await collect(base, query, headers, flags, out, write);
  } catch (e) {
    if (e instanceof HttpStatusError) return refused(e);
    throw e;
  }
}

/** Sends the bytes of `body` to `write` as text; a continuation part loses its BOM and its header line. */
async function streamPart(res: Response, continuation: boolean, write: (s: string) => void, where: string): Promise<void> {
  if (res.body === null) return;
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let skipping = continuation;
  let head = '';
  let total = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > MAX_CSV_BYTES) throw new NetworkError(`${where}: the CSV is larger than ${MAX_CSV_BYTES} bytes: refused`);
      let text = decoder.decode(chunk, { stream: true });
      if (skipping) {
        head += text;
        const eol = head.indexOf('\r\n');
        if (eol < 0) continue;
        text = head.slice(eol + 2);
        skipping = false;
      }
      if (text !== '') write(text);
    }
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new NetworkError(`${where}: the CSV was cut off: ${(e as Error).message}`);
  }
  const rest = decoder.decode();
  if (rest !== '' && !skipping) write(rest);
}

/** The CSV as the service writes it; a CSV the service cut at its cap goes on from its Cunzheng-Next cursor. */
async function writeCsv(base: string, query: Record<string, string>, headers: Record<string, string>, write: (s: string) => void): Promise<number> {
  let cursor: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const url = pageUrl(base, query, cursor);
    const where = `${url.origin}${url.pathname}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), CSV_TIMEOUT_MS);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers: { ...headers, accept: 'text/csv' }, signal: abort.signal });
      } catch (e) {
        throw new NetworkError(`cannot reach ${where}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        await requestJson(url, { headers }); // the same request as JSON gives the error's code and message
        throw new NetworkError(`${where}: answered ${res.status} to the CSV and 200 to JSON`);
      }
      const type = res.headers.get('content-type') ?? '';
      if (!/^text\/csv\b/i.test(type)) {
        await res.body?.cancel();
        throw new NetworkError(`${where}: expected text/csv, got ${JSON.stringify(type.slice(0, 60))}`);
      }
      const next = res.headers.get('cunzheng-next');
      await streamPart(res, cursor !== null, write, where);
      if (next === null || next === '') return EXIT_OK;
      if (next === cursor) throw new NetworkError(`${where}: the service handed back the same cursor`);
      cursor = next;
    } finally {
      clearTimeout(timer);
    }
  }
  throw new NetworkError(`${base}: more than ${MAX_PAGES} parts of CSV: stopped`);
}

async function collect(
  base: string, query: Record<string, string>, headers: Record<string, string>, flags: InventoryFlags,
  out: (s: string) => void, write: (s: string) => void,
): Promise<number> {
  let cursor: string | null = null;
  let examined = 0;
  let pages = 0;
  const rows: TableRow[] = [];
  let more = false;
  let written = 0;
  if (flags.json) write('{"rows":[');
  for (;;) {
    const url = pageUrl(base, query, cursor);
    const page = checkPage((await requestJson<unknown>(url, { headers })).json, url);
    pages++;
    examined += page.examined;
    for (const row of page.rows) {
      if (flags.json) write(`${written++ > 0 ? ',' : ''}${JSON.stringify(row)}`);
      else if (rows.length < TABLE_MAX_ROWS) rows.push(row);
      else more = true;
    }
    if (page.next === null) break;
    if (page.next === cursor || pages >= MAX_PAGES) throw new NetworkError(`${url.origin}${url.pathname}: the service handed back the same cursor`);
    if (!flags.json && more) break;
    cursor = page.next;
  }
  if (flags.json) {
    write(`],"examined":${examined},"pages":${pages}}\n`);
    return EXIT_OK;
  }
  const lang = flags.lang === 'en' ? 'en' : 'zh';
  out(formatInventoryTable(rows, lang));
  if (more) {
    process.stderr.write(`cunzheng: more than ${TABLE_MAX_ROWS} documents: the table shows the first ${TABLE_MAX_ROWS}; --csv or --json give them all, filters fewer\n`);
  } else {
    out(lang === 'zh' ? `共 ${rows.length} 份文档` : `${rows.length} document${rows.length === 1 ? '' : 's'}`);
  }
  return EXIT_OK;
}

export function registerInventoryCommands(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  clientOptions(program
    .command('inventory')
    .description('the tenant\'s trade-secret inventory (商业秘密清单): one row per document, every page; a table, --csv (UTF-8 with BOM, for Excel) or --json'), 'your API key (an officer or a viewer)')
    .option('--csv', 'write the CSV to stdout (as the service writes it: BOM, CRLF)', false)
    .option('--level <level>', 'only documents of this level (密级)')
    .addOption(new Option('--status <status>', 'only documents of this status').choices(['unclassified', 'classified', 'expired', 'declassified', 'destroyed']))
    .option('--label <label>', 'only documents whose latest version has this label')
    .option('--since <time>', 'only documents whose last event is at or after this RFC 3339 time')
    .option('--until <time>', 'only documents whose last event is before this RFC 3339 time')
    .addOption(new Option('--lang <lang>', 'the language of headers and words').choices(['zh', 'en']).default('zh'))
    .addOption(new Option('--page <n>', 'rows per request').default('500'))
    .option('--json', 'print the rows as one JSON object on stdout', false)
    .action(async (flags: InventoryFlags) => {
      const config = loadClientConfig(flags.config);
      const url = flags.url ?? config.url;
      const apiKey = flags.apiKey ?? config.apiKey;
      const write = (s: string): void => void process.stdout.write(s);
      setExit(await runInventory({ ...flags, ...(url === undefined ? {} : { url }), ...(apiKey === undefined ? {} : { apiKey }) }, stdout, write));
    });
}

/**
 * A document's whole life through a real server process and the built command line: deposit, classify,
 * access-grant, conceal, a new version (the changed file deposited again), reclassify, access-revoke, a
 * departure audit, declassify, destroy. Every receipt is verified offline (`cunzheng verify --file` under the
 * log key, each against the version it concerns); `cunzheng inventory` and `cunzheng history` show the right
 * status after each step; a rule violation (reclassify after destroy) is refused with its code and writes
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc, parseEntry } from '../../src/entry/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { parseReceipt } from '../../src/receipt/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { cli, type CliResult } from './run-cli.js';
import { cliAsync } from './cli-async.js';

const ADMIN = 'lifecycle-e2e-admin-token-0123456789abcdef';
let dir: string;
let server: ServerProcess;
let vkey: string;
let env: Record<string, string>;
const file = (): string => join(dir, 'formula.txt');

function run(args: string[]): CliResult {
  return cli(args, { cwd: dir, env });
}

function ok(args: string[]): string {
  const r = run(args);
  expect(r.code, `cunzheng ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

interface Row { doc: string; status: string; level?: string; period?: string; versions: number; events: number; people: string[]; measures: string[]; lastEvent: string }

async function okAsync(args: string[]): Promise<string> {
  const r = await cliAsync(args, { cwd: dir, env, timeoutMs: 30_000 });
  expect(r.code, `cunzheng ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

type History = { state: Record<string, unknown>; items: { kind: string }[] };

/** The inventory and the history at once (two processes, both only reading). */
async function inventoryAndHistory(): Promise<[Row[], History]> {
  const [inv, h] = await Promise.all([okAsync(['inventory', '--json']), okAsync(['history', 'formula.txt', '--json'])]);
  return [(JSON.parse(inv) as { rows: Row[] }).rows, JSON.parse(h) as History];
}

function inventory(): Row[] {
  return (JSON.parse(ok(['inventory', '--json'])) as { rows: Row[] }).rows;
}

function history(): { state: Record<string, unknown>; items: { kind: string }[] } {
  return JSON.parse(ok(['history', 'formula.txt', '--json'])) as { state: Record<string, unknown>; items: { kind: string }[] };
}

/** Receipts to verify, by the document (version) they concern. */
const toVerify = new Map<string, string[]>();

function verify(receipt: string, doc: string): void {
  expect(existsSync(join(dir, receipt)), receipt).toBe(true);
  toVerify.set(doc, [...(toVerify.get(doc) ?? []), receipt]);
}

/** Verifies every receipt offline against its document, under the log key only (one run per document). */
function verifyAll(): number {
  let n = 0;
  for (const [doc, receipts] of toVerify) {
    const r = cli(['verify', ...receipts, '--file', doc, '--key', vkey, '--json'], { cwd: dir });
    expect(r.code, `verify ${receipts.join(' ')} --file ${doc}\n${r.stdout}\n${r.stderr}`).toBe(0);
    n += receipts.length;
  }
  return n;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cunzheng-life-'));
  server = new ServerProcess(join(dir, 'server-data'), await freePort(), ADMIN);
  await server.start();
  vkey = ((await (await fetch(`${server.url}/v1/log`)).json()) as { key: string }).key;
  const t = cli(['tenant', 'add', '--name', '示例新能源科技有限公司', '--uscc', completeUscc('91430100MA4L16JJ'), '--url', server.url, '--admin-token', ADMIN, '--json'], { cwd: dir });
  expect(t.code, t.stderr).toBe(0);
  env = { CUNZHENG_URL: server.url, CUNZHENG_API_KEY: (JSON.parse(t.stdout) as { apiKey: string }).apiKey };
  writeFileSync(file(), 'LiPF6 1.1 mol/L in EC:EMC 3:7\n');
  writeFileSync(join(dir, 'approval.txt'), '定密审批表 No. 2026-001, signed\n');
  writeFileSync(join(dir, 'certificate.txt'), '销毁证明 No. 2026-017\n');
}, 60_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a document\'s whole life, from the command line', () => {
  it('is deposited, classified, granted, concealed, versioned, reclassified, revoked, audited, declassified and destroyed', async () => {
    ok(['deposit', 'formula.txt', '--title', '电解液配方', '--key', vkey]);
    expect(existsSync(join(dir, 'formula.txt.receipt.json'))).toBe(true);
    copyFileSync(file(), join(dir, 'formula-v1.txt'));
    let rows = inventory();
    expect(rows).toHaveLength(1);
    const doc = rows[0]!.doc;
    expect(rows[0]).toMatchObject({ status: 'unclassified', versions: 1, events: 0 });

    const steps: { args: string[]; receipt: string; against: string; want: Partial<Row>; people?: string[] }[] = [
      { args: ['classify', 'formula.txt', '--level', '核心商密', '--period', '2099-12-31', '--basis', '配方为核心技术', '--record', 'approval.txt'], receipt: 'formula.txt.classify.1.receipt.json', against: 'formula-v1.txt', want: { status: 'classified', level: '核心商密', period: '2099-12-31', lastEvent: 'classify' } },
      { args: ['access-grant', 'formula.txt', '--who', 'E1001', '--role', '工程师'], receipt: 'formula.txt.access-grant.1.receipt.json', against: 'formula-v1.txt', want: { status: 'classified', people: ['E1001'], lastEvent: 'access-grant' } },
      { args: ['conceal', 'formula.txt', '--measures', 'marking,encryption,access-limit'], receipt: 'formula.txt.conceal.1.receipt.json', against: 'formula-v1.txt', want: { measures: ['marking', 'encryption', 'access-limit'], lastEvent: 'conceal' } },
    ];
    let events = 0;
    const step = async (s: (typeof steps)[number]): Promise<void> => {
      const out = ok(['event', ...s.args, '--key', vkey]);
      expect(out).toContain(s.receipt);
      verify(s.receipt, s.against);
      events++;
      const [now, h] = await inventoryAndHistory();
      rows = now;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ doc, events, ...s.want });
      expect(h.items.at(-1)?.kind).toBe(s.args[0]);
      expect(h.state.status).toBe(rows[0]!.status === 'expired' ? 'classified' : rows[0]!.status);
    };
    for (const s of steps) await step(s);

    // A new version: the changed file deposited again; its prev names the first; the document stays one.
    writeFileSync(file(), 'LiPF6 1.2 mol/L in EC:EMC:DMC 3:5:2\n');
    ok(['deposit', 'formula.txt', '--title', '电解液配方', '--key', vkey]);
    verify('formula.txt.receipt.json', 'formula.txt');
    verify('formula.txt.receipt.v1.json', 'formula-v1.txt');
    rows = inventory();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ doc, versions: 2, status: 'classified', level: '核心商密', lastEvent: 'deposit' });
    expect(history().items.map((i) => i.kind)).toEqual(['deposit', 'classify', 'access-grant', 'conceal', 'deposit']);
    const v2 = (JSON.parse(readFileSync(join(dir, 'formula.txt.receipt.json'), 'utf8')) as { id: string }).id;
    // The new version's entry names the first version's receipt as its prev (the old receipt kept as .v1).
    const receiptAt = (name: string) => parseReceipt(readFileSync(join(dir, name)));
    expect(parseEntry(fromBase64(receiptAt('formula.txt.receipt.json').entry)).prev).toBe(receiptAt('formula.txt.receipt.v1.json').id);

    for (const s of [
      { args: ['reclassify', 'formula.txt', '--level', '重要商密', '--period', '长期'], receipt: 'formula.txt.reclassify.1.receipt.json', against: 'formula.txt', want: { status: 'classified', level: '重要商密', period: '长期' } },
      { args: ['access-revoke', 'formula.txt', '--who', 'E1001'], receipt: 'formula.txt.access-revoke.1.receipt.json', against: 'formula.txt', want: { people: [] } },
      { args: ['departure-audit', 'formula.txt', '--who', 'E1001', '--returned', v2], receipt: 'formula.txt.departure-audit.1.receipt.json', against: 'formula.txt', want: { status: 'classified', lastEvent: 'departure-audit' } },
      { args: ['declassify', 'formula.txt', '--reason', '专利公开'], receipt: 'formula.txt.declassify.1.receipt.json', against: 'formula.txt', want: { status: 'declassified', lastEvent: 'declassify' } },
      { args: ['destroy', 'formula.txt', '--reason', '保密期满', '--method', '粉碎', '--record', 'certificate.txt'], receipt: 'formula.txt.destroy.1.receipt.json', against: 'formula.txt', want: { status: 'destroyed', lastEvent: 'destroy' } },
    ]) await step(s);

    // After destroy: a reclassify is refused with its code, and nothing is written.
    const destroyed = history();
    expect(destroyed.state).toMatchObject({ status: 'destroyed', versions: 2, events: 8 });
    const before = destroyed.items.length;
    const refused = run(['event', 'reclassify', 'formula.txt', '--level', '核心商密']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('LIFECYCLE_DESTROYED');
    expect(existsSync(join(dir, 'formula.txt.reclassify.2.receipt.json'))).toBe(false);
    // Then, at once (each only reads): nothing was added, and the inventory's other outputs — a table with
    // Chinese headers, the CSV with its BOM, English on --lang en, the status filters.
    const [after, table, csv, csvEn, destroyedOnly, classifiedOnly] = await Promise.all([
      inventoryAndHistory(),
      okAsync(['inventory']),
      okAsync(['inventory', '--csv']),
      okAsync(['inventory', '--csv', '--lang', 'en']),
      okAsync(['inventory', '--status', 'destroyed', '--json']),
      okAsync(['inventory', '--status', 'classified', '--json']),
    ]);
    expect(after[1].items.length).toBe(before);
    expect(after[0][0]).toMatchObject({ status: 'destroyed', events });
    expect(table).toMatch(/^文档\s+名称\s+版本\s+密级/);
    expect(table).toContain('已销毁');
    expect(table).toContain('共 1 份文档');
    expect(csv.startsWith('\ufeff文档编号,')).toBe(true);
    expect(csv.split('\r\n').filter((l) => l !== '')).toHaveLength(2);
    expect(csvEn.startsWith('\ufeffDocument,')).toBe(true);
    expect(destroyedOnly).toContain(doc);
    expect(JSON.parse(classifiedOnly).rows).toEqual([]);

    // Every receipt, offline: 2 versions and 8 events, each against the version it concerns.
    expect(verifyAll()).toBe(2 + 8);
  }, 480_000);
});

/**
 * `cunzheng inventory`: the table (aligned by terminal columns under Chinese text, control characters and long
 * texts defused), every mistake in the flags refused with exit 2 before any request, and against a server in
 * this process: every page walked (also one row per request), the CSV continued across the service's cap with
 * one BOM and one header, and a depositor's key refused with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../cli/text-width.js';
import { cell, formatInventoryTable } from '../../cli/commands/inventory-table.js';
import { inventoryCsv, type InventoryRow } from '../../src/lifecycle/index.js';
import { Inventory } from '../../src/service/inventory.js';
import { USCC_A, createTenant, digestOf, openTestService, type TestService, type TestTenant } from '../http/helpers.js';
import { cliAsync } from './cli-async.js';

function row(over: Partial<InventoryRow>): InventoryRow {
  return {
    doc: '0'.repeat(32), latestId: '0'.repeat(32), labels: [], status: 'unclassified', peopleCount: 0, people: [], measures: [],
    lastEvent: 'deposit', lastEventTime: '2026-12-02T08:30:00.000Z', versions: 1, events: 0, created: '2026-12-02T08:30:00.000Z', ...over,
  };
}

describe('the table', () => {
  it('keeps every column aligned by terminal width under CJK, ASCII and mixed texts', () => {
    const rows = [
      row({ title: '电解液配方', level: '核心商密', period: '长期', status: 'classified', peopleCount: 12, lastEvent: 'access-grant' }),
      row({ doc: 'a'.repeat(32), filename: 'formula-v2.docx', status: 'expired', period: '2020-01-31', expiry: '2020-01-31', lastEvent: 'classify', level: 'A' }),
      row({ doc: 'b'.repeat(32), title: 'Mixed 混合 title', status: 'destroyed', lastEvent: 'destroy', versions: 12 }),
    ];
    for (const lang of ['zh', 'en'] as const) {
      const lines = formatInventoryTable(rows, lang).split('\n');
      expect(lines).toHaveLength(2 + rows.length);
      // The last column (Beijing time) starts at the same terminal column on every row, and under its header.
      const starts = lines.slice(2).map((l) => displayWidth(l.slice(0, l.search(/\d{4}-\d\d-\d\d \d\d:\d\d$/))));
      const head = lines[0]!;
      const headStart = displayWidth(head.slice(0, head.indexOf(lang === 'zh' ? '时间（北京）' : 'time (Beijing)')));
      expect(new Set(starts)).toEqual(new Set([headStart]));
      expect(lines[2]).toContain('16:30');
    }
    const zh = formatInventoryTable(rows, 'zh');
    expect(zh).toContain('已定密');
    expect(zh).toContain('已过期');
    expect(zh).toContain('知悉范围授权');
    expect(formatInventoryTable(rows, 'en')).toContain('expired');
  });

  it('defuses control characters and cuts long texts to their column', () => {
    expect(cell('a\u001b[31mred\u0007', 40)).toBe('a?[31mred?');
    const long = cell('配'.repeat(40), 30);
    expect(displayWidth(long)).toBeLessThanOrEqual(30);
    expect(long.endsWith('…')).toBe(true);
    const table = formatInventoryTable([row({ title: `\u001b]0;pwned\u0007${'长'.repeat(50)}` })], 'zh');
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('mistakes in the flags', () => {
  const noServer = { CUNZHENG_URL: 'http://127.0.0.1:9', CUNZHENG_API_KEY: 'czk_x' };
  it.each([
    [['--status', 'secret'], /secret/],
    [['--since', 'yesterday'], /--since/],
    [['--until', '2026-02-30T00:00:00Z'], /--until/],
    [['--level', ' 核心商密'], /--level/],
    [['--csv', '--json'], /--csv and --json/],
    [['--lang', 'fr'], /fr/],
    [['--page', '501'], /--page/],
  ])('%j → exit 2, one line, nothing asked', async (args, message) => {
    const r = await cliAsync(['inventory', ...args], { env: noServer });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/cannot reach/);
  });

  it('without an API key, or with no server there: exit 2', async () => {
    expect((await cliAsync(['inventory'], { env: { CUNZHENG_URL: 'http://127.0.0.1:9' } })).code).toBe(2);
    const r = await cliAsync(['inventory'], { env: noServer });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach/);
  });
});

describe('against a server', () => {
  let s: TestService;
  let a: TestTenant;
  let url: string;
  let depositorKey: string;
  const ids: string[] = [];

  beforeAll(async () => {
    s = await openTestService();
    a = await createTenant(s.app, '示例新能源科技有限公司', USCC_A);
    for (let i = 0; i < 5; i++) {
      const res = await s.app.inject({ method: 'POST', url: '/v1/deposits', headers: a.auth, payload: { sha256: digestOf(`cli inv ${i}`), meta: { title: `配方 ${i}` } } });
      ids.push((res.json() as { id: string }).id);
    }
    await s.app.inject({ method: 'POST', url: `/v1/deposits/${ids[2]}/events`, headers: a.auth, payload: { kind: 'classify', level: '核心商密', period: '长期' } });
    const u = await s.app.inject({ method: 'POST', url: '/v1/users', headers: a.auth, payload: { role: 'depositor' } });
    depositorKey = (u.json() as { apiKey: string }).apiKey;
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => s?.close());

  it('walks every page, one row per request too', async () => {
    const env = { CUNZHENG_URL: url, CUNZHENG_API_KEY: a.apiKey };
    const whole = await cliAsync(['inventory', '--json'], { env });
    expect(whole.code, whole.stderr).toBe(0);
    const got = JSON.parse(whole.stdout) as { rows: InventoryRow[]; pages: number };
    expect(got.rows.map((r) => r.doc)).toEqual(ids);
    const single = await cliAsync(['inventory', '--json', '--page', '1'], { env });
    expect(JSON.parse(single.stdout)).toMatchObject({ rows: got.rows, pages: 6 });
    const classified = await cliAsync(['inventory', '--status', 'classified'], { env });
    expect(classified.stdout).toContain(ids[2]);
    expect(classified.stdout).toContain('共 1 份文档');
  });

  it('continues a CSV the service cut at its cap: one BOM, one header, every row', async () => {
    const real = s.ctx.inventory;
    s.ctx.inventory = new Inventory(s.ctx.ledger, { csvMaxRows: 2 });
    try {
      const r = await cliAsync(['inventory', '--csv', '--lang', 'en'], { env: { CUNZHENG_URL: url, CUNZHENG_API_KEY: a.apiKey } });
      expect(r.code, r.stderr).toBe(0);
      const rows = (await real.page(a.id, { filter: {}, limit: 100, lang: 'en' })).rows;
      expect(r.stdout).toBe(inventoryCsv(rows, { header: true, lang: 'en' }));
      expect(r.stdout.match(/\ufeff/g)).toHaveLength(1);
    } finally {
      s.ctx.inventory = real;
    }
  });

  it("refuses a depositor's key with the service's code (exit 2)", async () => {
    const r = await cliAsync(['inventory'], { env: { CUNZHENG_URL: url, CUNZHENG_API_KEY: depositorKey } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ROLE_FORBIDDEN');
  });
});

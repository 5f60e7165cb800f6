/**
 * A stopped server's store, damaged or behind: `serve` refuses to start and says why (one line, exit 2)
 * instead of serving a store that lost acknowledged deposits, and `fsck` finds the same thing without
 * changing a byte of the data directory.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeUscc } from '../../src/entry/index.js';
import { sha256, toHex, utf8 } from '../../src/crypto/index.js';
import { ServerProcess, freePort } from '../support/server-process.js';
import { cli } from './run-cli.js';

const ADMIN = 'store-refusals-admin-token-0123456789';

/** Every file under `dir` with its SHA-256, size and mtime: what "not a byte changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.size} ${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

let tenantsMade = 0;

async function depositThenStop(dataDir: string, batches: number): Promise<void> {
  const server = new ServerProcess(dataDir, await freePort(), ADMIN);
  try {
    await server.start();
    const post = (path: string, token: string, body: unknown): Promise<Response> =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const t = await post('/v1/admin/tenants', ADMIN, { name: '日志测试有限公司', uscc: completeUscc(`91430100MA4L16J${tenantsMade++}`) }); // one USCC per tenant: a second registration is refused
    const { apiKey } = (await t.json()) as { apiKey: string };
    for (let b = 0; b < batches; b++) {
      const items = Array.from({ length: 50 }, (_, k) => ({ sha256: toHex(sha256(utf8(`wal ${b} ${k}`))), meta: { title: `文档 ${b}-${k}` } }));
      const r = await post('/v1/deposits', apiKey, { items });
      expect(r.status).toBe(201);
    }
  } finally {
    expect(await server.kill('SIGTERM')).toBe(0);
  }
}

describe('a flipped bit in the write-ahead log of a stopped server', () => {
  it('makes serve refuse to start (STORE_WAL_CORRUPT) and leaves the log as it was; fsck finds it and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-walflip-'));
    try {
      const data = join(dir, 'data');
      await depositThenStop(data, 20); // 1,000 acknowledged deposits, all still in the log
      const ledgerDir = join(data, 'ledger');
      const log = readdirSync(ledgerDir).find((n) => n.endsWith('.log'))!;
      const bytes = readFileSync(join(ledgerDir, log));
      expect(bytes.length).toBeGreaterThan(100_000);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x04;
      writeFileSync(join(ledgerDir, log), bytes);
      const before = snapshot(data);

      const serve = cli(['serve', '--data', data, '--port', String(await freePort()), '--admin-token', ADMIN]);
      expect(serve.code).toBe(3); // damaged data, not a usage mistake: one line, exit 3
      expect(serve.stderr).toContain('STORE_WAL_CORRUPT');
      expect(serve.stderr.trim().split('\n')).toHaveLength(1);

      const fsck = cli(['fsck', '--data', data, '--json']);
      expect(fsck.code).toBe(1);
      const report = JSON.parse(fsck.stdout) as { problems: { code: string; where: string }[] };
      expect(report.problems[0]).toMatchObject({ code: 'STORE_WAL_CORRUPT' });
      expect(report.problems[0]!.where).toContain(log);
      expect(snapshot(data)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a write-ahead log cut short (its newest groups gone, as a torn write would leave it)', () => {
  it('makes serve refuse to start (LEDGER_BEHIND_SIGNED_CHECKPOINT): the signed-checkpoint record knows how large the tree was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-walcut-'));
    try {
      const data = join(dir, 'data');
      await depositThenStop(data, 10);
      const ledgerDir = join(data, 'ledger');
      const log = readdirSync(ledgerDir).find((n) => n.endsWith('.log'))!;
      const bytes = readFileSync(join(ledgerDir, log));
      writeFileSync(join(ledgerDir, log), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const serve = cli(['serve', '--data', data, '--port', String(await freePort()), '--admin-token', ADMIN]);
      expect(serve.code).toBe(3); // damaged data, not a usage mistake: one line, exit 3
      expect(serve.stderr).toMatch(/LEDGER_BEHIND_SIGNED_CHECKPOINT: .*the ledger holds \d+ entries, but a checkpoint of 500 entries was signed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('fsck of a stopped store whose log has not been replayed', () => {
  it('passes and does not change a byte (it opens a shadow copy)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-fsck-ro-'));
    try {
      const data = join(dir, 'data');
      await depositThenStop(data, 4);
      const before = snapshot(data);
      const r = cli(['fsck', '--data', data]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^✔ .*: 200 entries/);
      expect(snapshot(data)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a store restored from an older copy', () => {
  it('makes serve refuse to start (LEDGER_BEHIND_SIGNED_CHECKPOINT) and fsck say so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunzheng-behind-'));
    try {
      const data = join(dir, 'data');
      await depositThenStop(data, 2);
      cpSync(join(data, 'ledger'), join(dir, 'ledger.old'), { recursive: true });
      await depositThenStop(data, 2);
      rmSync(join(data, 'ledger'), { recursive: true });
      renameSync(join(dir, 'ledger.old'), join(data, 'ledger'));
      const serve = cli(['serve', '--data', data, '--port', String(await freePort()), '--admin-token', ADMIN]);
      expect(serve.code).toBe(3); // damaged data, not a usage mistake: one line, exit 3
      expect(serve.stderr).toContain('LEDGER_BEHIND_SIGNED_CHECKPOINT');
      const fsck = cli(['fsck', '--data', data, '--json']);
      expect(fsck.code).toBe(1);
      expect((JSON.parse(fsck.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code)).toContain('LEDGER_BEHIND_SIGNED_CHECKPOINT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

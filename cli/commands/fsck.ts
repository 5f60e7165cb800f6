/** `cunzheng fsck --data DIR [--key VKEY] [--json]`: the store's full offline self-check; changes nothing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { fsck } from '../../src/ledger/index.js';
import { checkDerivedRecords } from '../../src/service/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';

export async function runFsck(flags: { data: string; key?: string; json: boolean }, out: (s: string) => void): Promise<number> {
  if (!existsSync(join(flags.data, 'ledger'))) throw new UsageError(`${flags.data} holds no ledger`);
  let report;
  try {
    report = await fsck(flags.data, flags.key, [async (store, problem) => {
      const s = await checkDerivedRecords(store, problem);
      return { derivedRecords: s.records, tenants: s.tenants, legacyTenants: s.legacyTenants };
    }]);
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  }
  if (flags.json) out(JSON.stringify(report, null, 2));
  else {
    const c = report.counts;
    out(`${report.ok ? '✔' : '✘'} ${flags.data}: ${report.entries} entries, ${report.tiles} tiles and ${report.checkpoints} checkpoints checked, ` +
      `${c['derivedRecords'] ?? 0} derived records and ${c['tenants'] ?? 0} tenants; tree size ${report.treeSize}`);
    for (const p of report.problems) out(`  ${p.where}: ${p.code}: ${p.message}`);
  }
  return report.ok ? EXIT_OK : EXIT_FAILED;
}

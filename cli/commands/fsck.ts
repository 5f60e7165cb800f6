/**
 * `cunzheng fsck --data DIR [--key VKEY] [--json] [--reindex]`: the store's full offline self-check; changes
 * nothing. With `--reindex`, first rewrites every record derived from the entries (deposit index, listings,
 * document index) on the stopped store, then checks as always.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CunzhengError } from '../../src/errors.js';
import { fsck } from '../../src/ledger/index.js';
import { checkDerivedRecords } from '../../src/service/index.js';
import { checkDocuments } from '../../src/service/fsck-documents.js';
import { reindex, type ReindexSummary } from '../../src/service/reindex.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';

export async function runFsck(flags: { data: string; key?: string; json: boolean; reindex?: boolean }, out: (s: string) => void): Promise<number> {
  if (!existsSync(join(flags.data, 'ledger'))) throw new UsageError(`${flags.data} holds no ledger`);
  let report;
  let rewritten: ReindexSummary | undefined;
  try {
    if (flags.reindex === true) rewritten = await reindex(flags.data);
    report = await fsck(flags.data, flags.key, [async (store, problem) => {
      const s = await checkDerivedRecords(store, problem);
      const d = await checkDocuments(store, problem);
      return { derivedRecords: s.records + d.records, tenants: s.tenants, legacyTenants: s.legacyTenants, documents: d.documents };
    }]);
  } catch (e) {
    if (e instanceof CunzhengError) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  }
  if (flags.json) out(JSON.stringify(rewritten === undefined ? report : { ...report, reindex: rewritten }, null, 2));
  else {
    if (rewritten !== undefined) {
      const per = Object.entries(rewritten.tables).filter(([, t]) => t.put + t.deleted > 0).map(([name, t]) => `${name} +${t.put} -${t.deleted}`);
      out(`reindexed ${flags.data}: ${rewritten.put} derived records written, ${rewritten.deleted} stray ones deleted${per.length > 0 ? ` (${per.join(', ')})` : ''}; entries, tree and checkpoints untouched`);
    }
    const c = report.counts;
    out(`${report.ok ? '✔' : '✘'} ${flags.data}: ${report.entries} entries, ${report.tiles} tiles and ${report.checkpoints} checkpoints checked, ` +
      `${c['derivedRecords'] ?? 0} derived records, ${c['tenants'] ?? 0} tenants and ${c['documents'] ?? 0} documents; tree size ${report.treeSize}`);
    for (const p of report.problems) out(`  ${p.where}: ${p.code}: ${p.message}`);
  }
  return report.ok ? EXIT_OK : EXIT_FAILED;
}

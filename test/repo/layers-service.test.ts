/**
 * The layers of src/ above the pure core (docs/ARCHITECTURE.md): http/ sits on service/, never the other
 * way round, and the ledger owns the storage, so nothing but ledger/ (and storage/ itself) imports it.
 * A failure lists each offending file, line and import. The checker is first shown to catch both rules on
 * a synthetic tree.
 */
import { describe, expect, it } from 'vitest';
import { describeViolations, readSourceFiles, serviceViolations, storageViolations, type SourceFiles } from './layers-rules.js';

describe('service and storage layers', () => {
  it('the checker catches both rules on a synthetic tree', () => {
    const fixture: SourceFiles = new Map([
      ['service/open.ts', "import type { HttpContext } from '../http/context.js';\nimport { LedgerStore } from '../storage/store.js';\n"],
      ['http/app.ts', "import { Tenants } from '../service/tenants.js';\nimport { keyBytes } from '../storage/keys.js';\n"],
      ['ledger/ledger.ts', "import { LedgerStore } from '../storage/store.js';\n"],
      ['storage/store.ts', "import { TAG_ENTRY } from './keys.js';\n"],
    ]);
    expect(describeViolations(serviceViolations(fixture))).toEqual([
      "src/service/open.ts:1 imports '../http/context.js (http/context.ts)': src/service/ imports nothing of src/http/",
    ]);
    expect(describeViolations(storageViolations(fixture))).toEqual([
      "src/service/open.ts:2 imports '../storage/store.js (storage/store.ts)': only src/ledger/ imports src/storage/",
      "src/http/app.ts:2 imports '../storage/keys.js (storage/keys.ts)': only src/ledger/ imports src/storage/",
    ]);
  });

  const src = readSourceFiles();

  it('(b) src/service/ imports nothing of src/http/', () => {
    expect(describeViolations(serviceViolations(src))).toEqual([]);
  });

  it('(c) only src/ledger/ (and src/storage/ itself) imports src/storage/', () => {
    expect(describeViolations(storageViolations(src))).toEqual([]);
  });
});

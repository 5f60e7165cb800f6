/**
 * The layers of src/ (docs/ARCHITECTURE.md), checked on every import and export-from statement: the pure
 * core (crypto, merkle, note, checkpoint, entry, receipt, lifecycle and what anchor/pure.ts reaches) imports no Node
 * I/O and nothing of the layers above it, and the Node-only helpers of src/node/ stand alone. A failure
 * lists each offending file, line and import. The checker is first shown to catch what it must on a
 * synthetic tree, so a passing run over src/ means something.
 */
import { describe, expect, it } from 'vitest';
import {
  describeViolations, nodeFolderViolations, parseImports, pureCoreViolations, pureFiles, readSourceFiles, type SourceFiles,
} from './layers-rules.js';

const src = readSourceFiles();

describe('the layer checker, on a synthetic tree', () => {
  const fixture: SourceFiles = new Map([
    ['crypto/hash.ts', "import { createHash } from 'node:crypto';\nimport { x } from './bytes.js';\n"],
    ['crypto/bytes.ts', '/** import { readFileSync } from \'node:fs\'; in a comment is no import */\nexport const x = 1;\n'],
    ['merkle/tile.ts', "import {\n  a,\n  b,\n} from '../storage/keys.js';\nimport type { Ledger } from '../ledger/index.js';\n"],
    ['note/note.ts', "import { readFileSync } from 'node:fs';\nimport { randomBytes } from 'node:crypto';\n"],
    ['entry/entry.ts', "export { y } from '../service/deposits.js';\nconst w = await import('node:worker_threads');\nimport 'net';\n"],
    ['receipt/verify.ts', "import { verifyTimestampToken } from '../anchor/pure.js';\nimport { ByteSlab } from '../node/slab.js';\n"],
    ['anchor/pure.ts', "export * from './verify-token.js';\n"],
    ['anchor/verify-token.ts', "import { concat } from '../crypto/bytes.js';\nimport { requestTimestamp } from './tsa-client.js';\n"],
    ['anchor/tsa-client.ts', "import { request } from 'node:http';\n"],
    ['checkpoint/signed.ts', "import { main } from '../../cli/main.js';\n"],
    ['storage/keys.ts', "import { ByteSlab } from '../node/slab.js';\nimport { readFileSync } from 'node:fs';\n"],
    ['node/slab.ts', "import { sha256 } from '../crypto/hash.js';\n"],
  ]);

  it('parses multi-line, type-only, export-from, side-effect and dynamic imports, and skips comments', () => {
    expect(parseImports('merkle/tile.ts', fixture.get('merkle/tile.ts')!).map((i) => [i.spec, i.target, i.line])).toEqual([
      ['../storage/keys.js', 'storage/keys.ts', 1],
      ['../ledger/index.js', 'ledger/index.ts', 5],
    ]);
    expect(parseImports('entry/entry.ts', fixture.get('entry/entry.ts')!).map((i) => i.builtin ?? i.target)).toEqual(['service/deposits.ts', 'worker_threads', 'net']);
    expect(parseImports('crypto/bytes.ts', fixture.get('crypto/bytes.ts')!)).toEqual([]);
  });

  it('follows anchor/pure.ts into anchor/, and so finds the TSA client it must not reach', () => {
    expect([...pureFiles(fixture)].filter((f) => f.startsWith('anchor/')).sort()).toEqual(['anchor/pure.ts', 'anchor/tsa-client.ts', 'anchor/verify-token.ts']);
  });

  it('reports every forbidden import with its file and line, and nothing else', () => {
    expect(describeViolations(pureCoreViolations(fixture)).sort()).toEqual([
      "src/anchor/tsa-client.ts:1 imports 'node:http': the pure core imports no Node built-in (node:crypto only in crypto/)",
      "src/checkpoint/signed.ts:1 imports '../../cli/main.js (../cli/main.ts)': the pure core imports nothing of cli/ or outside src/",
      "src/entry/entry.ts:1 imports '../service/deposits.js (service/deposits.ts)': the pure core imports nothing of src/service/",
      "src/entry/entry.ts:2 imports 'node:worker_threads': the pure core imports no Node built-in (node:crypto only in crypto/)",
      "src/entry/entry.ts:3 imports 'net': the pure core imports no Node built-in (node:crypto only in crypto/)",
      "src/merkle/tile.ts:1 imports '../storage/keys.js (storage/keys.ts)': the pure core imports nothing of src/storage/",
      "src/merkle/tile.ts:5 imports '../ledger/index.js (ledger/index.ts)': the pure core imports nothing of src/ledger/",
      "src/note/note.ts:1 imports 'node:fs': the pure core imports no Node built-in (node:crypto only in crypto/)",
      "src/note/note.ts:2 imports 'node:crypto': the pure core imports no Node built-in (node:crypto only in crypto/)",
      "src/receipt/verify.ts:2 imports '../node/slab.js (node/slab.ts)': the pure core imports nothing of src/node/",
    ]);
    expect(describeViolations(nodeFolderViolations(fixture))).toEqual([
      "src/node/slab.ts:1 imports '../crypto/hash.js (crypto/hash.ts)': src/node/ imports no other folder of src/",
    ]);
  });
});

describe('src/', () => {
  it('has a pure core and the anchor files anchor/pure.ts reaches, but not the TSA client', () => {
    const pure = pureFiles(src);
    for (const f of ['crypto/hash.ts', 'merkle/run-proofs.ts', 'checkpoint/imprint.ts', 'receipt/verify.ts', 'lifecycle/state.ts', 'lifecycle/codec.ts', 'anchor/pure.ts', 'anchor/verify-token.ts', 'witness/protocol.ts']) expect(pure).toContain(f);
    expect(pure).not.toContain('anchor/tsa-client.ts');
    expect(pure).not.toContain('witness/server.ts');
    expect(src.size).toBeGreaterThan(100);
  });

  it('(a) the pure core imports no Node I/O and nothing of storage, ledger, service, http, node or cli', () => {
    expect(describeViolations(pureCoreViolations(src))).toEqual([]);
  });

  it('src/node/ imports no other folder of src/', () => {
    expect(describeViolations(nodeFolderViolations(src))).toEqual([]);
  });
});

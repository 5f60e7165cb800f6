/** The rule table of src/lifecycle/README.md says what STATUS_RULES (and so applyEntry) does. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENTRY_KINDS } from '../../src/entry/index.js';
import { STATUS_RULES } from '../../src/lifecycle/index.js';

describe('src/lifecycle/README.md', () => {
  it('prints STATUS_RULES: one row per kind, a column per status, — for allowed', () => {
    const readme = readFileSync('src/lifecycle/README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Rules'), readme.indexOf('\n## ', readme.indexOf('## Rules') + 1));
    const rows = new Map<string, string[]>();
    for (const line of section.split('\n')) {
      const m = /^\| (.+?) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \| .* \|$/.exec(line);
      if (m === null || m[1] === 'entry' || m[1]!.startsWith('---')) continue;
      const kind = m[1]!.startsWith('deposit') ? 'deposit' : m[1]!.replace(/`/g, '');
      rows.set(kind, m.slice(2, 6).map((c) => (c!.startsWith('—') ? 'null' : c!.replace(/`/g, ''))));
    }
    expect([...rows.keys()].sort()).toEqual([...ENTRY_KINDS].sort());
    for (const kind of ENTRY_KINDS) {
      const r = STATUS_RULES[kind];
      expect(rows.get(kind), kind).toEqual([r.unclassified, r.classified, r.declassified, r.destroyed].map(String));
    }
  });
});

// Writes test/support/durations.json — each test file's seconds in a full run, which vitest.config.ts's
// sequencer starts longest first — from a vitest JSON report:
//   npx vitest run --reporter=json --outputFile=/tmp/report.json && node test/support/write-durations.mjs /tmp/report.json
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const seconds = {};
for (const f of [...report.testResults].sort((a, b) => a.name.localeCompare(b.name))) {
  seconds[relative(root, f.name).split('\\').join('/')] = Math.round((f.endTime - f.startTime) / 100) / 10;
}
writeFileSync(new URL('./durations.json', import.meta.url), JSON.stringify(seconds, null, 1) + '\n');
console.log(`${Object.keys(seconds).length} files`);

/**
 * `node dist/bench/hashing-main.js [ci|full]`: local hashing (SHA-256 + SM3 pool) beside openssl, at one
 * scale (default full); progress on stderr, the machine and the table on stdout.
 */
import { printTable } from './harness.js';
import { benchHashing, describeHashingMachine } from './hashing.js';

const scale = process.argv[2] ?? 'full';
if (scale !== 'ci' && scale !== 'full') {
  process.stderr.write(`usage: hashing-main [ci|full] (got ${JSON.stringify(scale)})\n`);
  process.exit(2);
}
const results = await benchHashing({ scale });
process.stdout.write(`${describeHashingMachine()}\n${printTable(results)}\n`);

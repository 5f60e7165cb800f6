/**
 * `node dist/bench/ledger-flat-main.js [sizes] [--stats]`: the durable append rate near each size of one
 * growing ledger (default 1e5,1e7: about 7 GB of temp disk at 1e7), and the ratio of the last to the first.
 */
import { printTable } from './harness.js';
import { describeMachine } from './ledger.js';
import { benchFlatAppends } from './ledger-flat.js';

const sizes = (process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '1e5,1e7').split(',').map(Number);
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1000) || sizes.length === 0) {
  process.stderr.write(`usage: ledger-flat-main [sizes, e.g. 1e5,1e7] [--stats]\n`);
  process.exit(2);
}
const before = describeMachine();
const { results, ratio } = await benchFlatAppends(sizes, { stats: process.argv.includes('--stats') });
process.stdout.write(`ledger flat append\nbefore: ${before}\nafter:  ${describeMachine()}\nratio ${ratio.toFixed(2)}\n\n${printTable(results)}\n`);
